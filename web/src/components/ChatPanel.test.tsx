import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { createApiClient, type ApiClient } from "../api";
import type { Locale } from "../i18n";
import { createChatMessageHub } from "../realtime";
import { errorResponse, jsonResponse, routedFetch, shot, type RouteHandler } from "../test/fakes";
import { useConversations } from "../useConversations";
import { ChatPanel } from "./ChatPanel";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SHOTS = [shot({ shotId: "s1", startMs: 0 }), shot({ shotId: "s2", startMs: 4000, lyricsSnippet: "מי איתה" })];

function conversation(id: string, topic: string, title: string, extra: Record<string, unknown> = {}) {
  return { conversationId: id, projectId: "p1", topic, title, createdAt: "2025-01-01T09:00:00Z", ...extra };
}

function message(id: string, speaker: string, content: string, extra: Record<string, unknown> = {}) {
  return { messageId: id, conversationId: "c", speaker, content, createdAt: "2025-01-01T10:00:00Z", ...extra };
}

const PROPOSAL = { kind: "edit", command: "Make the sky dusk orange", hebrew: "להפוך את השמיים לכתום של שקיעה" };

/** One call of each tool (shots s1 and s2 are rows 1 and 2), one on a shot not in the table, one unknown tool. */
const TOOL_CALLS = [
  { name: "generate", arguments: { shotId: "s1" } },
  { name: "approve", arguments: { shotId: "s2" } },
  { name: "reject", arguments: { shotId: "s1", reason: "הנעליים חסרות" } },
  { name: "refine", arguments: { shotId: "s2", command: "Change the sky to dusk orange", hebrew: "שנה את השמיים לכתום של דמדומים" } },
  { name: "render", arguments: { mode: "animatic", overlay: true } },
  { name: "render", arguments: { mode: "final" } },
  { name: "set_budget_cap", arguments: { capUsd: 12.5 } },
  { name: "approve", arguments: { shotId: "3f2a9c1d-0000-4000-8000-000000000000" } },
  { name: "delete_project", arguments: { projectId: "p1" } },
];

const cards = (column: HTMLElement) => Array.from(column.querySelectorAll<HTMLElement>('[data-testid="chat-tool-call"]'));

/** The gateway's chat as the tests play it: conversations, their messages and state. */
function chatServer() {
  const server = {
    conversations: [
      conversation("c-story", "story", "ראיון הסיפור"),
      conversation("c-qa", "shot_qa", "השמיים בשוט 2", { shotId: "s2" }),
      conversation("c-general", "general", "שאלות כלליות"),
    ],
    messages: {
      "c-story": [
        message("m1", "user", "מירי בורחת בסערה בלילה."),
        message("m2", "assistant", "ממה היא בורחת?", {
          questions: ["ממי היא בורחת?", "איך זה נגמר?"],
          flaws: [{ kind: "logic", text: "לא ברור למה היא בורחת" }, { kind: "atmosphere", text: "סערה מול שיר ערש" }],
          createdAt: "2025-01-01T10:01:00Z",
        }),
      ],
      "c-qa": [
        message("q1", "user", "השמיים כהים מדי"),
        message("q2", "assistant", "אפשר להאיר אותם.", { proposal: PROPOSAL, createdAt: "2025-01-01T10:02:00Z" }),
      ],
      "c-general": [],
    } as Record<string, Record<string, unknown>[]>,
    state: {} as Record<string, "waiting" | "thinking">,
  };
  const read = (id: string) => () =>
    jsonResponse({ conversationId: id, state: server.state[id] ?? "waiting", progress: null, messages: server.messages[id] });
  const routes: Record<string, RouteHandler> = {
    "GET /api/projects/p1/conversations": () => jsonResponse({ conversations: server.conversations }),
    "GET /api/conversations/c-story/messages": read("c-story"),
    "GET /api/conversations/c-qa/messages": read("c-qa"),
    "GET /api/conversations/c-general/messages": read("c-general"),
    "GET /api/conversations/c-new/messages": () => jsonResponse({ state: "waiting", progress: null, messages: [] }),
  };
  return { server, routes };
}

interface HarnessProps {
  api: ApiClient;
  events: ReturnType<typeof createChatMessageHub>;
  live: boolean;
  pollMs: number;
}

