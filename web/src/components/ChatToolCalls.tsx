import { useState } from "react";
import { runAction, type Outcome, type StudioAction } from "../actions";
import { ApiError, type ApiClient } from "../api";
import type { ToolCall } from "../chat";
import { formatUsd } from "../renders";
import { ActionAlert } from "./ActionAlert";
import { useChatText, type ChatText } from "./chatText";
import { ltrText } from "./Ltr";

export interface ChatToolCallsProps {
  api: ApiClient;
  projectId: string;
  calls: readonly ToolCall[];
  /** A shot's number in the dashboard's order ("2"), or its id's short form when it has none. */
  shotNumber(shotId: string): string;
  /** Told what a run answered, so the dashboard shows it (the shot, the render, the budget). */
  onRan?(outcome: Outcome): void;
}

/**
 * The actions a general conversation's reply proposes, each in words in the chat's language
 * with the button that runs it — through runAction, the executor behind the dashboard's own
 * buttons, so nothing the chat does differs from what the dashboard does. Nothing runs on the
 * model's word: only the director's click runs a call. A call this dashboard cannot run is shown
 * as such, without a button.
 */
export function ChatToolCalls({ api, projectId, calls, shotNumber, onRan }: ChatToolCallsProps) {
  const { tr } = useChatText();
  return (
    <section className="chat-msg__extra chat-tools" aria-label={tr("toolCallsTitle")}>
      <h5>{tr("toolCallsTitle")}</h5>
      <ol className="chat-tools__list">
        {calls.map((call, i) => (
          <li key={i}>
            {call.action === null ? (
              <div className="chat-tool chat-tool--unknown" data-testid="chat-tool-call" data-tool={call.name} data-state="unknown">
                <p className="chat-tool__words">{tr("toolUnknown", { name: call.name === "" ? "?" : ltrText(call.name) })}</p>
                <p className="chat-tool__detail muted">{tr("toolUnknownHint")}</p>
              </div>
            ) : (
              <ToolCallCard
                action={call.action}
                shotNumber={shotNumber}
                run={async (action) => {
                  const outcome = await runAction(api, projectId, action);
                  onRan?.(outcome);
                }}
              />
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

type RunState = { kind: "idle" } | { kind: "running" } | { kind: "done" } | { kind: "failed"; message: string; retryable: boolean };

interface ToolCallCardProps {
  action: StudioAction;
  shotNumber(shotId: string): string;
  run(action: StudioAction): Promise<void>;
}

function ToolCallCard({ action, shotNumber, run }: ToolCallCardProps) {
  const { tr } = useChatText();
  const [state, setState] = useState<RunState>({ kind: "idle" });

  const go = async () => {
    setState({ kind: "running" });
    try {
      await run(action);
      setState({ kind: "done" });
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) {
        // The session ends; the login form says why.
        setState({ kind: "idle" });
        return;
      }
      const message = err instanceof ApiError ? err.message : tr("networkError");
      // A refusal (409, 422, 403) stands until something changes; a lost request may be sent again.
      const retryable = !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
      setState({ kind: "failed", message, retryable });
    }
  };

  const detail = detailOf(tr, action);
  return (
    <div className="chat-tool" data-testid="chat-tool-call" data-tool={action.tool} data-state={state.kind}>
      <p className="chat-tool__words">{wordsOf(tr, action, shotNumber)}</p>
      {detail && (
        <p className="chat-tool__detail">
          <span className="muted">{detail.label}</span> <q dir="auto">{detail.text}</q>
        </p>
      )}
      {action.tool === "refine" && action.hebrew && (
        <p className="chat-tool__detail chat-tool__translation" lang="he" dir="rtl">
          <span className="muted">{tr("toolCommandHebrew")}</span> <q>{action.hebrew}</q>
        </p>
      )}
      <button
        type="button"
        className={state.kind === "done" ? "btn chat-tool__run chat-tool__run--done" : "btn btn--primary chat-tool__run"}
        data-action={action.tool}
        disabled={state.kind === "running" || state.kind === "done"}
        aria-busy={state.kind === "running" || undefined}
        onClick={() => void go()}
      >
        {tr(state.kind === "running" ? "toolRunning" : state.kind === "done" ? "toolDone" : "toolRun")}
      </button>
      {state.kind === "failed" && (
        <ActionAlert
          className="chat-tool__error"
          message={tr("toolRunError", { message: state.message })}
          action={tr(state.retryable ? "retry" : "dismiss")}
          onAction={state.retryable ? () => void go() : () => setState({ kind: "idle" })}
        />
      )}
    </div>
  );
}

/** The action in words: "אישור שוט 2" / "Approve shot 2". */
function wordsOf(tr: ChatText["tr"], action: StudioAction, shotNumber: (shotId: string) => string): string {
  switch (action.tool) {
    case "generate":
      return tr("toolGenerate", { n: shotNumber(action.shotId) });
    case "approve":
      return tr("toolApprove", { n: shotNumber(action.shotId) });
    case "reject":
      return tr("toolReject", { n: shotNumber(action.shotId) });
    case "refine":
      return tr("toolRefine", { n: shotNumber(action.shotId) });
    case "render":
      if (action.mode === "final") return tr("toolRenderFinal");
      return tr(action.overlay ? "toolRenderAnimaticOverlay" : "toolRenderAnimatic");
    case "set_budget_cap":
      return tr("toolSetBudgetCap", { cap: ltrText(formatUsd(Math.round(action.capUsd * 1_000_000))) });
  }
}

/** What the action carries in the model's own words: a rejection's reason, an edit's command. */
function detailOf(tr: ChatText["tr"], action: StudioAction): { label: string; text: string } | null {
  if (action.tool === "reject") return { label: tr("toolReason"), text: action.reason };
  if (action.tool === "refine") return { label: tr("toolCommand"), text: action.command };
  return null;
}
