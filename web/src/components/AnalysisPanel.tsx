import { useCallback, useEffect, useId, useRef, useState } from "react";
import { formatTimestamp } from "../analysis";
import type { ApiClient } from "../api";
import { t } from "../i18n";
import { useAnalysis } from "../useAnalysis";
import type { ObjectUrls } from "../useMediaUrl";
import { AnalysisSteps } from "./AnalysisSteps";
import { AnalysisTable } from "./AnalysisTable";
import { Ltr } from "./Ltr";
import { formatUpdatedAt } from "./ShotsTable";
import { SongPlayer, type Seek } from "./SongPlayer";

export interface AnalysisPanelProps {
  api: ApiClient;
  projectId: string;
  /** The project's `/api/media/…` song; without it nothing can be played. */
  songUrl: string | null;
  /** Start an analysis once shown: the project was just made with "analyse" ticked. */
  autoStart?: boolean;
  /** Called when the automatic start is made, so it is made once. */
  onAutoStarted?(): void;
  objectUrls?: ObjectUrls;
  pollIntervalMs?: number;
}

/**
 * The project's song analysis, the first step of a project: its Parts and Moments in a table
 * with the song beside it (each time plays from there), a start button and an explanation
 * while there is none, and the steps of one running.
 */
export function AnalysisPanel({
  api,
  projectId,
  songUrl,
  autoStart = false,
  onAutoStarted,
  objectUrls,
  pollIntervalMs,
}: AnalysisPanelProps) {
  const { latest, run, busy, start, reload, dismissFailure } = useAnalysis({ api, projectId, pollIntervalMs });
  const [seek, setSeek] = useState<Seek | null>(null);
  const [playingMs, setPlayingMs] = useState<number | null>(null);
  const titleId = useId();

  // Once per panel, even when React runs effects twice in development.
  const autoStarted = useRef(false);
  useEffect(() => {
    if (!autoStart || autoStarted.current) return;
    autoStarted.current = true;
    onAutoStarted?.();
    void start();
  }, [autoStart, onAutoStarted, start]);

  const play = useCallback((ms: number) => setSeek((s) => ({ ms, n: (s?.n ?? 0) + 1 })), []);
  const analysis = latest.kind === "ready" ? latest.analysis : null;

  return (
    <section className="analysis" aria-labelledby={titleId} aria-busy={busy || undefined}>
      <div className="analysis__bar">
        <h3 id={titleId}>{t("analysisTitle")}</h3>
        {analysis && (
          <button type="button" className="btn" disabled={busy} onClick={() => void start()}>
            {t("analysisAgain")}
          </button>
        )}
      </div>

      {run?.kind === "starting" && <p className="muted">{t("analysisStarting")}</p>}
      {run?.kind === "running" && <AnalysisSteps progress={run.progress} failed={false} />}
      {run?.kind === "failed" && (
        <>
          {run.progress && <AnalysisSteps progress={run.progress} failed />}
          <div className="alert alert--error" role="alert">
            <span className="analysis__error">{run.message}</span>{" "}
            <button type="button" className="btn btn--link" onClick={dismissFailure}>
              {t("dismiss")}
            </button>
          </div>
        </>
      )}

      {latest.kind === "loading" && <p className="muted">{t("analysisLoading")}</p>}
      {latest.kind === "error" && (
        <div className="alert alert--error" role="alert">
          {latest.message}{" "}
          <button type="button" className="btn btn--link" onClick={reload}>
            {t("retry")}
          </button>
        </div>
      )}
      {latest.kind === "none" && !busy && (
        <div className="analysis__empty">
          <p>{t("analysisNone")}</p>
          <button type="button" className="btn btn--primary" onClick={() => void start()}>
            {t("analysisStart")}
          </button>
        </div>
      )}

      {analysis && (
        <>
          <div className="analysis__head">
            <dl className="analysis__facts">
              <div>
                <dt>{t("analysisParts")}</dt>
                <dd>{analysis.parts.length}</dd>
              </div>
              <div>
                <dt>{t("analysisMoments")}</dt>
                <dd>{analysis.moments.length}</dd>
              </div>
              <div>
                <dt>{t("analysisDuration")}</dt>
                <dd>
                  <Ltr>{formatTimestamp(analysis.durationMs)}</Ltr>
                </dd>
              </div>
              {analysis.createdAt && (
                <div>
                  <dt>{t("analysisMade")}</dt>
                  <dd>
                    <time dateTime={analysis.createdAt}>{formatUpdatedAt(analysis.createdAt)}</time>
                  </dd>
                </div>
              )}
            </dl>
            {songUrl && (
              <div className="analysis__player">
                <SongPlayer api={api} songUrl={songUrl} seek={seek} onTime={setPlayingMs} objectUrls={objectUrls} />
              </div>
            )}
          </div>
          <AnalysisTable analysis={analysis} onPlay={songUrl ? play : undefined} playingMs={playingMs} />
        </>
      )}
    </section>
  );
}
