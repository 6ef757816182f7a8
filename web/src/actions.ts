// The studio's actions, one list for both ways of taking them (issue 8's chat parity): a
// dashboard button and a tool call the model proposed in a general conversation become the same
// StudioAction and run through the same runAction, so the chat can do exactly what the
// dashboard does, by the same API call, and a tool added on one side and not the other fails to
// compile here or fails the parity test (src/parity.test.tsx, against src/tools.json, which the
// server's core/src/chat/tool.rs holds itself to).

import type { ApiClient, Shot } from "./api";
import { MAX_CAP_USD, type Budget } from "./budget";
import { isRecord } from "./json";
import type { RenderMode, StartedRender } from "./renders";

export type StudioAction =
  | { tool: "generate"; shotId: string }
  | { tool: "approve"; shotId: string }
  | { tool: "reject"; shotId: string; reason: string }
  | { tool: "refine"; shotId: string; command: string; /** The command in Hebrew, shown beside it; never sent. */ hebrew?: string }
  | { tool: "render"; mode: RenderMode; overlay?: boolean }
  | { tool: "set_budget_cap"; capUsd: number };

export type ToolName = StudioAction["tool"];

/** The actions on one shot. */
export type ShotAction = Extract<StudioAction, { shotId: string }>;

/** Each tool's arguments as a call names them (tools.json's order); a key per tool, checked. */
const ARGUMENTS: { readonly [T in ToolName]: readonly string[] } = {
  generate: ["shotId"],
  approve: ["shotId"],
  reject: ["shotId", "reason"],
  refine: ["shotId", "command"],
  render: ["mode", "overlay"],
  set_budget_cap: ["capUsd"],
};

/** Every tool the studio has, in tools.json's order. */
export const STUDIO_TOOLS = Object.keys(ARGUMENTS) as readonly ToolName[];

export function isToolName(name: string): name is ToolName {
  return Object.prototype.hasOwnProperty.call(ARGUMENTS, name);
}

/** What each action's call answers. */
export interface ActionResults {
  generate: null;
  /** The updated shot when the server returned it, else null (as approveShot). */
  approve: Shot | null;
  reject: Shot | null;
  refine: Shot | null;
  render: StartedRender;
  set_budget_cap: Budget;
}

/** An action with what its call answered, the result typed by the tool (`tool` discriminates). */
export type Outcome = {
  [T in ToolName]: { tool: T; action: Extract<StudioAction, { tool: T }>; result: ActionResults[T] };
}[ToolName];
export type OutcomeOf<T extends ToolName> = Extract<Outcome, { tool: T }>;

function nonBlank(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value : null;
}

/**
 * The action a tool call names, or null when this dashboard cannot run it as it came: an
 * unknown tool, an argument missing, of the wrong type, or one the tool does not take (running
 * it without that argument would be another action than the one proposed).
 */
export function parseToolCall(call: { name: unknown; arguments: unknown }): StudioAction | null {
  const { name } = call;
  const args = call.arguments ?? {};
  if (typeof name !== "string" || !isToolName(name) || !isRecord(args)) return null;
  // A refinement also carries its command's Hebrew translation, for the director to read.
  const allowed = name === "refine" ? [...ARGUMENTS[name], "hebrew"] : ARGUMENTS[name];
  if (Object.keys(args).some((key) => !allowed.includes(key))) return null;
  const shotId = nonBlank(args.shotId);
  switch (name) {
    case "generate":
    case "approve":
      return shotId === null ? null : { tool: name, shotId };
    case "reject": {
      const reason = nonBlank(args.reason);
      return shotId === null || reason === null ? null : { tool: name, shotId, reason };
    }
    case "refine": {
      const command = nonBlank(args.command);
      if (shotId === null || command === null) return null;
      if (args.hebrew === undefined) return { tool: name, shotId, command };
      const hebrew = nonBlank(args.hebrew);
      return hebrew === null ? null : { tool: name, shotId, command, hebrew };
    }
    case "render": {
      const { mode, overlay } = args;
      if (mode !== "animatic" && mode !== "final") return null;
      if (overlay === undefined) return { tool: name, mode };
      // Only an animatic carries the review overlay (the server refuses it on a final render).
      if (typeof overlay !== "boolean" || (mode === "final" && overlay)) return null;
      return { tool: name, mode, overlay };
    }
    case "set_budget_cap": {
      const { capUsd } = args;
      const ok = typeof capUsd === "number" && Number.isFinite(capUsd) && capUsd >= 0 && capUsd <= MAX_CAP_USD;
      return ok ? { tool: name, capUsd } : null;
    }
  }
}

/**
 * Runs `action` in `projectId` through the API: the one executor behind the dashboard's
 * buttons and the chat's tool cards. Rejects with the server's ApiError, as the call did.
 */
export function runAction<A extends StudioAction>(api: ApiClient, projectId: string, action: A): Promise<OutcomeOf<A["tool"]>>;
export async function runAction(api: ApiClient, projectId: string, action: StudioAction): Promise<Outcome> {
  switch (action.tool) {
    case "generate":
      await api.generateShot(action.shotId);
      return { tool: action.tool, action, result: null };
    case "approve":
      return { tool: action.tool, action, result: await api.approveShot(action.shotId) };
    case "reject":
      return { tool: action.tool, action, result: await api.rejectShot(action.shotId, action.reason) };
    case "refine":
      return { tool: action.tool, action, result: await api.refineShot(action.shotId, action.command) };
    case "render": {
      const { mode, overlay } = action;
      const result = await api.startRender(projectId, overlay === undefined ? { mode } : { mode, overlay });
      return { tool: action.tool, action, result };
    }
    case "set_budget_cap":
      return { tool: action.tool, action, result: await api.setBudgetCap(projectId, action.capUsd) };
    default:
      return unreachable(action);
  }
}

/** A tool with no executor does not compile: `action` is `never` once every case is handled. */
function unreachable(action: never): never {
  throw new Error(`no executor for ${JSON.stringify(action)}`);
}

export function isShotAction(action: StudioAction): action is ShotAction {
  return "shotId" in action;
}
