// Chat parity (issue 8): every action the dashboard offers is a chat tool and every chat tool is
// a dashboard action, and both run the same ApiClient call. The dashboard's actions are read off
// the whole App (every control marked `data-action`), the tools off tools.json (which the
// server's core/src/chat/tool.rs holds to its own list) and off actions.ts; then each dashboard
// control and each chat tool card is clicked and the API calls they make are compared. A tool
// added on one side and not the other fails here.

import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { STUDIO_TOOLS } from "./actions";
import { createApiClient, type ApiClient } from "./api";
import App from "./App";
import { fakeSocketFactory, jsonResponse, routedFetch, shot } from "./test/fakes";
import tools from "./tools.json";

const SHOTS = [
  shot({ shotId: "s1", status: "DRAFT", startMs: 0, endMs: 4000 }),
  shot({ shotId: "s2", status: "FAILED", startMs: 4000, endMs: 8000, reason: "provider timeout" }),
  shot({ shotId: "s3", status: "AWAITING_APPROVAL", startMs: 8000, endMs: 12_000 }),
];
const BUDGET = { capUsdMicros: 5_000_000, spentUsdMicros: 0, reservedUsdMicros: 0, availableUsdMicros: 5_000_000, waiting: [] };

/** What the director types in a dashboard form, and what the model's call carries: the same. */
const TEXT: Record<string, string> = { reason: "her shoes are missing", command: "Change the sky to dusk orange" };

/**
 * A value for each argument, as the dashboard would act: s1 (DRAFT) is generated, s3 (awaiting
 * approval) approved, rejected or refined; an animatic without overlay (the first render button,
 * its box unticked); the cap the budget field starts at.
 */
function argumentValue(tool: string, name: string): unknown {
  if (name === "shotId") return tool === "generate" ? "s1" : "s3";
  if (name === "mode") return "animatic";
  if (name === "overlay") return false;
  if (name === "capUsd") return 5;
  if (name in TEXT) return TEXT[name];
  throw new Error(`the parity test has no value for ${tool}'s argument ${name}: add one`);
}

const TOOL_CALLS = tools.tools.map(({ name, arguments: names }) => ({
  name,
  arguments: Object.fromEntries(names.map((arg) => [arg, argumentValue(name, arg)])),
}));

interface Call {
  method: string;
  args: unknown[];
}

/** The ApiClient the App makes, with every call recorded. */
function recording(api: ApiClient, calls: Call[]): ApiClient {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(prop), args });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Calls that only read; an action is whatever else the click calls. */
const READS = /^(list|get|fetch|providerHealth)/;

function setup() {
  window.localStorage.setItem("miri.token", "tok-1");
  window.history.replaceState(null, "", "/?project=p1");
  const shotJson = (id: string) => jsonResponse(SHOTS.find((s) => s.shotId === id));
  const fetch = routedFetch({
    "GET /api/projects": () => jsonResponse([{ projectId: "p1", name: "שיר", createdAt: "2025-01-01T00:00:00Z" }]),
    "GET /api/projects/p1/shots": () => jsonResponse(SHOTS),
    "GET /api/providers/health": () => jsonResponse({ providers: [], workers: 1 }),
    "GET /api/projects/p1/budget": () => jsonResponse(BUDGET),
    "PUT /api/projects/p1/budget": () => jsonResponse(BUDGET),
    "GET /api/projects/p1/scenes": () => jsonResponse({ scenes: [] }),
    "GET /api/projects/p1/renders": () => jsonResponse({ renders: [] }),
    "POST /api/projects/p1/renders": () => jsonResponse({ renderId: "r1", workflowId: "render-p1-r1", mode: "animatic" }, 202),
    "GET /api/renders/r1": () => jsonResponse({ status: "running", renderId: "r1", progress: { stage: "planning", done: 0, total: 0 } }),
    "POST /api/shots/generate": () => jsonResponse({ shotId: "s1", workflowId: "shot-s1" }, 202),
    "POST /api/shots/s3/approve": () => shotJson("s3"),
    "POST /api/shots/s3/reject": () => shotJson("s3"),
    "POST /api/shots/s3/refine": () => shotJson("s3"),
    "GET /api/projects/p1/conversations": () =>
      jsonResponse({
        conversations: [{ conversationId: "c1", projectId: "p1", topic: "general", title: "הכול מהצ׳אט", createdAt: "2025-01-01T09:00:00Z" }],
      }),
    "GET /api/conversations/c1/messages": () =>
      jsonResponse({
        state: "waiting",
        progress: null,
        messages: [
          { messageId: "m1", conversationId: "c1", speaker: "user", content: "תעשה הכול", createdAt: "2025-01-01T10:00:00Z" },
          {
            messageId: "m2",
            conversationId: "c1",
            speaker: "assistant",
            content: "הנה כל הפעולות:",
            toolCalls: TOOL_CALLS,
            createdAt: "2025-01-01T10:01:00Z",
          },
        ],
      }),
  });
  const calls: Call[] = [];
  const sockets = fakeSocketFactory();
  render(<App fetch={fetch} socketFactory={sockets.factory} createApi={(options) => recording(createApiClient(options), calls)} />);
  return { calls };
}

