// The chat's records read from the gateway's JSON (gateway/src/chat.rs, core/src/chat.rs,
// core/src/script.rs, core/src/event.rs): conversations, their messages with what the assistant
// put beside its words (questions, flaws, a script, a proposal, tool calls), scripts, and the
// CHAT_MESSAGE event. Every parser answers null for a malformed value, so one bad record never
// shows half — except a tool call this dashboard cannot run, which is kept, marked so, rather than
// refusing the whole conversation or dropping the call unseen.

import { parseToolCall, type StudioAction } from "./actions";
import { arrayOf, isRecord, num, str } from "./json";

/** The topics a conversation can be started with. */
export type Topic = "story" | "shot_qa" | "general";

/** The longest message the gateway takes (core's MAX_MESSAGE_CHARS, in Unicode characters). */
export const MAX_MESSAGE_CHARS = 20_000;

export interface Conversation {
  conversationId: string;
  projectId: string;
  /** A topic this UI may not know yet is kept as it came. */
  topic: string;
  /** The shot a QA conversation is about. */
  shotId: string | null;
  title: string;
  createdAt: string;
}

export interface NewConversation {
  topic: Topic;
  title: string;
  /** Only for shot_qa: the shot of the project the conversation is about. */
  shotId?: string;
}

/** A flaw the model named; `resolution` is filled in a script. */
export interface Flaw {
  kind: string;
  text: string;
  resolution: string | null;
}

/** What a QA reply proposes for its shot's still (core's `Proposal`, tagged by `kind`). */
export type Proposal =
  | { kind: "edit"; command: string; hebrew: string | null }
  | { kind: "prompt"; summary: string; prompt: Record<string, unknown>; hebrew: string | null };

/** Who applied a proposal to which still, and when (the message's next revision). */
export interface Applied {
  by: string;
  still: string;
  at: string;
}

/**
 * An action a general conversation's reply proposes (core/src/chat/tool.rs): `action` is what
 * runs it, null when the tool is unknown here or its arguments do not parse.
 */
export interface ToolCall {
  /** The tool's name as it came ("" when it had none). */
  name: string;
  action: StudioAction | null;
}

export interface Message {
  messageId: string;
  conversationId: string;
  /** user (the director), assistant or tool; another value is shown raw. */
  speaker: string;
  content: string;
  questions: string[];
  flaws: Flaw[];
  scriptId: string | null;
  proposal: Proposal | null;
  applied: Applied | null;
  /** A general reply's proposed actions, in the model's order ([] when none). */
  toolCalls: ToolCall[];
  createdAt: string;
}

/** The conversation's workflow, when it answered the gateway's query in time. */
export interface Progress {
  /** Why this turn's earlier answers were refused, oldest first. */
  refused: string[];
  /** Why the last turn got no reply. */
  error: string | null;
}

/** `GET /api/conversations/{id}/messages`: the messages oldest first and who has the word. */
export interface Conversed {
  state: "waiting" | "thinking";
  progress: Progress | null;
  messages: Message[];
}

/** `POST /api/conversations/{id}/messages`: 202 with the message's id. */
export interface Said {
  messageId: string;
  /** True when that id was already stored (a retry): the same message, answered once. */
  duplicate: boolean;
}

export interface Beat {
  summary: string;
  part: string | null;
  startMs: number | null;
  endMs: number | null;
}

export interface Script {
  scriptId: string;
  version: number;
  title: string;
  logline: string;
  beats: Beat[];
  flaws: Flaw[];
  acceptedBy: string | null;
  acceptedAt: string | null;
}

/** The part of a CHAT_MESSAGE event the chat acts on: which conversation to read again. */
export interface ChatMessageEvent {
  projectId: string;
  conversationId: string;
  messageId: string;
  speaker: string;
}

export function parseConversation(value: unknown): Conversation | null {
  if (!isRecord(value)) return null;
  const conversationId = str(value.conversationId);
  const topic = str(value.topic);
  if (conversationId === null || topic === null) return null;
  return {
    conversationId,
    projectId: str(value.projectId) ?? "",
    topic,
    shotId: str(value.shotId),
    title: str(value.title) ?? "",
    createdAt: str(value.createdAt) ?? "",
  };
}

/** `{conversations: [...]}`, newest first as the gateway sorts them. */
export function parseConversations(value: unknown): Conversation[] | null {
  return isRecord(value) ? arrayOf(value.conversations, parseConversation) : null;
}

function parseFlaw(value: unknown): Flaw | null {
  if (!isRecord(value)) return null;
  const kind = str(value.kind);
  const text = str(value.text);
  if (kind === null || text === null) return null;
  return { kind, text, resolution: str(value.resolution) };
}

/** An absent list is empty (the gateway skips empty ones); a malformed one is refused. */
function listOr<T>(value: unknown, parse: (item: unknown) => T | null): T[] | null {
  return value === undefined ? [] : arrayOf(value, parse);
}

