// Live shot status over Socket.IO.
//
// Contract (same origin, path /socket.io, WebSocket transport only):
//   handshake auth: {token}; a refused handshake is a connect_error whose
//     message is shown to the user
//   client -> server  "join" {projectId}   with ack {ok: true} | {ok: false, error}
//     sent on every (re)connect; after {ok: true} the client re-fetches the
//     shots over REST, since events missed while disconnected are not replayed
//   server -> client  "SHOT_UPDATED" {projectId, shotId, status, revision, reason?, updatedAt}
//   server -> client  "RENDER_PROGRESS" {projectId, renderId, done, total, stage}
//     (stage: planning | conforming | joining | muxing | done | failed); not
//     replayed either, so whoever follows a render also polls it over REST
//   server -> client  "CHAT_MESSAGE" {projectId, conversationId, messageId, speaker, content,
//     scriptId?, proposal?, createdAt}: a model's reply was stored; an open conversation reads
//     its messages again (the director's own message is not announced)
//
// The socket is made by an injected factory so that tests can drive a fake.

import { io } from "socket.io-client";
import { parseChatMessageEvent, type ChatMessageEvent } from "./chat";
import { t } from "./i18n";
import { parseRenderProgressEvent, type RenderProgressEvent } from "./renders";
import { parseShotUpdate, type ShotUpdate } from "./shots";

export type ConnectionState =
  | { kind: "connecting" }
  /** Connected and joined to the project's room. */
  | { kind: "connected" }
  /** Lost or not yet established; socket.io keeps retrying. */
  | { kind: "reconnecting" }
  /** The server refused the handshake or the join; no automatic retry. */
  | { kind: "refused"; message: string }
  /** The server closed the connection; no automatic retry. */
  | { kind: "disconnected" };

/** The part of a socket.io-client Socket this module uses. */
export interface RealtimeSocket {
  /** True while the socket will (re)connect by itself. */
  readonly active: boolean;
  // Listener arguments come from the network and are validated here.
  on(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: any[]): unknown;
  disconnect(): unknown;
}

export interface SocketOptions {
  auth: { token: string };
  transports: ["websocket"];
}

export type SocketFactory = (options: SocketOptions) => RealtimeSocket;

/** Same-origin socket.io-client connection (path /socket.io). */
export const defaultSocketFactory: SocketFactory = (options) => io(options);

export interface RealtimeOptions {
  token: string;
  projectId: string;
  socketFactory?: SocketFactory;
  /** How long to wait for the join ack; 10 s by default. */
  joinTimeoutMs?: number;
  onState(state: ConnectionState): void;
  onShotUpdated(update: ShotUpdate): void;
  /** A render of the project moved on. */
  onRenderProgress?(event: RenderProgressEvent): void;
  /** A message was added to one of the project's conversations. */
  onChatMessage?(event: ChatMessageEvent): void;
  /** Called after every successful join: re-fetch the shots over REST. */
  onResync(): void;
}

export interface RealtimeConnection {
  close(): void;
}

export const JOIN_EVENT = "join";
export const SHOT_UPDATED_EVENT = "SHOT_UPDATED";
export const RENDER_PROGRESS_EVENT = "RENDER_PROGRESS";
export const CHAT_MESSAGE_EVENT = "CHAT_MESSAGE";

