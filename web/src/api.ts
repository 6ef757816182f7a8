// Typed client for the gateway's REST API.
//
// Contract (all paths are same-origin; the dev server proxies /api):
//   every request carries `Authorization: Bearer <token>`
//   GET  /api/projects                     -> Project[]
//   GET  /api/projects/{projectId}/shots   -> Shot[]
//   POST /api/shots/{shotId}/approve       (no body)            -> 2xx, body optional
//   POST /api/shots/{shotId}/reject        {"reason": string}   -> 2xx, body optional
//   POST /api/shots/generate               {"shotId"}           -> 202 {shotId, workflowId}; 409 unless DRAFT or FAILED
//   POST /api/shots/{shotId}/refine        {"command": string}  -> 202, the shot (body optional);
//                                          422 command refused (the message says why), 409 unless AWAITING_APPROVAL
//   POST /api/projects/{projectId}/renders {"mode", "overlay"?}  -> 202 {renderId, workflowId, mode}
//   GET  /api/renders/{renderId}           -> {status: "running" | "completed" | "failed", …}
//   GET  /api/projects/{projectId}/renders -> {renders: [Render + mediaUrl, …]} newest first;
//                                             404 from gateways without it (read as no renders)
//   GET  /api/media/{key}                  -> the bytes (needs the bearer token too)
//   POST /api/projects  multipart name, song (MP3), lyrics, plot -> 201 {projectId}
//                       (sent with XMLHttpRequest for its upload progress; see upload.ts)
//   GET  /api/projects/{projectId}/analysis -> the newest Analysis; 404 when there is none
//   POST /api/projects/{projectId}/analyses -> 202 {analysisId, workflowId}
//   GET  /api/projects/{projectId}/analyses/{analysisId}
//                                          -> {status: "running" | "completed" | "failed", …}
//   GET  /api/shots/{shotId}/versions      -> [Version + mediaUrl?, …] newest first, not paged
//   GET  /api/projects/{projectId}/scenes  -> {scenes: [Scene + references, …]} of the newest
//                                             breakdown ([] before one; 404 read as none)
//   GET  /api/providers/health             -> {providers: [{provider, state, workers}], workers}
//   GET  /api/projects/{projectId}/budget  -> the ledger's amounts in micro-dollars
//   PUT  /api/projects/{projectId}/budget  {"capUsd": dollars} -> the same, with `resumed`
//   GET  /api/projects/{projectId}/conversations -> {conversations: [Conversation, …]} newest first
//   POST /api/projects/{projectId}/conversations {topic, title, shotId?} -> 201 Conversation
//   GET  /api/conversations/{conversationId}/messages
//                                          -> {state: "waiting" | "thinking", progress, messages} oldest first
//   POST /api/conversations/{conversationId}/messages {content, clientMessageId}
//                                          -> 202 {messageId, duplicate}; 400 blank, 413 too long
//   POST /api/conversations/{conversationId}/messages/{messageId}/apply
//                                          -> 202 | 200 {alreadyApplied, …}; 409 when the shot cannot take it
//   GET  /api/projects/{projectId}/scripts/{scriptId}        -> Script + revision(s)
//   POST /api/projects/{projectId}/scripts/{scriptId}/accept -> the accepted Script
//   GET  /api/me                           -> {label, role, tokenId, projectId | null, admin}
//   GET  /api/projects/{projectId}/keys    -> {keys: [ProjectKey, …]} oldest first; 403 unless an owner
//   POST /api/projects/{projectId}/keys    {role, label} -> 201 {token, key}: the secret, answered once;
//                                          400 blank or too long label, unknown role
//   POST /api/projects/{projectId}/keys/{tokenId}/revoke -> {key} (revoked; still listed)
//   GET  /api/projects/{projectId}/members -> {members: [Member, …]} (any member)
//   POST /api/projects/{projectId}/members {tokenId, role} -> 201 Member (owners only);
//                                          404 unknown token, 409 when it is a project key
//   errors: non-2xx with JSON {"error": {"code": string, "message": string}}
//   401 means the token is missing, invalid or expired.

import {
  parseAnalysis,
  parseAnalysisRun,
  parseStartedAnalysis,
  type Analysis,
  type AnalysisRun,
  type StartedAnalysis,
} from "./analysis";
import {
  parseApplyAnswer,
  parseConversation,
  parseConversations,
  parseConversed,
  parseSaid,
  parseScript,
  type Conversation,
  type Conversed,
  type NewConversation,
  type Said,
  type Script,
} from "./chat";
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
import { parseBudget, type Budget } from "./budget";
import { parseHealth, type ProviderHealth } from "./health";
import {
  parseIssuedKey,
  parseKeyAnswer,
  parseKeys,
  parseMe,
  parseMember,
  parseMembers,
  type IssuedKey,
  type Me,
  type Member,
  type NewKey,
  type NewMember,
  type ProjectKey,
} from "./keys";
import { parseScenes, type Scene } from "./scenes";
import { parseVersion, type Version } from "./versions";
import { browserXhr, sendForm, type FormAnswer, type UploadProgress, type XhrFactory } from "./upload";

