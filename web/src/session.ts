// The bearer token, kept in localStorage under `miri.token`.

export const TOKEN_KEY = "miri.token";

export function loadToken(storage: Storage): string | null {
  try {
    const token = storage.getItem(TOKEN_KEY);
    return token && token.trim() !== "" ? token : null;
  } catch {
    return null;
  }
}

export function saveToken(storage: Storage, token: string): void {
  try {
    storage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage may be unavailable (private mode); the session still works
    // until the page is reloaded.
  }
}

export function clearToken(storage: Storage): void {
  try {
    storage.removeItem(TOKEN_KEY);
  } catch {
    // see saveToken
  }
}
