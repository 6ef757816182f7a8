import { describe, expect, it } from "vitest";
import { parseToolCall, runAction, STUDIO_TOOLS, type StudioAction } from "./actions";
import { createApiClient } from "./api";
import { jsonResponse, routedFetch } from "./test/fakes";
import tools from "./tools.json";

const SHOT = { shotId: "s1", projectId: "p1", status: "AWAITING_APPROVAL", startMs: 0, endMs: 1000, updatedAt: "", revision: 2 };
const BUDGET = { capUsdMicros: 12_500_000, spentUsdMicros: 0, reservedUsdMicros: 0, availableUsdMicros: 12_500_000, waiting: [] };

describe("studio actions", () => {
  it("names the tools of tools.json, in its order", () => {
    expect(STUDIO_TOOLS).toEqual(tools.tools.map((t) => t.name));
  });

  it("reads every tool's call as core serialises it", () => {
    expect(parseToolCall({ name: "generate", arguments: { shotId: "s1" } })).toEqual({ tool: "generate", shotId: "s1" });
    expect(parseToolCall({ name: "approve", arguments: { shotId: "s1" } })).toEqual({ tool: "approve", shotId: "s1" });
    expect(parseToolCall({ name: "reject", arguments: { shotId: "s1", reason: "her shoes are missing" } })).toEqual({
      tool: "reject",
      shotId: "s1",
      reason: "her shoes are missing",
    });
    expect(parseToolCall({ name: "refine", arguments: { shotId: "s1", command: "Remove the bench" } })).toEqual({
      tool: "refine",
      shotId: "s1",
      command: "Remove the bench",
    });
    // The command's Hebrew rides along for the director to read; it is never sent.
    expect(parseToolCall({ name: "refine", arguments: { shotId: "s1", command: "Remove the bench", hebrew: "הסר את הספסל" } })).toEqual({
      tool: "refine",
      shotId: "s1",
      command: "Remove the bench",
      hebrew: "הסר את הספסל",
    });
    // overlay: false is skipped by the server.
    expect(parseToolCall({ name: "render", arguments: { mode: "animatic" } })).toEqual({ tool: "render", mode: "animatic" });
    expect(parseToolCall({ name: "render", arguments: { mode: "animatic", overlay: true } })).toEqual({ tool: "render", mode: "animatic", overlay: true });
    expect(parseToolCall({ name: "render", arguments: { mode: "final" } })).toEqual({ tool: "render", mode: "final" });
    expect(parseToolCall({ name: "set_budget_cap", arguments: { capUsd: 12.5 } })).toEqual({ tool: "set_budget_cap", capUsd: 12.5 });
  });

  it("refuses an unknown tool, a missing, mistyped or extra argument", () => {
    const refused: { name: unknown; arguments: unknown }[] = [
      { name: "delete_project", arguments: { projectId: "p1" } },
      { name: "toString", arguments: {} },
      { name: 3, arguments: { shotId: "s1" } },
      { name: "approve", arguments: {} },
      { name: "approve", arguments: { shotId: 7 } },
      { name: "approve", arguments: { shotId: "" } },
      { name: "approve", arguments: ["s1"] },
      { name: "approve", arguments: { shotId: "s1", everything: true } },
      { name: "reject", arguments: { shotId: "s1" } },
      { name: "reject", arguments: { shotId: "s1", reason: "  " } },
      { name: "refine", arguments: { shotId: "s1", command: null } },
      { name: "refine", arguments: { shotId: "s1", command: "Remove the bench", hebrew: 3 } },
      { name: "approve", arguments: { shotId: "s1", hebrew: "אשר" } },
      { name: "render", arguments: { mode: "director's cut" } },
      { name: "render", arguments: { mode: "animatic", overlay: "yes" } },
      { name: "render", arguments: { mode: "final", overlay: true } },
      { name: "set_budget_cap", arguments: { capUsd: "12" } },
      { name: "set_budget_cap", arguments: { capUsd: -1 } },
      { name: "set_budget_cap", arguments: { capUsd: 2e9 } },
      { name: "set_budget_cap", arguments: { cap: 12 } },
    ];
    for (const call of refused) expect(parseToolCall(call), JSON.stringify(call)).toBeNull();
  });

  it("runs each action by its API call and answers what the call did", async () => {
    const fetch = routedFetch({
      "POST /api/shots/generate": () => jsonResponse({ shotId: "s1", workflowId: "shot-s1" }, 202),
      "POST /api/shots/s1/approve": () => jsonResponse({ ...SHOT, status: "GENERATING_VIDEO" }),
      "POST /api/shots/s1/reject": () => jsonResponse({ ...SHOT, status: "DRAFT" }),
      "POST /api/shots/s1/refine": () => jsonResponse({ ...SHOT, status: "REFINING" }, 202),
      "POST /api/projects/p1/renders": () => jsonResponse({ renderId: "r1", workflowId: "render-p1-r1", mode: "animatic" }, 202),
      "PUT /api/projects/p1/budget": () => jsonResponse(BUDGET),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    const actions: StudioAction[] = [
      { tool: "generate", shotId: "s1" },
      { tool: "approve", shotId: "s1" },
      { tool: "reject", shotId: "s1", reason: "too dark" },
      { tool: "refine", shotId: "s1", command: "Brighten the sky" },
      { tool: "render", mode: "animatic", overlay: true },
      { tool: "render", mode: "final" },
      { tool: "set_budget_cap", capUsd: 12.5 },
    ];
    const results = [];
    for (const action of actions) results.push((await runAction(api, "p1", action)).result);
    expect(results[0]).toBeNull();
    expect(results.slice(1, 4).map((r) => (r as { status: string }).status)).toEqual(["GENERATING_VIDEO", "DRAFT", "REFINING"]);
    expect(results[4]).toEqual({ renderId: "r1", workflowId: "render-p1-r1", mode: "animatic" });
    expect(results[6]).toMatchObject({ capUsdMicros: 12_500_000 });

    const sent = fetch.mock.calls.map(([url, init]) => [`${init?.method} ${url}`, init?.body ? JSON.parse(init.body as string) : null]);
    expect(sent).toEqual([
      ["POST /api/shots/generate", { shotId: "s1" }],
      ["POST /api/shots/s1/approve", null],
      ["POST /api/shots/s1/reject", { reason: "too dark" }],
      ["POST /api/shots/s1/refine", { command: "Brighten the sky" }],
      ["POST /api/projects/p1/renders", { mode: "animatic", overlay: true }],
      ["POST /api/projects/p1/renders", { mode: "final" }],
      ["PUT /api/projects/p1/budget", { capUsd: 12.5 }],
    ]);
  });

  it("types a literal action's result by its tool", async () => {
    const fetch = routedFetch({ "PUT /api/projects/p1/budget": () => jsonResponse(BUDGET) });
    const api = createApiClient({ getToken: () => "tok", fetch });
    const { result } = await runAction(api, "p1", { tool: "set_budget_cap", capUsd: 12.5 });
    // Compiles only because `result` is a Budget here, not the union of every result.
    expect(result.capUsdMicros).toBe(12_500_000);
  });
});
