import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Shot } from "./api";
import App from "./App";
import {
  authHeader,
  errorResponse,
  fakeSocketFactory,
  jsonResponse,
  routedFetch,
  shot,
  type RouteHandler,
} from "./test/fakes";

const PROJECTS = [
  { projectId: "p1", name: "שיר ראשון", createdAt: "2025-01-01T00:00:00Z" },
  { projectId: "p2", name: "שיר שני", createdAt: "2025-01-02T00:00:00Z" },
];

interface Options {
  token?: string | null;
  url?: string;
  shots?: Shot[];
  routes?: Record<string, RouteHandler>;
}

function renderApp({ token = "tok-1", url = "/?project=p1", shots, routes = {} }: Options = {}) {
  if (token !== null) window.localStorage.setItem("miri.token", token);
  window.history.replaceState(null, "", url);
  const server = {
    conversations: [] as Record<string, unknown>[],
    shots: shots ?? [
      shot({ shotId: "s1", status: "GENERATING_VIDEO", startMs: 0, endMs: 4000, revision: 3 }),
      shot({ shotId: "s2", status: "AWAITING_APPROVAL", startMs: 4000, endMs: 8000, revision: 1 }),
    ],
  };
  const fetch = routedFetch({
    "GET /api/projects": () => jsonResponse(PROJECTS),
    "GET /api/projects/p1/shots": () => jsonResponse(server.shots),
    "GET /api/projects/p2/shots": () => jsonResponse([shot({ shotId: "q1", projectId: "p2", status: "DRAFT" })]),
    "GET /api/providers/health": () => jsonResponse({ providers: [{ provider: "fal", state: "closed", workers: [] }], workers: 1 }),
    "GET /api/projects/p1/budget": () =>
      jsonResponse({ capUsdMicros: 5_000_000, spentUsdMicros: 0, reservedUsdMicros: 0, availableUsdMicros: 5_000_000, waiting: [] }),
    "GET /api/projects/p1/scenes": () => jsonResponse({ scenes: [] }),
    "GET /api/projects/p1/conversations": () => jsonResponse({ conversations: server.conversations }),
    ...routes,
  });
  const sockets = fakeSocketFactory();
  render(<App fetch={fetch} socketFactory={sockets.factory} />);
  return { fetch, sockets, server };
}

function row(shotId: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`tr[data-shot-id="${shotId}"]`);
  if (!el) throw new Error(`no row for ${shotId}`);
  return el;
}

function callsTo(fetch: ReturnType<typeof routedFetch>, method: string, url: string) {
  return fetch.mock.calls.filter(([u, init]) => u === url && (init?.method ?? "GET") === method);
}

/** Renders, waits for the table, connects the socket and acknowledges the join. */
async function renderJoined(options: Options = {}) {
  const ctx = renderApp(options);
  await screen.findByText("ממתין לאישור");
  act(() => {
    ctx.sockets.last.serverConnect();
    ctx.sockets.last.ackJoin({ ok: true });
  });
  await waitFor(() => expect(callsTo(ctx.fetch, "GET", "/api/projects/p1/shots")).toHaveLength(2));
  return ctx;
}