export interface Project {
  projectId: string;
  name: string;
  createdAt: string;
  /** `/api/media/…` of the project's song, when the server sent it. */
  songUrl?: string;
}

/** What `POST /api/projects` takes: the song and the director's words about it. */
export interface NewProject {
  name: string;
  song: File;
  lyrics: string;
  plot: string;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
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
  /** Starts (or, after a failure, restarts) the shot's still; the shot's events tell the rest. */
  generateShot(shotId: string): Promise<void>;
  /** Edits the still awaiting approval by one command; the updated shot when the server returns it, else null. */
  refineShot(shotId: string, command: string): Promise<Shot | null>;
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
  /** Every version the shot has had, newest first (the gateway sends them all at once). */
  listVersions(shotId: string, signal?: AbortSignal): Promise<Version[]>;
  /** The newest breakdown's scenes in order; [] before any breakdown (or a 404). */
  listScenes(projectId: string, signal?: AbortSignal): Promise<Scene[]>;
  providerHealth(signal?: AbortSignal): Promise<ProviderHealth[]>;
  getBudget(projectId: string, signal?: AbortSignal): Promise<Budget>;
  /** Sets the project's cap in dollars (owners only); resolves to the new budget. */
  setBudgetCap(projectId: string, capUsd: number): Promise<Budget>;
  /** Uploads the song and makes the project; resolves to its id. */
  createProject(project: NewProject, options?: UploadOptions): Promise<string>;
  /** The project's newest analysis; null when it has none yet (404). */
  getAnalysis(projectId: string, signal?: AbortSignal): Promise<Analysis | null>;
  startAnalysis(projectId: string): Promise<StartedAnalysis>;
  getAnalysisRun(projectId: string, analysisId: string, signal?: AbortSignal): Promise<AnalysisRun>;
  /** The project's conversations, newest first. */
  listConversations(projectId: string, signal?: AbortSignal): Promise<Conversation[]>;
  createConversation(projectId: string, conversation: NewConversation): Promise<Conversation>;
  /** A conversation's messages oldest first, and whether the model is answering. */
  listMessages(conversationId: string, signal?: AbortSignal): Promise<Conversed>;
  /** Sends the director's message; the same `clientMessageId` again is the same message. */
  sendMessage(conversationId: string, content: string, clientMessageId: string): Promise<Said>;
  /** Applies a QA reply's proposal to its shot's still. */
  applyProposal(conversationId: string, messageId: string): Promise<{ alreadyApplied: boolean }>;
  getScript(projectId: string, scriptId: string, signal?: AbortSignal): Promise<Script>;
  acceptScript(projectId: string, scriptId: string): Promise<Script>;
  /** The calling token: its label, role, id, the project a key is for, and whether it is the studio's owner. */
  getMe(signal?: AbortSignal): Promise<Me>;
  /** The project's keys, oldest first, revoked ones included (owners only: 403 otherwise). */
  listKeys(projectId: string, signal?: AbortSignal): Promise<ProjectKey[]>;
  /** Issues a key; the answer's `token` is the secret, which the gateway never answers again. */
  issueKey(projectId: string, key: NewKey): Promise<IssuedKey>;
  /** Revokes a key; resolves to the key as it now stands. */
  revokeKey(projectId: string, tokenId: string): Promise<ProjectKey>;
  listMembers(projectId: string, signal?: AbortSignal): Promise<Member[]>;
  /** Makes a studio token a member (owners only); resolves to the membership as it stands. */
  addMember(projectId: string, member: NewMember): Promise<Member>;
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
  /** Makes the XMLHttpRequest of an upload; the browser's by default. */
  xhr?: XhrFactory;
  /** Prefix of every path; "" (same origin) by default. */
  baseUrl?: string;
  /** Called before a 401 ApiError is thrown. */
  onUnauthorized?: (error: ApiError) => void;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? "";

  /** The error a non-2xx answer is thrown as; a 401 is reported first. */
  function refusal(status: number, body: string): ApiError {
    const error = toApiError(status, parseJson(body));
    if (error.unauthorized) options.onUnauthorized?.(error);
    return error;
  }

  function authHeaders(accept: string): Record<string, string> {
    const headers: Record<string, string> = { Accept: accept };
    const token = options.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    return headers;
  }

  /** The response to a request; a non-2xx answer is thrown as an ApiError. */
  async function send(
    method: "GET" | "POST" | "PUT",
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    accept: string,
  ): Promise<Response> {
    const headers = authHeaders(accept);
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

    if (!response.ok) throw refusal(response.status, await readText(response));
    return response;
  }