const inChat = (el: Element) => el.closest('[data-testid="chat-tool-call"]') !== null;

/** Clicks `control` (and fills and sends the form it opens) and answers the action call it made. */
async function actionOf(calls: Call[], control: HTMLElement): Promise<Call> {
  // The row's buttons wait while its shot's previous action is on its way.
  await waitFor(() => expect((control as HTMLButtonElement).disabled).toBe(false));
  calls.length = 0;
  fireEvent.click(control);
  const form = document.querySelector<HTMLFormElement>(`form[data-form="${control.dataset.action}"]`);
  if (form) {
    fireEvent.change(within(form).getByRole("textbox"), { target: { value: TEXT[control.dataset.action === "reject" ? "reason" : "command"] } });
    fireEvent.submit(form);
  }
  await waitFor(() => expect(calls.filter((c) => !READS.test(c.method))).not.toHaveLength(0));
  return calls.find((c) => !READS.test(c.method))!;
}

describe("chat parity", () => {
  it("offers every tool as a dashboard action and every dashboard action as a tool, run by the same API call", async () => {
    const { calls } = setup();
    await screen.findByText("ממתין לאישור");
    await screen.findByRole("button", { name: "עדכון התקרה" });

    const dashboard = Array.from(document.querySelectorAll<HTMLElement>("[data-action]")).filter((el) => !inChat(el));
    const offered = [...new Set(dashboard.map((el) => el.dataset.action!))].sort();
    const listed = tools.tools.map((t) => t.name);
    expect(offered, "the dashboard's actions are the tools of tools.json").toEqual([...listed].sort());
    expect([...STUDIO_TOOLS], "actions.ts's tools are tools.json's, in its order").toEqual(listed);

    const byDashboard = new Map<string, Call>();
    for (const tool of listed) {
      const control = dashboard.find((el) => el.dataset.action === tool);
      byDashboard.set(tool, await actionOf(calls, control!));
    }

    fireEvent.click(await screen.findByRole("button", { name: /הכול מהצ׳אט/ }));
    await waitFor(() => expect(document.querySelectorAll('[data-testid="chat-tool-call"]')).toHaveLength(listed.length));
    for (const tool of listed) {
      const card = document.querySelector<HTMLElement>(`[data-testid="chat-tool-call"][data-tool="${tool}"]`);
      const run = card?.querySelector<HTMLElement>(`button[data-action="${tool}"]`) ?? null;
      expect(run, `the chat's ${tool} card has a run button`).not.toBeNull();
      const call = await actionOf(calls, run!);
      expect(call, `the chat's ${tool} calls what the dashboard's does`).toEqual(byDashboard.get(tool));
      await waitFor(() => expect(card!.dataset.state).toBe("done"));
    }

    // Each tool has its own call: two tools sharing one would be one action named twice.
    expect(new Set([...byDashboard.values()].map((c) => c.method)).size).toBe(listed.length);
  });
});
