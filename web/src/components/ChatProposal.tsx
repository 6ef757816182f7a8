import { useState } from "react";
import { ApiError } from "../api";
import type { Applied, Proposal } from "../chat";
import { useChatText } from "./chatText";

export interface ChatProposalProps {
  proposal: Proposal;
  /** Set once the proposal was applied (the message's next revision). */
  applied: Applied | null;
  onApply(): Promise<{ alreadyApplied: boolean }>;
}

/**
 * A QA reply's proposed fix for the still awaiting approval — one edit command, or a corrected
 * prompt with its summary — in Hebrew beside it when translated, and the button that refines
 * the still with it. The server's refusal (the shot no longer awaits approval) is shown as it
 * came: it names the shot's status.
 */
export function ChatProposal({ proposal, applied, onApply }: ChatProposalProps) {
  const { tr, time, fullTime } = useChatText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** The server's answer: whether someone had applied it before (then nothing was paid again). */
  const [answer, setAnswer] = useState<{ alreadyApplied: boolean } | null>(null);

  const apply = async () => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(await onApply());
    } catch (err) {
      if (!(err instanceof ApiError && err.unauthorized)) {
        setError(tr("proposalApplyError", { message: err instanceof ApiError ? err.message : tr("networkError") }));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="chat-proposal" aria-label={tr("proposalTitle")} data-kind={proposal.kind}>
      <h5>
        {tr("proposalTitle")} · {tr(proposal.kind === "edit" ? "proposalEdit" : "proposalPrompt")}
      </h5>
      <p className="chat-proposal__words" dir="auto">
        {proposal.kind === "edit" ? proposal.command : proposal.summary}
      </p>
      {proposal.kind === "prompt" && (
        <details className="chat-proposal__prompt">
          <summary>{tr("proposalPrompt")}</summary>
          <pre className="mono" dir="ltr">
            {JSON.stringify(proposal.prompt, null, 2)}
          </pre>
        </details>
      )}
      {proposal.hebrew !== null && (
        <div className="chat-proposal__hebrew">
          <h6>{tr("proposalHebrew")}</h6>
          <p dir="rtl" lang="he">
            {proposal.hebrew}
          </p>
        </div>
      )}
      {applied ? (
        <p className="chat-proposal__applied">
          {tr("proposalApplied", { by: applied.by })} ·{" "}
          <time dateTime={applied.at} title={fullTime(applied.at)}>
            {time(applied.at)}
          </time>
        </p>
      ) : (
        <button type="button" className="btn btn--primary" disabled={busy || answer !== null} onClick={() => void apply()}>
          {tr("proposalApply")}
        </button>
      )}
      {answer?.alreadyApplied && <p className="muted">{tr("proposalAlready")}</p>}
      {error && (
        <p className="alert alert--error" role="alert">
          <span dir="auto">{error}</span>
        </p>
      )}
    </section>
  );
}