function Harness({ api, events, live, pollMs }: HarnessProps) {
  const conversations = useConversations(api, "p1");
  const [locale, setLocale] = useState<Locale>("he");
  return (
    <ChatPanel
      api={api}
      projectId="p1"
      shots={SHOTS}
      conversations={conversations}
      events={events}
      live={live}
      locale={locale}
      onLocale={setLocale}
      pollMs={pollMs}
    />
  );
}

function setup(routes: Record<string, RouteHandler> = {}, pollMs = 60_000) {
  const chat = chatServer();
  const fetch = routedFetch({ ...chat.routes, ...routes });
  const api = createApiClient({ getToken: () => "tok-1", fetch });
  const events = createChatMessageHub();
  const view = render(<Harness api={api} events={events} live pollMs={pollMs} />);
  const setLive = (live: boolean) => view.rerender(<Harness api={api} events={events} live={live} pollMs={pollMs} />);
  return { fetch, events, server: chat.server, setLive };
}

function callsTo(fetch: ReturnType<typeof routedFetch>, key: string) {
  const [method, url] = key.split(" ");
  return fetch.mock.calls.filter(([u, init]) => u === url && (init?.method ?? "GET") === method);
}

function bodyOf(fetch: ReturnType<typeof routedFetch>, key: string, n: number): Record<string, unknown> {
  return JSON.parse(callsTo(fetch, key)[n]![1]!.body as string) as Record<string, unknown>;
}

const panel = () => screen.getByRole("region", { name: "שיחות" }) as HTMLElement;
const list = () => screen.getByRole("navigation");

/** Opens the conversation titled `title` from the list and waits for its messages. */
async function open(title: string): Promise<HTMLElement> {
  fireEvent.click(await within(list()).findByRole("button", { name: new RegExp(title) }));
  const column = await screen.findByRole("article", { name: title });
  await waitFor(() => expect(within(column).queryByText("טוען את השיחה…")).toBeNull());
  return column;
}

/** The column's messages in order: speaker label and words. */
function shown(column: HTMLElement): [string | undefined, string][] {
  return Array.from(column.querySelectorAll<HTMLElement>(".chat-log > li")).map((li) => [
    li.querySelector(".chat-msg__speaker")?.textContent ?? undefined,
    li.querySelector(".chat-msg__text")?.textContent ?? "",
  ]);
}

function write(column: HTMLElement, text: string, key: { shiftKey?: boolean } = {}) {
  const box = within(column).getByRole("textbox", { name: "הודעה" }) as HTMLTextAreaElement;
  fireEvent.change(box, { target: { value: text } });
  fireEvent.keyDown(box, { key: "Enter", ...key });
  return box;
}

const typing = (column: HTMLElement) => within(column).queryByRole("status", { name: "העוזר כותב…" });