  async function request(
    method: "GET" | "POST" | "PUT",
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
    async generateShot(shotId) {
      // The 202's {shotId, workflowId} adds nothing the SHOT_UPDATED events do not tell.
      await request("POST", "/api/shots/generate", { shotId });
    },
    async refineShot(shotId, command) {
      const json = await request("POST", `/api/shots/${seg(shotId)}/refine`, { command });
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
    async listVersions(shotId, signal) {
      return expectArray(await request("GET", `/api/shots/${seg(shotId)}/versions`, undefined, signal), parseVersion);
    },
    async listScenes(projectId, signal) {
      let json: unknown;
      try {
        json = await request("GET", `/api/projects/${seg(projectId)}/scenes`, undefined, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return [];
        throw err;
      }
      return expectOne(json, parseScenes);
    },
    async providerHealth(signal) {
      return expectOne(await request("GET", "/api/providers/health", undefined, signal), parseHealth);
    },
    async getBudget(projectId, signal) {
      return expectOne(await request("GET", `/api/projects/${seg(projectId)}/budget`, undefined, signal), parseBudget);
    },
    async setBudgetCap(projectId, capUsd) {
      return expectOne(await request("PUT", `/api/projects/${seg(projectId)}/budget`, { capUsd }), parseBudget);
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
    async createProject({ name, song, lyrics, plot }, { onProgress, signal } = {}) {
      const form = new FormData();
      form.append("name", name);
      form.append("lyrics", lyrics);
      form.append("plot", plot);
      form.append("song", song, song.name);
      let answer: FormAnswer;
      try {
        answer = await sendForm(options.xhr ?? browserXhr, {
          url: baseUrl + "/api/projects",
          headers: authHeaders("application/json"),
          form,
          onProgress,
          signal,
        });
      } catch (err) {
        if (isAbort(err)) throw err;
        throw new ApiError(0, "network", t("uploadNetworkError"));
      }
      if (answer.status < 200 || answer.status >= 300) throw refusal(answer.status, answer.text);
      const json = parseJson(answer.text);
      return expectOne(isRecord(json) ? json.projectId : null, str);
    },
    async getAnalysis(projectId, signal) {
      try {
        const json = await request("GET", `/api/projects/${seg(projectId)}/analysis`, undefined, signal);
        return expectOne(json, parseAnalysis);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    async startAnalysis(projectId) {
      const json = await request("POST", `/api/projects/${seg(projectId)}/analyses`);
      return expectOne(json, parseStartedAnalysis);
    },
    async getAnalysisRun(projectId, analysisId, signal) {
      const path = `/api/projects/${seg(projectId)}/analyses/${seg(analysisId)}`;
      return expectOne(await request("GET", path, undefined, signal), parseAnalysisRun);
    },
    async listConversations(projectId, signal) {
      const json = await request("GET", `/api/projects/${seg(projectId)}/conversations`, undefined, signal);
      return expectOne(json, parseConversations);
    },
    async createConversation(projectId, conversation) {
      const json = await request("POST", `/api/projects/${seg(projectId)}/conversations`, conversation);
      return expectOne(json, parseConversation);
    },
    async listMessages(conversationId, signal) {
      const json = await request("GET", `/api/conversations/${seg(conversationId)}/messages`, undefined, signal);
      return expectOne(json, parseConversed);
    },
    async sendMessage(conversationId, content, clientMessageId) {
      const path = `/api/conversations/${seg(conversationId)}/messages`;
      return expectOne(await request("POST", path, { content, clientMessageId }), parseSaid);
    },
    async applyProposal(conversationId, messageId) {
      const path = `/api/conversations/${seg(conversationId)}/messages/${seg(messageId)}/apply`;
      return expectOne(await request("POST", path), parseApplyAnswer);
    },
    async getScript(projectId, scriptId, signal) {
      const path = `/api/projects/${seg(projectId)}/scripts/${seg(scriptId)}`;
      return expectOne(await request("GET", path, undefined, signal), parseScript);
    },
    async acceptScript(projectId, scriptId) {
      const path = `/api/projects/${seg(projectId)}/scripts/${seg(scriptId)}/accept`;
      return expectOne(await request("POST", path), parseScript);
    },
    async getMe(signal) {
      return expectOne(await request("GET", "/api/me", undefined, signal), parseMe);
    },
    async listKeys(projectId, signal) {
      return expectOne(await request("GET", `/api/projects/${seg(projectId)}/keys`, undefined, signal), parseKeys);
    },
    async issueKey(projectId, { role, label }) {
      return expectOne(await request("POST", `/api/projects/${seg(projectId)}/keys`, { role, label }), parseIssuedKey);
    },
    async revokeKey(projectId, tokenId) {
      const path = `/api/projects/${seg(projectId)}/keys/${seg(tokenId)}/revoke`;
      return expectOne(await request("POST", path), parseKeyAnswer);
    },
    async listMembers(projectId, signal) {
      return expectOne(await request("GET", `/api/projects/${seg(projectId)}/members`, undefined, signal), parseMembers);
    },
    async addMember(projectId, { tokenId, role }) {
      return expectOne(await request("POST", `/api/projects/${seg(projectId)}/members`, { tokenId, role }), parseMember);
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
  const project: Project = {
    projectId,
    name: str(value.name) ?? projectId,
    createdAt: str(value.createdAt) ?? "",
  };
  const songUrl = str(value.songUrl);
  if (songUrl !== null) project.songUrl = songUrl;
  return project;
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
