// Test doubles: a scriptable Socket.IO socket and a routed fetch.

import { vi } from "vitest";
import type { Shot } from "../api";
import type { RealtimeSocket, SocketOptions } from "../realtime";

type Listener = (...args: any[]) => void;

/** Stands in for a socket.io-client Socket; the test plays the server. */
export class FakeSocket implements RealtimeSocket {
  active = true;
  connected = false;
  readonly options: SocketOptions;
  readonly emitted: { event: string; args: unknown[] }[] = [];
  private readonly listeners = new Map<string, Listener[]>();

  constructor(options: SocketOptions) {
    this.options = options;
  }

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event) ?? [];
    list.push(listener);
    this.listeners.set(event, list);
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    this.emitted.push({ event, args });
    return this;
  }

  disconnect(): this {
    const wasConnected = this.connected;
    this.active = false;
    this.connected = false;
    if (wasConnected) this.fire("disconnect", "io client disconnect");
    return this;
  }

  /** Delivers an event from the "server" to the client's listeners. */
  fire(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }

  serverConnect(): void {
    this.connected = true;
    this.active = true;
    this.fire("connect");
  }

  /** The middleware refused the handshake: socket.io does not retry. */
  serverRefuse(message: string): void {
    this.active = false;
    this.fire("connect_error", new Error(message));
  }

  /** A transport failure: socket.io will retry. */
  transportError(): void {
    this.connected = false;
    this.fire("connect_error", new Error("websocket error"));
  }

  emits(event: string): unknown[][] {
    return this.emitted.filter((e) => e.event === event).map((e) => e.args);
  }

  /** Answers the most recent `join` with `response`. */
  ackJoin(response: unknown): void {
    const joins = this.emits("join");
    const last = joins[joins.length - 1];
    if (!last) throw new Error("no join was emitted");
    const ack = last[last.length - 1];
    if (typeof ack !== "function") throw new Error("join was emitted without an ack");
    ack(response);
  }
}

