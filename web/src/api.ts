// Typed client for the gateway's REST API.
//
// Contract (all paths are same-origin; the dev server proxies /api):
//   every request carries `Authorization: Bearer <token>`
//   GET  /api/projects                     -> Project[]
//   GET  /api/projects/{projectId}/shots   -> Shot[]
//   POST /api/shots/{shotId}/approve       (no body)            -> 2xx, body optional
//   POST /api/shots/{shotId}/reject        {"reason": string}   -> 2xx, body optional
//   POST /api/projects/{projectId}/renders {"mode", "overlay"?}  -> 202 {renderId, workflowId, mode}
//   GET  /api/renders/{renderId}           -> {status: "running" | "completed" | "failed", …}
//   GET  /api/projects/{projectId}/renders -> {renders: [Render + mediaUrl, …]} newest first;
//                                             404 from gateways without it (read as no renders)
//   GET  /api/media/{key}                  -> the bytes (needs the bearer token too)
//   errors: non-2xx with JSON {"error": {"code": string, "message": string}}
//   401 means the token is missing, invalid or expired.

import { t } from "./i18n";
import {
  parseRenderEntry,
  parseRenderStatus,
  parseStartedRender,
  type RenderEntry,
  type RenderMode,
  type RenderStatus,
  type StartedRender,
} from "./renders";
import { isRecord, num, str } from "./json";

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
  /** Starts an animatic or final render; `overlay` is sent for animatics only. */
  startRender(projectId: string, request: StartRenderRequest): Promise<StartedRender>;
  getRender(renderId: string, signal?: AbortSignal): Promise<RenderStatus>;
  /** The project's finished renders, newest first; [] when the gateway has no such route. */
  listRenders(projectId: string, signal?: AbortSignal): Promise<RenderEntry[]>;
  /**
   * The bytes at a `/api/media/…` URL, fetched with the bearer token (which
   * a <video src> could not send).
   */
  fetchMedia(url: string, signal?: AbortSignal): Promise<Blob>;
}

export interface StartRenderRequest {
  mode: RenderMode;
  /** Burn the review overlay into an animatic. */
  overlay?: boolean;
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

  /** The response to a request; a non-2xx answer is thrown as an ApiError. */
  async function send(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    accept: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
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
      const url = /^https?:\/\//.test(path) ? path : baseUrl + path;
      response = options.fetch ? await options.fetch(url, init) : await fetch(url, init);
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new ApiError(0, "network", t("networkError"));
    }

    if (!response.ok) {
      const error = toApiError(response.status, parseJson(await readText(response)));
      if (error.unauthorized) options.onUnauthorized?.(error);
      throw error;
    }
    return response;
  }

  async function request(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const response = await send(method, path, body, signal, "application/json");
    return parseJson(await readText(response));
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
    async startRender(projectId, { mode, overlay }) {
      // Only an animatic has an overlay; a final render's body stays what
      // every gateway version accepts.
      const body = mode === "animatic" ? { mode, overlay: overlay === true } : { mode };
      const json = await request("POST", `/api/projects/${seg(projectId)}/renders`, body);
      return expectOne(json, parseStartedRender);
    },
    async getRender(renderId, signal) {
      const json = await request("GET", `/api/renders/${seg(renderId)}`, undefined, signal);
      return expectOne(json, parseRenderStatus);
    },
    async listRenders(projectId, signal) {
      let json: unknown;
      try {
        json = await request("GET", `/api/projects/${seg(projectId)}/renders`, undefined, signal);
      } catch (err) {
        // A gateway from before the history answers 404: no history yet.
        if (err instanceof ApiError && err.status === 404) return [];
        throw err;
      }
      return expectArray(isRecord(json) ? json.renders : json, parseRenderEntry);
    },
    async fetchMedia(url, signal) {
      const response = await send("GET", url, undefined, signal, "*/*");
      try {
        return await response.blob();
      } catch (err) {
        if (isAbort(err)) throw err;
        throw new ApiError(0, "network", t("networkError"));
      }
    },
  };
}

/** The body as text; a connection lost while reading is a network error. */
async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (err) {
    if (isAbort(err)) throw err;
    throw new ApiError(0, "network", t("networkError"));
  }
}

function expectOne<T>(json: unknown, parse: (value: unknown) => T | null): T {
  const parsed = parse(json);
  if (parsed === null) throw new ApiError(200, "bad_response", t("badResponse"));
  return parsed;
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