describe("App", () => {
  it("shows the login form without a token and stores the token it is given", async () => {
    const { fetch } = renderApp({ token: null });
    const input = screen.getByLabelText("אסימון גישה");
    fireEvent.change(input, { target: { value: "new-token" } });
    fireEvent.click(screen.getByRole("button", { name: "כניסה" }));

    expect(window.localStorage.getItem("miri.token")).toBe("new-token");
    await screen.findByText("שיר ראשון", { selector: "h2" });
    expect(authHeader(callsTo(fetch, "GET", "/api/projects")[0]![1])).toBe("Bearer new-token");
  });

  it("goes back to the login form with a Hebrew message on 401", async () => {
    renderApp({ routes: { "GET /api/projects": () => errorResponse(401, "unauthorized", "token expired") } });
    expect(await screen.findByText("אסימון הגישה נדחה או שפג תוקפו. יש להתחבר מחדש.")).toBeTruthy();
    expect(screen.getByLabelText("אסימון גישה")).toBeTruthy();
    expect(window.localStorage.getItem("miri.token")).toBeNull();
  });

  it("loads the project named by ?project= and renders its shots with Hebrew statuses", async () => {
    const { fetch, sockets } = renderApp();
    expect(await screen.findByText("ממתין לאישור")).toBeTruthy();
    expect(within(row("s1")).getByText("יוצר וידאו")).toBeTruthy();
    expect(row("s2").textContent).toContain("00:04.000 – 00:08.000");
    expect(authHeader(callsTo(fetch, "GET", "/api/projects/p1/shots")[0]![1])).toBe("Bearer tok-1");
    expect(sockets.factory).toHaveBeenCalledWith({ auth: { token: "tok-1" }, transports: ["websocket"] });
    expect((screen.getByLabelText("פרויקט") as HTMLSelectElement).value).toBe("p1");
  });

  it("selects a project from the list and puts it in the URL", async () => {
    const { fetch, sockets } = renderApp({ url: "/" });
    const select = (await screen.findByLabelText("פרויקט")) as HTMLSelectElement;
    expect(sockets.factory).not.toHaveBeenCalled();
    fireEvent.change(select, { target: { value: "p2" } });
    expect(await screen.findByText("טיוטה")).toBeTruthy();
    expect(new URLSearchParams(window.location.search).get("project")).toBe("p2");
    expect(callsTo(fetch, "GET", "/api/projects/p2/shots")).toHaveLength(1);
    act(() => sockets.last.serverConnect());
    expect(sockets.last.emits("join")[0]![0]).toEqual({ projectId: "p2" });
  });

  it("reports an unknown ?project=", async () => {
    renderApp({ url: "/?project=nope" });
    expect(await screen.findByText("הפרויקט nope לא נמצא")).toBeTruthy();
  });

  it("joins the project room on connect, re-fetches and shows the connection state", async () => {
    const { sockets } = await renderJoined();
    expect(sockets.last.emits("join")[0]![0]).toEqual({ projectId: "p1" });
    expect(screen.getByRole("status").textContent).toBe("מחובר — עדכונים חיים");

    act(() => sockets.last.transportError());
    expect(screen.getByRole("status").textContent).toBe("החיבור אבד, מתחבר מחדש…");
  });

  it("shows a refused connection with the server's message", async () => {
    const { sockets } = renderApp();
    await screen.findByText("ממתין לאישור");
    act(() => sockets.last.serverRefuse("invalid token"));
    expect(screen.getByRole("status").textContent).toBe("החיבור נדחה: invalid token");
  });

  it("applies a SHOT_UPDATED event to its row", async () => {
    const { sockets } = await renderJoined();
    act(() =>
      sockets.last.fire("SHOT_UPDATED", {
        projectId: "p1",
        shotId: "s1",
        status: "COMPLETED",
        revision: 4,
        updatedAt: "2025-01-01T11:00:00Z",
      }),
    );
    expect(within(row("s1")).getByText("הושלם")).toBeTruthy();
    expect(within(row("s1")).queryByText("יוצר וידאו")).toBeNull();
  });

  it("ignores a SHOT_UPDATED event older than the row", async () => {
    const { sockets } = await renderJoined();
    act(() =>
      sockets.last.fire("SHOT_UPDATED", { projectId: "p1", shotId: "s1", status: "FAILED", revision: 2, updatedAt: "" }),
    );
    expect(within(row("s1")).getByText("יוצר וידאו")).toBeTruthy();
    expect(within(row("s1")).queryByText("נכשל")).toBeNull();
  });

  it("re-fetches when an event names a shot it does not have", async () => {
    const { sockets, server, fetch } = await renderJoined();
    server.shots = [...server.shots, shot({ shotId: "s3", status: "GENERATING_IMAGE", startMs: 8000, revision: 1 })];
    act(() =>
      sockets.last.fire("SHOT_UPDATED", { projectId: "p1", shotId: "s3", status: "GENERATING_IMAGE", revision: 1, updatedAt: "" }),
    );
    expect(await screen.findByText("יוצר תמונה")).toBeTruthy();
    expect(callsTo(fetch, "GET", "/api/projects/p1/shots")).toHaveLength(3);
  });

  it("approves a shot with the bearer token and shows the new status", async () => {
    const { fetch } = renderApp({
      routes: {
        "POST /api/shots/s2/approve": () =>
          jsonResponse(shot({ shotId: "s2", status: "GENERATING_VIDEO", startMs: 4000, endMs: 8000, revision: 2 })),
      },
    });
    await screen.findByText("ממתין לאישור");
    fireEvent.click(within(row("s2")).getByRole("button", { name: "אישור" }));

    await waitFor(() => expect(within(row("s2")).getByText("יוצר וידאו")).toBeTruthy());
    const calls = callsTo(fetch, "POST", "/api/shots/s2/approve");
    expect(calls).toHaveLength(1);
    expect(authHeader(calls[0]![1])).toBe("Bearer tok-1");
    expect(within(row("s2")).queryByRole("button", { name: "אישור" })).toBeNull();
    expect(within(row("s2")).queryByRole("button", { name: "דחייה" })).toBeNull();
  });

  it("rejects a shot with the reason the user wrote", async () => {
    const { fetch } = renderApp({
      routes: { "POST /api/shots/s2/reject": () => new Response(null, { status: 204 }) },
    });
    await screen.findByText("ממתין לאישור");
    fireEvent.click(within(row("s2")).getByRole("button", { name: "דחייה" }));
    fireEvent.change(screen.getByLabelText("סיבת הדחייה"), { target: { value: "התאורה חשוכה מדי" } });
    fireEvent.click(screen.getByRole("button", { name: "דחיית השוט" }));

    await waitFor(() => expect(callsTo(fetch, "POST", "/api/shots/s2/reject")).toHaveLength(1));
    const init = callsTo(fetch, "POST", "/api/shots/s2/reject")[0]![1]!;
    expect(JSON.parse(init.body as string)).toEqual({ reason: "התאורה חשוכה מדי" });
    expect(authHeader(init)).toBe("Bearer tok-1");
    // No shot in the answer: the list is fetched again.
    await waitFor(() => expect(callsTo(fetch, "GET", "/api/projects/p1/shots")).toHaveLength(2));
  });

  it("shows the server's error message when an action fails", async () => {
    renderApp({
      routes: {
        "POST /api/shots/s2/approve": () => errorResponse(409, "invalid_transition", "השוט כבר אושר"),
      },
    });
    await screen.findByText("ממתין לאישור");
    fireEvent.click(within(row("s2")).getByRole("button", { name: "אישור" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("השוט כבר אושר");
    expect(within(row("s2")).getByText("ממתין לאישור")).toBeTruthy();
  });

  it("returns to the login form when an action answers 401", async () => {
    renderApp({
      routes: { "POST /api/shots/s2/approve": () => errorResponse(401, "unauthorized", "expired") },
    });
    await screen.findByText("ממתין לאישור");
    fireEvent.click(within(row("s2")).getByRole("button", { name: "אישור" }));
    expect(await screen.findByText("אסימון הגישה נדחה או שפג תוקפו. יש להתחבר מחדש.")).toBeTruthy();
    expect(window.localStorage.getItem("miri.token")).toBeNull();
  });

  it("opens a shot's versions from its row and closes them; shows provider health, budget and scenes", async () => {
    const { fetch } = renderApp({
      routes: {
        "GET /api/shots/s2/versions": () =>
          jsonResponse([
            { versionId: "v1", shotId: "s2", kind: "prompt", author: "system", reason: "still prompt", createdAt: "2025-01-01T10:00:00Z" },
          ]),
      },
    });
    await screen.findByText("ממתין לאישור");
    expect(await screen.findByText("תקין")).toBeTruthy();
    const budget = screen.getByRole("region", { name: "תקציב" });
    await waitFor(() => expect(budget.querySelector('[data-figure="cap"] dd')?.textContent).toBe("$5.00"));
    expect(await screen.findByText(/עדיין אין פירוק לסצנות/)).toBeTruthy();

    fireEvent.click(within(row("s2")).getByRole("button", { name: "גרסאות" }));
    const dialog = screen.getByRole("dialog", { name: "גרסאות — שוט 2" });
    expect(await within(dialog).findByText("still prompt")).toBeTruthy();
    expect(authHeader(callsTo(fetch, "GET", "/api/shots/s2/versions")[0]![1])).toBe("Bearer tok-1");
    fireEvent.click(within(dialog).getByRole("button", { name: "סגירה" }));
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("closes the socket on logout", async () => {
    const { sockets } = await renderJoined();
    fireEvent.click(screen.getByRole("button", { name: "יציאה" }));
    expect(screen.getByLabelText("אסימון גישה")).toBeTruthy();
    expect(sockets.last.active).toBe(false);
    expect(window.localStorage.getItem("miri.token")).toBeNull();
  });

  it("puts the render panel under the shots; a gateway without render history shows none, without an error", async () => {
    const { fetch } = renderApp();
    await screen.findByText("ממתין לאישור");
    const panel = screen.getByRole("region", { name: "רינדור" });
    expect(await within(panel).findByText("אין עדיין רינדורים")).toBeTruthy();
    expect(callsTo(fetch, "GET", "/api/projects/p1/renders")).toHaveLength(1);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("moves the render panel's bar on RENDER_PROGRESS events from the project's socket", async () => {
    const { sockets, fetch } = await renderJoined({
      routes: {
        "POST /api/projects/p1/renders": () => jsonResponse({ renderId: "r1", workflowId: "w1", mode: "animatic" }, 202),
        "GET /api/renders/r1": () =>
          jsonResponse({ status: "running", renderId: "r1", progress: { stage: "planning", done: 0, total: 0 } }),
      },
    });
    fireEvent.click(screen.getByRole("button", { name: "אנימטיק" }));
    const bar = await screen.findByRole("progressbar");
    expect(JSON.parse(callsTo(fetch, "POST", "/api/projects/p1/renders")[0]![1]!.body as string)).toEqual({
      mode: "animatic",
      overlay: false,
    });
    expect(bar.getAttribute("aria-valuenow")).toBe("0");
    act(() =>
      sockets.last.fire("RENDER_PROGRESS", { projectId: "p1", renderId: "r1", done: 5, total: 10, stage: "conforming" }),
    );
    expect(bar.getAttribute("aria-valuenow")).toBe("45");
    expect(screen.getByText("5 מתוך 10")).toBeTruthy();
    expect(sockets.sockets).toHaveLength(1);
  });

  it("opens a shot's QA conversation from its row, made only once, and shows the reply CHAT_MESSAGE announces", async () => {
    const messages: Record<string, unknown>[] = [];
    const ctx = await renderJoined({
      routes: {
        "POST /api/projects/p1/conversations": (init) => {
          const made = { conversationId: "c-qa", projectId: "p1", createdAt: "2025-01-01T10:00:00Z", ...JSON.parse(init!.body as string) };
          ctx.server.conversations.unshift(made);
          return jsonResponse(made, 201);
        },
        "GET /api/conversations/c-qa/messages": () => jsonResponse({ state: "waiting", progress: null, messages }),
      },
    });
    const creations = () => callsTo(ctx.fetch, "POST", "/api/projects/p1/conversations");

    fireEvent.click(within(row("s2")).getByRole("button", { name: "QA" }));
    const column = await screen.findByRole("article", { name: "QA — שוט 2" });
    expect(JSON.parse(creations()[0]![1]!.body as string)).toEqual({ topic: "shot_qa", title: "QA — שוט 2", shotId: "s2" });
    await waitFor(() => expect(document.activeElement).toBe(within(column).getByRole("textbox", { name: "הודעה" })));

    fireEvent.click(within(column).getByRole("button", { name: "סגירת השיחה" }));
    fireEvent.click(within(row("s2")).getByRole("button", { name: "QA" }));
    const again = await screen.findByRole("article", { name: "QA — שוט 2" });
    expect(creations()).toHaveLength(1);

    messages.push({ messageId: "m1", conversationId: "c-qa", speaker: "assistant", content: "השמיים כהים מדי", createdAt: "2025-01-01T10:01:00Z" });
    act(() =>
      ctx.sockets.last.fire("CHAT_MESSAGE", {
        projectId: "p1",
        conversationId: "c-qa",
        messageId: "m1",
        speaker: "assistant",
        content: "השמיים כהים מדי",
        createdAt: "2025-01-01T10:01:00Z",
      }),
    );
    expect(await within(again).findByText("השמיים כהים מדי")).toBeTruthy();
  });

  it("generates a FAILED shot and refines one awaiting approval from their rows, the refusal shown in the form", async () => {
    let refuse = true;
    const { fetch } = renderApp({
      shots: [
        shot({ shotId: "s1", status: "FAILED", startMs: 0, endMs: 4000, revision: 3 }),
        shot({ shotId: "s2", status: "AWAITING_APPROVAL", startMs: 4000, endMs: 8000, revision: 1 }),
      ],
      routes: {
        "POST /api/shots/generate": () => jsonResponse({ shotId: "s1", workflowId: "shot-s1" }, 202),
        "POST /api/shots/s2/refine": () =>
          refuse
            ? errorResponse(422, "invalid_command", "one change per edit: split this into separate edits")
            : jsonResponse(shot({ shotId: "s2", status: "REFINING", startMs: 4000, endMs: 8000, revision: 2 }), 202),
      },
    });
    await screen.findByText("ממתין לאישור");
    fireEvent.click(within(row("s1")).getByRole("button", { name: "יצירה" }));
    await waitFor(() => expect(callsTo(fetch, "POST", "/api/shots/generate")).toHaveLength(1));
    expect(JSON.parse(callsTo(fetch, "POST", "/api/shots/generate")[0]![1]!.body as string)).toEqual({ shotId: "s1" });
    // The 202 names no state: the list is read again.
    await waitFor(() => expect(callsTo(fetch, "GET", "/api/projects/p1/shots")).toHaveLength(2));

    fireEvent.click(within(row("s2")).getByRole("button", { name: "שיפור" }));
    fireEvent.change(screen.getByLabelText("פקודת העריכה לתמונה"), { target: { value: "Brighten the sky. Then remove the bench." } });
    fireEvent.click(screen.getByRole("button", { name: "שיפור התמונה" }));
    const refused = await screen.findByText("one change per edit: split this into separate edits");
    expect(refused.closest("form")).not.toBeNull();
    // In the form only, not again above the table.
    expect(screen.getAllByRole("alert")).toHaveLength(1);

    refuse = false;
    fireEvent.change(screen.getByLabelText("פקודת העריכה לתמונה"), { target: { value: "Brighten the sky" } });
    fireEvent.click(screen.getByRole("button", { name: "שיפור התמונה" }));
    await waitFor(() => expect(within(row("s2")).getByText("בשיפור")).toBeTruthy());
    expect(screen.queryByLabelText("פקודת העריכה לתמונה")).toBeNull();
    expect(JSON.parse(callsTo(fetch, "POST", "/api/shots/s2/refine")[1]![1]!.body as string)).toEqual({ command: "Brighten the sky" });
  });

  it("shows on the dashboard what a chat tool call answered: the shot, the render followed, the new cap", async () => {
    await renderJoined({
      routes: {
        "GET /api/projects/p1/conversations": () =>
          jsonResponse({ conversations: [{ conversationId: "c-g", projectId: "p1", topic: "general", title: "כללי", createdAt: "2025-01-01T10:00:00Z" }] }),
        "GET /api/conversations/c-g/messages": () =>
          jsonResponse({
            state: "waiting",
            progress: null,
            messages: [
              {
                messageId: "m1",
                conversationId: "c-g",
                speaker: "assistant",
                content: "אפשר לאשר את שוט 2, להתחיל אנימטיק ולהעלות את התקרה.",
                toolCalls: [
                  { name: "approve", arguments: { shotId: "s2" } },
                  { name: "render", arguments: { mode: "animatic" } },
                  { name: "set_budget_cap", arguments: { capUsd: 20 } },
                ],
                createdAt: "2025-01-01T10:01:00Z",
              },
            ],
          }),
        "POST /api/shots/s2/approve": () =>
          jsonResponse(shot({ shotId: "s2", status: "GENERATING_VIDEO", startMs: 4000, endMs: 8000, revision: 2 })),
        "POST /api/projects/p1/renders": () => jsonResponse({ renderId: "r1", workflowId: "w1", mode: "animatic" }, 202),
        "GET /api/renders/r1": () =>
          jsonResponse({ status: "running", renderId: "r1", progress: { stage: "conforming", done: 1, total: 4 } }),
        "PUT /api/projects/p1/budget": () =>
          jsonResponse({ capUsdMicros: 20_000_000, spentUsdMicros: 0, reservedUsdMicros: 0, availableUsdMicros: 20_000_000, waiting: [], resumed: [] }),
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: /כללי/ }));
    const column = await screen.findByRole("article", { name: "כללי" });
    const card = async (tool: string) => {
      const el = await waitFor(() => {
        const found = column.querySelector<HTMLElement>(`[data-testid="chat-tool-call"][data-tool="${tool}"]`);
        if (!found) throw new Error(`no ${tool} card`);
        return found;
      });
      fireEvent.click(within(el).getByRole("button", { name: "הרצה" }));
      await waitFor(() => expect(el.dataset.state).toBe("done"));
    };
    expect(await within(column).findByText("אישור שוט 2")).toBeTruthy();

    await card("approve");
    await waitFor(() => expect(within(row("s2")).getByText("יוצר וידאו")).toBeTruthy());
    await card("render");
    expect(await screen.findByRole("progressbar", { name: "התקדמות הרינדור" })).toBeTruthy();
    await card("set_budget_cap");
    const budget = screen.getByRole("region", { name: "תקציב" });
    await waitFor(() => expect(budget.querySelector('[data-figure="cap"] dd')?.textContent).toBe("$20.00"));
  });

  it("shows the open project's keys and members to its owner, and nothing where the gateway has no such routes", async () => {
    const ownerId = "a".repeat(64);
    const { fetch } = renderApp({
      routes: {
        "GET /api/me": () => jsonResponse({ label: "studio", role: "editor", tokenId: ownerId, projectId: null, admin: false }),
        "GET /api/projects/p1/members": () =>
          jsonResponse({ members: [{ projectId: "p1", tokenId: ownerId, role: "owner", grantedBy: "studio", grantedAt: "2025-01-01T00:00:00Z" }] }),
        "GET /api/projects/p1/keys": () => jsonResponse({ keys: [] }),
      },
    });
    const keys = await screen.findByRole("region", { name: "מפתחות וחברים" });
    expect(await within(keys).findByText("אין עדיין מפתחות לפרויקט")).toBeTruthy();
    expect(within(keys).getByRole("button", { name: "הנפקת מפתח" })).toBeTruthy();
    expect(authHeader(callsTo(fetch, "GET", "/api/me")[0]![1])).toBe("Bearer tok-1");

    // The token owns p1 by its membership; p2's members are not found (404): no panel there.
    fireEvent.change(screen.getByLabelText("פרויקט"), { target: { value: "p2" } });
    await screen.findByText("טיוטה");
    await waitFor(() => expect(callsTo(fetch, "GET", "/api/projects/p2/members")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByRole("region", { name: "מפתחות וחברים" })).toBeNull());
  });
});
