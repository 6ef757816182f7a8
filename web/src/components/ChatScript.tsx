import { useCallback, useState } from "react";
import { ApiError, type ApiClient } from "../api";
import { partLabelIn } from "../i18n";
import { formatMs } from "../shots";
import { useLoaded } from "../useLoaded";
import { flawLabel, useChatText } from "./chatText";
import { Ltr } from "./Ltr";

export interface ChatScriptProps {
  api: ApiClient;
  projectId: string;
  scriptId: string;
}

/**
 * The script version a story reply proposed, read as it stands now (accepted or not): its
 * logline, a beat per song Part, the flaws named on the way with how each was resolved, and
 * the button that makes it the project's script.
 */
export function ChatScript({ api, projectId, scriptId }: ChatScriptProps) {
  const { tr, locale, time, fullTime } = useChatText();
  const load = useCallback((signal: AbortSignal) => api.getScript(projectId, scriptId, signal), [api, projectId, scriptId]);
  const { state, replace } = useLoaded(load);
  const [accepting, setAccepting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (state.kind === "loading") return <p className="chat-script muted">{tr("scriptLoading")}</p>;
  if (state.kind === "error") {
    return (
      <p className="chat-script alert alert--error" role="alert">
        {tr("scriptError", { message: state.message })}
      </p>
    );
  }
  const script = state.value;
  const accept = async () => {
    setAccepting(true);
    setError(null);
    try {
      replace(await api.acceptScript(projectId, scriptId));
    } catch (err) {
      if (!(err instanceof ApiError && err.unauthorized)) {
        setError(tr("scriptAcceptError", { message: err instanceof ApiError ? err.message : tr("networkError") }));
      }
    } finally {
      setAccepting(false);
    }
  };

  const heading = tr("scriptVersion", { n: script.version });
  return (
    <section className="chat-script" aria-label={heading} data-script-id={script.scriptId}>
      <h5>{heading}</h5>
      <p className="chat-script__title" dir="auto">
        {script.title}
      </p>
      <p dir="auto">{script.logline}</p>
      <h6>{tr("scriptBeats")}</h6>
      <ol className="chat-script__beats">
        {script.beats.map((beat, i) => (
          <li key={i}>
            {(beat.part !== null || beat.startMs !== null) && (
              <span className="chat-script__where">
                {beat.part !== null && <span className="chat-tag">{partLabelIn(locale, beat.part)}</span>}
                {beat.startMs !== null && beat.endMs !== null && (
                  <Ltr className="muted">
                    {formatMs(beat.startMs)}–{formatMs(beat.endMs)}
                  </Ltr>
                )}
              </span>
            )}
            <span dir="auto">{beat.summary}</span>
          </li>
        ))}
      </ol>
      {script.flaws.length > 0 && (
        <>
          <h6>{tr("scriptFlaws")}</h6>
          <ul className="chat-flaws">
            {script.flaws.map((flaw, i) => (
              <li key={i}>
                <span className={`chat-tag chat-tag--${flaw.kind}`}>{flawLabel(tr, flaw.kind)}</span>
                <span dir="auto">{flaw.text}</span>
                {flaw.resolution !== null && (
                  <span className="chat-flaws__resolution" dir="auto">
                    {tr("scriptResolution", { text: flaw.resolution })}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {script.acceptedAt !== null ? (
        <p className="chat-script__accepted">
          {tr("scriptAccepted", { by: script.acceptedBy ?? "" })} ·{" "}
          <time dateTime={script.acceptedAt} title={fullTime(script.acceptedAt)}>
            {time(script.acceptedAt)}
          </time>
        </p>
      ) : (
        <button type="button" className="btn btn--approve" disabled={accepting} onClick={() => void accept()}>
          {tr("scriptAccept")}
        </button>
      )}
      {error && (
        <p className="alert alert--error" role="alert">
          <span dir="auto">{error}</span>
        </p>
      )}
    </section>
  );
}