export function fakeSocketFactory() {
  const sockets: FakeSocket[] = [];
  const factory = vi.fn((options: SocketOptions) => {
    const socket = new FakeSocket(options);
    sockets.push(socket);
    return socket;
  });
  return {
    factory,
    sockets,
    get last(): FakeSocket {
      const socket = sockets[sockets.length - 1];
      if (!socket) throw new Error("no socket was created");
      return socket;
    },
  };
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function errorResponse(status: number, code: string, message: string): Response {
  return jsonResponse({ error: { code, message } }, status);
}

export type RouteHandler = (init: RequestInit | undefined) => Response | Promise<Response>;

/**
 * A fetch that answers from `routes`, keyed "METHOD /path". Unknown routes
 * answer 404 in the API's error format.
 */
export function routedFetch(routes: Record<string, RouteHandler>) {
  return vi.fn(async (input: string, init?: RequestInit): Promise<Response> => {
    const key = `${init?.method ?? "GET"} ${input}`;
    const handler = routes[key];
    if (!handler) return errorResponse(404, "not_found", `no route ${key}`);
    return handler(init);
  });
}

/** The Authorization header a fetch call was made with. */
export function authHeader(init: RequestInit | undefined): string | undefined {
  const headers = init?.headers;
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get("Authorization") ?? undefined;
  if (Array.isArray(headers)) return headers.find(([k]) => k.toLowerCase() === "authorization")?.[1];
  return (headers as Record<string, string>).Authorization;
}

export function shot(overrides: Partial<Shot> & { shotId: string }): Shot {
  return {
    projectId: "p1",
    status: "DRAFT",
    startMs: 0,
    endMs: 1000,
    lyricsSnippet: "שורה",
    description: "תיאור",
    updatedAt: "2025-01-01T10:00:00Z",
    revision: 1,
    ...overrides,
  };
}

// ---------------------------------------------------------------- renders

/**
 * A render report as the gateway serialises it (camelCase), with the numbers
 * of core's hand-counted example: a 20 s song at 25 fps, 85% covered, gaps at
 * 10–12 s and 19–20 s, shots 3 and 4 overlapping at 14–15 s, 6 of 7 cuts on
 * the beat, 2 of 3 lyric lines uncovered, one unreadable still and two clips
 * still to make for $0.896.
 */
export function reportJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    songMs: 20_000,
    fps: 25,
    coverage: {
      coveredMs: 17_000,
      share: 0.85,
      gaps: [
        { startMs: 10_000, endMs: 12_000 },
        { startMs: 19_000, endMs: 20_000 },
      ],
      overlaps: [{ first: "s3", second: "s4", startMs: 14_000, endMs: 15_000 }],
    },
    cuts: { cuts: 7, onBeat: 6, share: 6 / 7, offBeat: [{ frame: 205, atMs: 8_200, nearestMs: 8_000 }] },
    lyrics: [
      { words: "תודה לך", timestamps: { startMs: 1_000, endMs: 3_000 }, shots: ["s1"], uncoveredMs: 0, covered: true },
      { words: "על היום", timestamps: { startMs: 9_000, endMs: 11_000 }, shots: ["s2"], uncoveredMs: 1_000, covered: false },
      { words: "הזה", timestamps: { startMs: 10_200, endMs: 11_800 }, shots: [], uncoveredMs: 1_600, covered: false },
    ],
    uncoveredLyrics: 2,
    scenes: [
      { sceneId: "sc1", number: 1, seed: 11, shots: 2 },
      { sceneId: "sc2", number: 2, seed: 22, shots: 1 },
    ],
    shotsWithoutScene: 1,
    segments: {
      clips: ["s1", "s4"],
      stills: [],
      titleCards: ["s3", "s2"],
      unreadable: [{ shotId: "s2", why: "its still cannot be read" }],
      hidden: [],
      gapCards: 2,
    },
    clipsPerModel: { "fal-ai/kling-video/v3/standard/image-to-video": 1, unknown: 1 },
    cost: {
      spentUsdMicros: 1_200_000,
      reservedUsdMicros: 0,
      capUsdMicros: 5_000_000,
      videoModel: "fal-ai/kling-video/v3/standard/image-to-video",
      clipsToMake: 2,
      clipSecsToMake: 8,
      estimateUsdMicros: 896_000,
      withinCap: true,
    },
    ...overrides,
  };
}

/** A Render record as the gateway serialises it. */
export function renderJson(overrides: Record<string, unknown> & { renderId: string }): Record<string, unknown> {
  return {
    projectId: "p1",
    mode: "animatic",
    shots: [],
    fps: 25,
    width: 1920,
    height: 1080,
    media: { key: `sha256/${overrides.renderId}.mp4`, sha256: "00", size: 10, contentType: "video/mp4" },
    report: reportJson(),
    overlay: false,
    createdAt: "2025-01-01T12:00:00Z",
    ...overrides,
  };
}

/** A history entry: the record with its mediaUrl beside it. */
export function historyEntryJson(overrides: Record<string, unknown> & { renderId: string }): Record<string, unknown> {
  return { ...renderJson(overrides), mediaUrl: `/api/media/sha256/${overrides.renderId}.mp4` };
}

/** Stands in for URL.createObjectURL / revokeObjectURL (jsdom has neither). */
export function fakeObjectUrls() {
  const made: string[] = [];
  const revoked: string[] = [];
  const blobs: Blob[] = [];
  return {
    made,
    revoked,
    blobs,
    create(blob: Blob): string {
      blobs.push(blob);
      const url = `blob:fake/${made.length + 1}`;
      made.push(url);
      return url;
    },
    revoke(url: string): void {
      revoked.push(url);
    },
  };
}

/** A video file as the media route answers it. */
export function mediaResponse(bytes = "fake-mp4-bytes"): Response {
  return new Response(bytes, { status: 200, headers: { "Content-Type": "video/mp4" } });
}
