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
