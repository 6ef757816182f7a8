// Reading untrusted JSON from the gateway and the socket: narrow `unknown` to what a parser
// expects, or null, so every parser refuses the same malformed values the same way.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
