// Typed client for the gateway's REST API.
//
// Contract (all paths are same-origin; the dev server proxies /api):
//   every request carries `Authorization: Bearer <token>`
//   GET  /api/projects                     -> Project[]
//   GET  /api/projects/{projectId}/shots   -> Shot[]
//   POST /api/shots/{shotId}/approve       (no body)            -> 2xx, body optional
//   POST /api/shots/{shotId}/reject        {"reason": string}   -> 2xx, body optional
//   errors: non-2xx with JSON {"error": {"code": string, "message": string}}
//   401 means the token is missing, invalid or expired.

import { t } from "./i18n";

export interface Project {
  projectId: string;
  name: string;
  createdAt: string;
}

export interface Shot {
  shotId: string;
  projectId: string;
  status: string;
  startMs: number;
  endMs: number;
  lyricsSnippet: string | null;
  description: string | null;
  updatedAt: string;
  /** Monotonic per shot; compared with SHOT_UPDATED's revision. */
  revision?: number;
  /** Reason of the last transition (e.g. a failure), if the server sent one. */
  reason?: string | null;
}

/** An error answered by the API, or a failure to reach it (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export interface ApiClient {
  listProjects(signal?: AbortSignal): Promise<Project[]>;
  listShots(projectId: string, signal?: AbortSignal): Promise<Shot[]>;
  /** Resolves to the updated shot when the server returns it, else null. */
  approveShot(shotId: string): Promise<Shot | null>;
  /** Resolves to the updated shot when the server returns it, else null. */
  rejectShot(shotId: string, reason: string): Promise<Shot | null>;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** The bearer token, read at every request. */
  getToken: () => string | null;
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
  /** Prefix of every path; "" (same origin) by default. */
  baseUrl?: string;
  /** Called before a 401 ApiError is thrown. */
  onUnauthorized?: (error: ApiError) => void;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? "";

  async function request(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (signal) init.signal = signal;

    let response: Response;
    try {
      const url = baseUrl + path;
      response = options.fetch ? await options.fetch(url, init) : await fetch(url, init);
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new ApiError(0, "network", t("networkError"));
    }

    const text = await response.text();
    const json = parseJson(text);

    if (!response.ok) {
      const error = toApiError(response.status, json);
      if (error.unauthorized) options.onUnauthorized?.(error);
      throw error;
    }
    return json;
  }

  const seg = encodeURIComponent;

  return {
    async listProjects(signal) {
      const json = await request("GET", "/api/projects", undefined, signal);
      return expectArray(json, parseProject);
    },
    async listShots(projectId, signal) {
      const json = await request("GET", `/api/projects/${seg(projectId)}/shots`, undefined, signal);
      return expectArray(json, parseShot);
    },
    async approveShot(shotId) {
      const json = await request("POST", `/api/shots/${seg(shotId)}/approve`);
      return parseShot(json);
    },
    async rejectShot(shotId, reason) {
      const json = await request("POST", `/api/shots/${seg(shotId)}/reject`, { reason });
      return parseShot(json);
    },
  };
}

function isAbort(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "AbortError";
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toApiError(status: number, json: unknown): ApiError {
  if (isRecord(json) && isRecord(json.error)) {
    const { code, message } = json.error;
    if (typeof message === "string" && message !== "") {
      return new ApiError(status, typeof code === "string" ? code : "error", message);
    }
  }
  return new ApiError(status, status === 401 ? "unauthorized" : "http", t("httpError", { status }));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectArray<T>(json: unknown, parse: (item: unknown) => T | null): T[] {
  if (!Array.isArray(json)) throw new ApiError(200, "bad_response", t("badResponse"));
  const out: T[] = [];
  for (const item of json) {
    const parsed = parse(item);
    if (parsed === null) throw new ApiError(200, "bad_response", t("badResponse"));
    out.push(parsed);
  }
  return out;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A Project from JSON, or null when required fields are missing. */
export function parseProject(value: unknown): Project | null {
  if (!isRecord(value)) return null;
  const projectId = str(value.projectId);
  if (projectId === null) return null;
  return {
    projectId,
    name: str(value.name) ?? projectId,
    createdAt: str(value.createdAt) ?? "",
  };
}

/** A Shot from JSON, or null when required fields are missing. */
export function parseShot(value: unknown): Shot | null {
  if (!isRecord(value)) return null;
  const shotId = str(value.shotId);
  const status = str(value.status);
  if (shotId === null || status === null) return null;
  const shot: Shot = {
    shotId,
    projectId: str(value.projectId) ?? "",
    status,
    startMs: num(value.startMs) ?? 0,
    endMs: num(value.endMs) ?? 0,
    lyricsSnippet: str(value.lyricsSnippet),
    description: str(value.description),
    updatedAt: str(value.updatedAt) ?? "",
  };
  const revision = num(value.revision);
  if (revision !== null) shot.revision = revision;
  const reason = str(value.reason);
  if (reason !== null) shot.reason = reason;
  return shot;
}