export function connectProject(options: RealtimeOptions): RealtimeConnection {
  const { projectId, onState, onShotUpdated, onRenderProgress, onChatMessage, onResync } = options;
  const joinTimeoutMs = options.joinTimeoutMs ?? 10_000;
  const factory = options.socketFactory ?? defaultSocketFactory;

  let closed = false;
  let joinAttempt = 0;
  let joinTimer: ReturnType<typeof setTimeout> | undefined;

  const setState = (state: ConnectionState) => {
    if (!closed) onState(state);
  };
  const clearJoinTimer = () => {
    if (joinTimer !== undefined) clearTimeout(joinTimer);
    joinTimer = undefined;
  };

  onState({ kind: "connecting" });
  const socket = factory({ auth: { token: options.token }, transports: ["websocket"] });

  socket.on("connect", () => {
    if (closed) return;
    const attempt = ++joinAttempt;
    clearJoinTimer();
    joinTimer = setTimeout(() => {
      if (closed || attempt !== joinAttempt) return;
      joinAttempt++; // a late ack for this attempt is ignored
      setState({ kind: "refused", message: t("joinTimeout") });
    }, joinTimeoutMs);

    socket.emit(JOIN_EVENT, { projectId }, (ack: unknown) => {
      if (closed || attempt !== joinAttempt) return;
      clearJoinTimer();
      if (isRecord(ack) && ack.ok === true) {
        setState({ kind: "connected" });
        onResync();
      } else {
        setState({ kind: "refused", message: ackError(ack) });
      }
    });
  });

  socket.on("connect_error", (err: unknown) => {
    if (closed) return;
    clearJoinTimer();
    if (socket.active) {
      // A transport failure: socket.io retries with back-off.
      setState({ kind: "reconnecting" });
    } else {
      // The server's middleware refused the handshake (e.g. a bad token).
      setState({ kind: "refused", message: errorMessage(err) });
    }
  });

  socket.on("disconnect", (reason: unknown) => {
    if (closed || reason === "io client disconnect") return;
    joinAttempt++;
    clearJoinTimer();
    setState(socket.active ? { kind: "reconnecting" } : { kind: "disconnected" });
  });

  socket.on(SHOT_UPDATED_EVENT, (payload: unknown) => {
    if (closed) return;
    const update = parseShotUpdate(payload);
    if (update === null || update.projectId !== projectId) return;
    onShotUpdated(update);
  });

  socket.on(RENDER_PROGRESS_EVENT, (payload: unknown) => {
    if (closed || !onRenderProgress) return;
    const event = parseRenderProgressEvent(payload);
    if (event === null || event.projectId !== projectId) return;
    onRenderProgress(event);
  });

  socket.on(CHAT_MESSAGE_EVENT, (payload: unknown) => {
    if (closed || !onChatMessage) return;
    const event = parseChatMessageEvent(payload);
    if (event === null || event.projectId !== projectId) return;
    onChatMessage(event);
  });

  return {
    close() {
      if (closed) return;
      closed = true;
      clearJoinTimer();
      socket.disconnect();
    },
  };
}

/**
 * Hands one kind of the project connection's events (RENDER_PROGRESS,
 * CHAT_MESSAGE) to whichever components follow them, without each opening a
 * socket of its own.
 */
export interface EventSource<E> {
  /** Returns the function that ends the subscription. */
  subscribe(listener: (event: E) => void): () => void;
}

export interface EventHub<E> extends EventSource<E> {
  publish(event: E): void;
}

export type RenderProgressSource = EventSource<RenderProgressEvent>;
export type ChatMessageSource = EventSource<ChatMessageEvent>;

export function createRenderProgressHub(): EventHub<RenderProgressEvent> {
  return createEventHub();
}

export function createChatMessageHub(): EventHub<ChatMessageEvent> {
  return createEventHub();
}

function createEventHub<E>(): EventHub<E> {
  const listeners = new Set<(event: E) => void>();
  return {
    subscribe(listener) {
      // A wrapper per subscription, so the same function may subscribe twice.
      const entry = (event: E) => listener(event);
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    publish(event) {
      for (const listener of [...listeners]) listener(event);
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The message of a join ack's `error`: a string or {code, message}. */
function ackError(ack: unknown): string {
  if (isRecord(ack)) {
    const error = ack.error;
    if (typeof error === "string" && error !== "") return error;
    if (isRecord(error) && typeof error.message === "string" && error.message !== "") {
      return error.message;
    }
  }
  return t("unknownReason");
}

function errorMessage(err: unknown): string {
  if (isRecord(err) && typeof err.message === "string" && err.message !== "") return err.message;
  if (typeof err === "string" && err !== "") return err;
  return t("unknownReason");
}