describe("ChatPanel", () => {
  it("shows a conversation's messages oldest first, with speakers, times, questions and flaws", async () => {
    setup();
    const column = await open("ראיון הסיפור");
    expect(shown(column)).toEqual([
      ["אני", "מירי בורחת בסערה בלילה."],
      ["העוזר", "ממה היא בורחת?"],
    ]);
    const times = Array.from(column.querySelectorAll(".chat-log > li time")).map((t) => t.getAttribute("dateTime"));
    expect(times).toEqual(["2025-01-01T10:00:00Z", "2025-01-01T10:01:00Z"]);
    expect(column.querySelector(".chat-log > li time")!.textContent).not.toBe("");

    const questions = within(column).getByRole("region", { name: "שאלות" });
    expect(within(questions).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["ממי היא בורחת?", "איך זה נגמר?"]);
    const flaws = within(column).getByRole("region", { name: "פגמים שזוהו" });
    expect(within(flaws).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "היגיוןלא ברור למה היא בורחת",
      "אווירהסערה מול שיר ערש",
    ]);
    // Each message reads in its own direction.
    expect(column.querySelector(".chat-msg__text")!.getAttribute("dir")).toBe("auto");
    expect(typing(column)).toBeNull();
  });

  it("opens two conversations side by side and closes one without the other", async () => {
    setup();
    const story = await open("ראיון הסיפור");
    const qa = await open("השמיים בשוט 2");
    const columns = panel().querySelectorAll(".chat__columns > article");
    expect(Array.from(columns)).toEqual([story, qa]);
    expect(shown(story)[0]![1]).toBe("מירי בורחת בסערה בלילה.");
    expect(shown(qa)[0]![1]).toBe("השמיים כהים מדי");
    expect(within(qa).getByText("שוט 2")).toBeTruthy();
    expect(within(list()).getByRole("button", { name: /ראיון הסיפור/, pressed: true })).toBeTruthy();

    fireEvent.click(within(story).getByRole("button", { name: "סגירת השיחה" }));
    expect(screen.queryByRole("article", { name: "ראיון הסיפור" })).toBeNull();
    expect(screen.getByRole("article", { name: "השמיים בשוט 2" })).toBe(qa);
    expect(within(list()).getByRole("button", { name: /ראיון הסיפור/, pressed: false })).toBeTruthy();
  });

  it("sends with a client-drawn id on Enter, keeps Shift+Enter for a new line, and shows the dots until the reply", async () => {
    const { fetch, server } = setup({
      "POST /api/conversations/c-story/messages": (init) => {
        const { content, clientMessageId } = JSON.parse(init!.body as string) as { content: string; clientMessageId: string };
        server.messages["c-story"]!.push(message(clientMessageId, "user", content, { createdAt: "2025-01-01T10:05:00Z" }));
        server.state["c-story"] = "thinking";
        return jsonResponse({ messageId: clientMessageId, workflowId: "story-c", duplicate: false }, 202);
      },
    });
    const column = await open("ראיון הסיפור");

    const box = write(column, "היא בורחת מעצמה", { shiftKey: true });
    expect(callsTo(fetch, "POST /api/conversations/c-story/messages")).toHaveLength(0);
    expect(box.value).toBe("היא בורחת מעצמה");

    fireEvent.keyDown(box, { key: "Enter" });
    expect(box.value).toBe("");
    // On its way: shown at once, with the dots.
    expect(shown(column)[2]).toEqual(["אני", "היא בורחת מעצמה"]);
    expect(typing(column)).not.toBeNull();

    await waitFor(() => expect(callsTo(fetch, "GET /api/conversations/c-story/messages")).toHaveLength(2));
    const sent = bodyOf(fetch, "POST /api/conversations/c-story/messages", 0);
    expect(sent.content).toBe("היא בורחת מעצמה");
    expect(sent.clientMessageId).toMatch(UUID);
    // Read back as stored; the model still answers.
    await waitFor(() => expect(column.querySelector(`[data-message-id="${String(sent.clientMessageId)}"]`)).not.toBeNull());
    expect(shown(column)).toHaveLength(3);
    expect(typing(column)).not.toBeNull();
  });

  it("sends a message again with the same id after a network error", async () => {
    let fail = true;
    const { fetch, server } = setup({
      "POST /api/conversations/c-story/messages": (init) => {
        if (fail) throw new TypeError("Failed to fetch");
        const { content, clientMessageId } = JSON.parse(init!.body as string) as { content: string; clientMessageId: string };
        server.messages["c-story"]!.push(message(clientMessageId, "user", content));
        return jsonResponse({ messageId: clientMessageId, duplicate: false }, 202);
      },
    });
    const column = await open("ראיון הסיפור");
    write(column, "ומה עם הגשם?");

    const failure = await within(column).findByRole("alert");
    expect(failure.textContent).toContain("ההודעה לא נשלחה: אין תקשורת עם השרת");
    expect(typing(column)).toBeNull();
    expect(shown(column)[2]).toEqual(["אני", "ומה עם הגשם?"]);

    fail = false;
    fireEvent.click(within(failure).getByRole("button", { name: "לשלוח שוב" }));
    await waitFor(() => expect(callsTo(fetch, "POST /api/conversations/c-story/messages")).toHaveLength(2));
    const [first, again] = [0, 1].map((n) => bodyOf(fetch, "POST /api/conversations/c-story/messages", n));
    expect(again).toEqual(first);
    expect(first!.clientMessageId).toMatch(UUID);
    await waitFor(() => expect(within(column).queryByRole("alert")).toBeNull());
    // A new message is a new id.
    write(column, "ועוד משהו");
    await waitFor(() => expect(callsTo(fetch, "POST /api/conversations/c-story/messages")).toHaveLength(3));
    expect(bodyOf(fetch, "POST /api/conversations/c-story/messages", 2).clientMessageId).not.toBe(first!.clientMessageId);
  });

  it("re-reads the conversation on its CHAT_MESSAGE and shows the reply, and ignores other conversations' events", async () => {
    const { fetch, events, server } = setup();
    server.state["c-story"] = "thinking";
    const column = await open("ראיון הסיפור");
    expect(typing(column)).not.toBeNull();
    const reads = () => callsTo(fetch, "GET /api/conversations/c-story/messages").length;
    expect(reads()).toBe(1);

    act(() => events.publish({ projectId: "p1", conversationId: "c-qa", messageId: "x", speaker: "assistant" }));
    expect(reads()).toBe(1);

    server.messages["c-story"]!.push(message("m3", "assistant", "ומי מחכה לה בסוף?", { questions: ["מי מחכה לה?"] }));
    server.state["c-story"] = "waiting";
    act(() => events.publish({ projectId: "p1", conversationId: "c-story", messageId: "m3", speaker: "assistant" }));
    await waitFor(() => expect(shown(column)[2]).toEqual(["העוזר", "ומי מחכה לה בסוף?"]));
    expect(reads()).toBe(2);
    expect(typing(column)).toBeNull();
  });

  it("reads an open conversation again after the socket comes back, and every few seconds while the model answers", async () => {
    const { fetch, server, setLive } = setup({}, 30);
    const column = await open("ראיון הסיפור");
    const reads = () => callsTo(fetch, "GET /api/conversations/c-story/messages").length;
    setLive(false);
    setLive(true);
    await waitFor(() => expect(reads()).toBe(2));

    // Waiting: no polling.
    await new Promise((r) => setTimeout(r, 100));
    expect(reads()).toBe(2);

    server.state["c-story"] = "thinking";
    setLive(false);
    setLive(true);
    await waitFor(() => expect(typing(column)).not.toBeNull());
    await waitFor(() => expect(reads()).toBeGreaterThanOrEqual(5));
    server.messages["c-story"]!.push(message("m3", "assistant", "תשובה שהגיעה בלי אירוע"));
    server.state["c-story"] = "waiting";
    await waitFor(() => expect(shown(column)[2]).toEqual(["העוזר", "תשובה שהגיעה בלי אירוע"]));
    expect(typing(column)).toBeNull();
  });

  it("shows the server's refusal of a message too long and gives the text back", async () => {
    setup({
      "POST /api/conversations/c-story/messages": () =>
        errorResponse(413, "too_large", "content is 20001 characters; a message has at most 20000 (split it in two)"),
    });
    const column = await open("ראיון הסיפור");
    const box = write(column, "ארוך מדי");
    const alert = await within(column).findByRole("alert");
    expect(alert.textContent).toContain("ההודעה לא נשלחה: content is 20001 characters; a message has at most 20000 (split it in two)");
    expect(box.value).toBe("ארוך מדי");
    expect(shown(column)).toHaveLength(2);
    expect(typing(column)).toBeNull();
  });

  it("answers a general conversation like the others, its reply proposing the dashboard's actions in words", async () => {
    const { server, events } = setup({
      "POST /api/conversations/c-general/messages": (init) => {
        const { content, clientMessageId } = JSON.parse(init!.body as string) as { content: string; clientMessageId: string };
        server.messages["c-general"]!.push(message(clientMessageId, "user", content));
        server.state["c-general"] = "thinking";
        return jsonResponse({ messageId: clientMessageId, duplicate: false }, 202);
      },
    });
    const column = await open("שאלות כלליות");
    expect(within(column).queryByText(/אין מודל שעונה/)).toBeNull();
    expect(within(column).getByText(/בשיחה כללית העוזר יכול להציע כל פעולה של הלוח/)).toBeTruthy();

    write(column, "אשר את שוט 2 ודחה את שוט 1");
    await waitFor(() => expect(typing(column)).not.toBeNull());
    server.messages["c-general"]!.push(message("g2", "assistant", "הנה מה שאפשר לעשות:", { toolCalls: TOOL_CALLS }));
    server.state["c-general"] = "waiting";
    act(() => events.publish({ projectId: "p1", conversationId: "c-general", messageId: "g2", speaker: "assistant" }));
    await waitFor(() => expect(cards(column)).toHaveLength(TOOL_CALLS.length));
    expect(typing(column)).toBeNull();

    expect(cards(column).map((c) => c.querySelector(".chat-tool__words")!.textContent)).toEqual([
      "יצירת שוט 1",
      "אישור שוט 2",
      "דחיית שוט 1",
      "שיפור שוט 2",
      "רינדור אנימטיק עם שכבת מידע צרובה",
      "רינדור סופי של הסרט",
      "עדכון תקרת התקציב ל־\u2066$12.50\u2069",
      "אישור שוט 3f2a9c1d",
      "כלי לא מוכר: \u2066delete_project\u2069",
    ]);
    expect(cards(column)[2]!.querySelector(".chat-tool__detail")!.textContent).toBe("הסיבה: הנעליים חסרות");
    expect(cards(column)[3]!.querySelector(".chat-tool__detail q")!.getAttribute("dir")).toBe("auto");
    expect(cards(column)[3]!.querySelector(".chat-tool__translation")!.textContent).toBe("בעברית: שנה את השמיים לכתום של דמדומים");
    expect(cards(column)[3]!.querySelector(".chat-tool__detail")!.textContent).toBe("פקודת העריכה: Change the sky to dusk orange");
    // Each runnable card has its tool's run button; the unknown one has none, and says why.
    expect(cards(column).map((c) => c.querySelector("button")?.dataset.action ?? null)).toEqual([
      "generate",
      "approve",
      "reject",
      "refine",
      "render",
      "render",
      "set_budget_cap",
      "approve",
      null,
    ]);
    expect(cards(column)[8]!.textContent).toContain("הלוח לא יודע להריץ את הקריאה הזאת");

    fireEvent.click(within(panel()).getByRole("button", { name: "English", pressed: false }));
    expect(cards(column).slice(0, 2).map((c) => c.querySelector(".chat-tool__words")!.textContent)).toEqual(["Generate shot 1", "Approve shot 2"]);
    expect(within(cards(column)[1]!).getByRole("button", { name: "Run" })).toBeTruthy();
  });

  it("runs a proposed action by the dashboard's API call: busy, then done; a refusal shown with dismiss, a lost request with retry", async () => {
    let answer: (response: Response) => void = () => {};
    let refine: "refuse" | "network" | "ok" = "refuse";
    const { fetch, server } = setup({
      "POST /api/shots/s2/approve": () => new Promise<Response>((resolve) => (answer = resolve)),
      "POST /api/shots/s2/refine": () => {
        if (refine === "network") throw new TypeError("Failed to fetch");
        if (refine === "refuse") return errorResponse(422, "invalid_command", "an edit command starts with a verb: Change, Remove, Add…");
        return jsonResponse({ ...shot({ shotId: "s2", status: "REFINING" }) }, 202);
      },
    });
    server.messages["c-general"] = [message("g2", "assistant", "כך:", { toolCalls: TOOL_CALLS })];
    const column = await open("שאלות כלליות");
    const [, approve, , refineCard] = cards(column);

    const run = within(approve!).getByRole("button", { name: "הרצה" }) as HTMLButtonElement;
    fireEvent.click(run);
    await waitFor(() => expect(callsTo(fetch, "POST /api/shots/s2/approve")).toHaveLength(1));
    expect(run.disabled).toBe(true);
    expect(run.textContent).toBe("מריץ…");
    answer(jsonResponse(shot({ shotId: "s2", status: "GENERATING_VIDEO", revision: 2 })));
    await waitFor(() => expect(run.textContent).toBe("✓ בוצע"));
    expect(run.disabled).toBe(true);
    expect(approve!.dataset.state).toBe("done");
    fireEvent.click(run);
    expect(callsTo(fetch, "POST /api/shots/s2/approve")).toHaveLength(1);

    const runRefine = within(refineCard!).getByRole("button", { name: "הרצה" });
    fireEvent.click(runRefine);
    const refused = await within(refineCard!).findByRole("alert");
    expect(refused.textContent).toContain("הפעולה לא בוצעה: an edit command starts with a verb: Change, Remove, Add…");
    expect(JSON.parse(callsTo(fetch, "POST /api/shots/s2/refine")[0]![1]!.body as string)).toEqual({ command: "Change the sky to dusk orange" });
    fireEvent.click(within(refused).getByRole("button", { name: "סגירה" }));
    expect(within(refineCard!).queryByRole("alert")).toBeNull();

    refine = "network";
    fireEvent.click(runRefine);
    const lost = await within(refineCard!).findByRole("alert");
    expect(lost.textContent).toContain("אין תקשורת עם השרת");
    refine = "ok";
    fireEvent.click(within(lost).getByRole("button", { name: "לנסות שוב" }));
    await waitFor(() => expect(within(refineCard!).getByRole("button", { name: "✓ בוצע" })).toBeTruthy());
    expect(within(refineCard!).queryByRole("alert")).toBeNull();
    expect(callsTo(fetch, "POST /api/shots/s2/refine")).toHaveLength(3);
  });

  it("applies a QA proposal, shows the 409 naming the shot's status, then who applied it", async () => {
    let refuse = true;
    const { fetch, server } = setup({
      "POST /api/conversations/c-qa/messages/q2/apply": () => {
        if (refuse) return errorResponse(409, "conflict", "shot s2 is GENERATING_VIDEO; applying a proposal needs AWAITING_APPROVAL");
        server.messages["c-qa"]![1]!.applied = { by: "dana", still: "v2", at: "2025-01-01T10:03:00Z" };
        return jsonResponse({ messageId: "q2", shotId: "s2", applied: { by: "dana" }, alreadyApplied: false }, 202);
      },
    });
    const column = await open("השמיים בשוט 2");
    const proposal = within(column).getByRole("region", { name: "הצעה לתיקון התמונה" });
    expect(proposal.textContent).toContain("Make the sky dusk orange");
    expect(within(proposal).getByText("להפוך את השמיים לכתום של שקיעה").getAttribute("dir")).toBe("rtl");

    fireEvent.click(within(proposal).getByRole("button", { name: "החלת ההצעה" }));
    const alert = await within(proposal).findByRole("alert");
    expect(alert.textContent).toBe("ההצעה לא הוחלה: shot s2 is GENERATING_VIDEO; applying a proposal needs AWAITING_APPROVAL");

    refuse = false;
    fireEvent.click(within(proposal).getByRole("button", { name: "החלת ההצעה" }));
    await waitFor(() => expect(within(column).getByText(/הוחלה על ידי dana/)).toBeTruthy());
    expect(callsTo(fetch, "POST /api/conversations/c-qa/messages/q2/apply")).toHaveLength(2);
    expect(within(column).queryByRole("button", { name: "החלת ההצעה" })).toBeNull();
    expect(within(column).queryByRole("alert")).toBeNull();
  });

  it("shows the script a story reply proposed and accepts it", async () => {
    const script = {
      scriptId: "sc1",
      projectId: "p1",
      conversationId: "c-story",
      version: 2,
      title: "הבריחה",
      logline: "מירי בורחת בסערה ומוצאת בית.",
      beats: [
        { summary: "מירי יוצאת אל הגשם", part: "verse 1", timestamps: { startMs: 0, endMs: 12_000 } },
        { summary: "היא מוצאת אור בחלון", part: "chorus", timestamps: { startMs: 12_000, endMs: 24_000 } },
      ],
      flaws: [{ kind: "logic", text: "למה היא בורחת", resolution: "היא בורחת מהבדידות" }],
      createdAt: "2025-01-01T10:04:00Z",
      revision: 1,
    };
    const { fetch, server } = setup({
      "GET /api/projects/p1/scripts/sc1": () => jsonResponse({ ...script, revisions: [script] }),
      "POST /api/projects/p1/scripts/sc1/accept": () =>
        jsonResponse({ ...script, acceptedBy: "dana", acceptedAt: "2025-01-01T10:06:00Z", revision: 2 }),
    });
    server.messages["c-story"]!.push(message("m3", "assistant", "הנה התסריט.", { scriptId: "sc1" }));
    const column = await open("ראיון הסיפור");

    fireEvent.click(within(column).getByRole("button", { name: "הצגת התסריט", expanded: false }));
    const card = await within(column).findByRole("region", { name: "תסריט, גרסה 2" });
    expect(within(card).getByText("הבריחה")).toBeTruthy();
    expect(within(card).getByText("בית 1")).toBeTruthy();
    expect(within(card).getByText("היא מוצאת אור בחלון")).toBeTruthy();
    expect(within(card).getByText("הפתרון: היא בורחת מהבדידות")).toBeTruthy();

    fireEvent.click(within(card).getByRole("button", { name: "אישור התסריט" }));
    await waitFor(() => expect(within(card).getByText(/אושר על ידי dana/)).toBeTruthy());
    expect(callsTo(fetch, "POST /api/projects/p1/scripts/sc1/accept")).toHaveLength(1);
    expect(within(card).queryByRole("button", { name: "אישור התסריט" })).toBeNull();
    expect(card.querySelector("time")!.getAttribute("dateTime")).toBe("2025-01-01T10:06:00Z");
  });

  it("switches the chat to English, left to right, and back", async () => {
    setup();
    const column = await open("ראיון הסיפור");
    expect(panel().getAttribute("dir")).toBe("rtl");

    fireEvent.click(within(panel()).getByRole("button", { name: "English", pressed: false }));
    const english = screen.getByRole("region", { name: "Conversations" });
    expect(english.getAttribute("dir")).toBe("ltr");
    expect(english.getAttribute("lang")).toBe("en");
    expect(shown(column).map(([speaker]) => speaker)).toEqual(["You", "Assistant"]);
    expect(within(column).getByRole("textbox", { name: "Message" })).toBeTruthy();
    expect(within(column).getByText("Enter sends, Shift+Enter adds a line")).toBeTruthy();
    expect(within(column).getByRole("region", { name: "Questions" })).toBeTruthy();
    expect(within(english).getByRole("button", { name: "New conversation" })).toBeTruthy();
    // The words themselves keep their own direction.
    expect(shown(column)[0]![1]).toBe("מירי בורחת בסערה בלילה.");
    expect(column.querySelector(".chat-msg__text")!.getAttribute("dir")).toBe("auto");

    fireEvent.click(within(english).getByRole("button", { name: "עברית", pressed: false }));
    expect(panel().getAttribute("dir")).toBe("rtl");
    expect(shown(column).map(([speaker]) => speaker)).toEqual(["אני", "העוזר"]);
  });

  it("starts a QA conversation on a chosen shot, opens it and puts the cursor in its composer", async () => {
    const { fetch } = setup({
      "POST /api/projects/p1/conversations": (init) => {
        const body = JSON.parse(init!.body as string) as Record<string, unknown>;
        return jsonResponse(conversation("c-new", String(body.topic), String(body.title), { shotId: body.shotId, createdAt: "2025-01-02T09:00:00Z" }), 201);
      },
    });
    await within(list()).findByRole("button", { name: /ראיון הסיפור/ });
    fireEvent.click(screen.getByRole("button", { name: "שיחה חדשה" }));
    fireEvent.change(screen.getByLabelText("נושא"), { target: { value: "shot_qa" } });
    fireEvent.click(screen.getByRole("button", { name: "פתיחת השיחה" }));
    expect(screen.getByRole("alert").textContent).toBe("יש לבחור את השוט שהשיחה עליו");
    expect(callsTo(fetch, "POST /api/projects/p1/conversations")).toHaveLength(0);

    fireEvent.change(screen.getByLabelText("השוט"), { target: { value: "s2" } });
    fireEvent.click(screen.getByRole("button", { name: "פתיחת השיחה" }));
    const column = await screen.findByRole("article", { name: "QA — שוט 2" });
    expect(bodyOf(fetch, "POST /api/projects/p1/conversations", 0)).toEqual({ topic: "shot_qa", title: "QA — שוט 2", shotId: "s2" });
    await waitFor(() => expect(document.activeElement).toBe(within(column).getByRole("textbox", { name: "הודעה" })));
    expect(within(list()).getByRole("button", { name: /QA — שוט 2/, pressed: true })).toBeTruthy();
    expect(screen.queryByLabelText("נושא")).toBeNull();
  });
});