export function parseProposal(value: unknown): Proposal | null {
  if (!isRecord(value)) return null;
  const hebrew = str(value.hebrew);
  if (value.kind === "edit") {
    const command = str(value.command);
    return command === null ? null : { kind: "edit", command, hebrew };
  }
  if (value.kind === "prompt") {
    const summary = str(value.summary);
    if (summary === null || !isRecord(value.prompt)) return null;
    return { kind: "prompt", summary, prompt: value.prompt, hebrew };
  }
  return null;
}

/** Always a ToolCall: one this dashboard cannot run is kept with `action` null, to be shown as such. */
export function parseToolCallItem(value: unknown): ToolCall {
  if (!isRecord(value)) return { name: "", action: null };
  return { name: str(value.name) ?? "", action: parseToolCall({ name: value.name, arguments: value.arguments }) };
}

function parseApplied(value: unknown): Applied | null {
  if (!isRecord(value)) return null;
  const by = str(value.by);
  const at = str(value.at);
  if (by === null || at === null) return null;
  return { by, still: str(value.still) ?? "", at };
}

/** An optional field: absent is null, present must parse. */
function optional<T>(value: unknown, parse: (v: unknown) => T | null): T | null | undefined {
  if (value === undefined || value === null) return null;
  return parse(value) ?? undefined;
}

export function parseMessage(value: unknown): Message | null {
  if (!isRecord(value)) return null;
  const messageId = str(value.messageId);
  const speaker = str(value.speaker);
  const content = str(value.content);
  const questions = listOr(value.questions, str);
  const flaws = listOr(value.flaws, parseFlaw);
  const proposal = optional(value.proposal, parseProposal);
  const applied = optional(value.applied, parseApplied);
  const toolCalls = listOr(value.toolCalls, parseToolCallItem);
  if (messageId === null || speaker === null || content === null || questions === null || flaws === null) return null;
  if (toolCalls === null) return null;
  if (proposal === undefined || applied === undefined) return null;
  return {
    messageId,
    conversationId: str(value.conversationId) ?? "",
    speaker,
    content,
    questions,
    flaws,
    scriptId: str(value.scriptId),
    proposal,
    applied,
    toolCalls,
    createdAt: str(value.createdAt) ?? "",
  };
}

function parseProgress(value: unknown): Progress | null {
  if (!isRecord(value)) return null;
  return { refused: arrayOf(value.refused, str) ?? [], error: str(value.error) };
}

export function parseConversed(value: unknown): Conversed | null {
  if (!isRecord(value)) return null;
  const messages = arrayOf(value.messages, parseMessage);
  if (messages === null) return null;
  return {
    state: value.state === "thinking" ? "thinking" : "waiting",
    progress: parseProgress(value.progress),
    messages,
  };
}

export function parseSaid(value: unknown): Said | null {
  if (!isRecord(value)) return null;
  const messageId = str(value.messageId);
  return messageId === null ? null : { messageId, duplicate: value.duplicate === true };
}

/** `POST …/apply`: whether the proposal had been applied before (200) or is now (202). */
export function parseApplyAnswer(value: unknown): { alreadyApplied: boolean } | null {
  return isRecord(value) && typeof value.alreadyApplied === "boolean" ? { alreadyApplied: value.alreadyApplied } : null;
}

function parseBeat(value: unknown): Beat | null {
  if (!isRecord(value)) return null;
  const summary = str(value.summary);
  if (summary === null) return null;
  const at = isRecord(value.timestamps) ? value.timestamps : {};
  return { summary, part: str(value.part), startMs: num(at.startMs), endMs: num(at.endMs) };
}

export function parseScript(value: unknown): Script | null {
  if (!isRecord(value)) return null;
  const scriptId = str(value.scriptId);
  const beats = arrayOf(value.beats, parseBeat);
  const flaws = listOr(value.flaws, parseFlaw);
  if (scriptId === null || beats === null || flaws === null) return null;
  return {
    scriptId,
    version: num(value.version) ?? 1,
    title: str(value.title) ?? "",
    logline: str(value.logline) ?? "",
    beats,
    flaws,
    acceptedBy: str(value.acceptedBy),
    acceptedAt: str(value.acceptedAt),
  };
}

export function parseChatMessageEvent(value: unknown): ChatMessageEvent | null {
  if (!isRecord(value)) return null;
  const projectId = str(value.projectId);
  const conversationId = str(value.conversationId);
  const messageId = str(value.messageId);
  const speaker = str(value.speaker);
  if (projectId === null || conversationId === null || messageId === null || speaker === null) return null;
  return { projectId, conversationId, messageId, speaker };
}

/** Length as the gateway counts it: Unicode characters, not UTF-16 units. */
export function charCount(text: string): number {
  return [...text].length;
}

/**
 * A fresh UUID v4 for a message, drawn once per message so that sending it again is the same
 * one. From getRandomValues, since randomUUID is missing outside secure contexts (plain HTTP).
 */
export function newClientMessageId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
