import { describe, expect, it } from "vitest";
import { charCount, newClientMessageId, parseConversed, parseMessage, parseScript } from "./chat";

describe("chat records", () => {
  it("reads a QA reply as core serialises it: lists skipped when empty, a tagged proposal, who applied it", () => {
    const m = parseMessage({
      messageId: "m1",
      conversationId: "c1",
      speaker: "assistant",
      content: "אפשר להאיר",
      proposal: { kind: "prompt", summary: "brighter sky", prompt: { scene: "dusk", subjects: [] }, hebrew: "שמיים בהירים" },
      applied: { by: "dana", still: "v2", at: "2025-01-01T10:00:00Z" },
      createdAt: "2025-01-01T09:00:00Z",
    });
    expect(m).toEqual({
      messageId: "m1",
      conversationId: "c1",
      speaker: "assistant",
      content: "אפשר להאיר",
      questions: [],
      flaws: [],
      scriptId: null,
      proposal: { kind: "prompt", summary: "brighter sky", prompt: { scene: "dusk", subjects: [] }, hebrew: "שמיים בהירים" },
      applied: { by: "dana", still: "v2", at: "2025-01-01T10:00:00Z" },
      toolCalls: [],
      createdAt: "2025-01-01T09:00:00Z",
    });
  });

  it("reads a general reply's tool calls as actions, and keeps one it cannot run, marked so", () => {
    const m = parseMessage({
      messageId: "m2",
      conversationId: "c2",
      speaker: "assistant",
      content: "אאשר את שוט 2 ואתחיל אנימטיק.",
      toolCalls: [
        { name: "approve", arguments: { shotId: "s2" } },
        { name: "render", arguments: { mode: "animatic" } },
        { name: "delete_project", arguments: { projectId: "p1" } },
        { name: "approve", arguments: { shot: "s2" } },
        "approve",
      ],
      createdAt: "2025-01-01T09:00:00Z",
    });
    expect(m?.toolCalls).toEqual([
      { name: "approve", action: { tool: "approve", shotId: "s2" } },
      { name: "render", action: { tool: "render", mode: "animatic" } },
      { name: "delete_project", action: null },
      { name: "approve", action: null },
      { name: "", action: null },
    ]);
    // Absent is none; a list that is not one is a malformed message.
    expect(parseMessage({ messageId: "m", speaker: "assistant", content: "x", toolCalls: { name: "approve" } })).toBeNull();
  });

  it("refuses a malformed message rather than show half of it, and so the whole page", () => {
    const base = { messageId: "m1", speaker: "user", content: "x" };
    expect(parseMessage({ ...base, questions: "not a list" })).toBeNull();
    expect(parseMessage({ ...base, proposal: { kind: "paint" } })).toBeNull();
    expect(parseMessage({ ...base, flaws: [{ kind: "logic" }] })).toBeNull();
    expect(parseConversed({ state: "thinking", messages: [base, { speaker: "user" }] })).toBeNull();
    expect(parseConversed({ state: "thinking", progress: { refused: ["bad json"], messages: 1, answered: 0 }, messages: [base] })).toMatchObject({
      state: "thinking",
      progress: { refused: ["bad json"], error: null },
    });
  });

  it("reads a script's beats with their spans and whether it was accepted", () => {
    const s = parseScript({
      scriptId: "sc1",
      version: 3,
      title: "t",
      logline: "l",
      beats: [{ summary: "a", part: "verse", timestamps: { startMs: 0, endMs: 10 } }, { summary: "b" }],
      flaws: [],
      acceptedBy: "dana",
      acceptedAt: "2025-01-01T10:00:00Z",
    });
    expect(s?.beats).toEqual([
      { summary: "a", part: "verse", startMs: 0, endMs: 10 },
      { summary: "b", part: null, startMs: null, endMs: null },
    ]);
    expect([s?.version, s?.acceptedBy]).toEqual([3, "dana"]);
  });

  it("draws a new UUID v4 per message and counts characters as the gateway does", () => {
    const a = newClientMessageId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newClientMessageId()).not.toBe(a);
    expect(charCount("שלום 🎬")).toBe(6);
  });
});
