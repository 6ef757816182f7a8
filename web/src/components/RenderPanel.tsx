import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import type { ApiClient, Shot } from "../api";
import { t } from "../i18n";
import type { RenderProgressSource } from "../realtime";
import type { RenderMode, StartedRender } from "../renders";
import type { ObjectUrls } from "../useMediaUrl";
import { useRenders } from "../useRenders";
import { RenderHistory } from "./RenderHistory";
import { RenderPlayer } from "./RenderPlayer";
import { RenderProgressBar } from "./RenderProgressBar";
import { RenderReportView, shortId } from "./RenderReport";

export interface RenderPanelProps {
  api: ApiClient;
  projectId: string;
  /** The project room's RENDER_PROGRESS events; without it the panel only polls. */
  progressSource?: RenderProgressSource;
  /** The project's shots in table order, to name shots by their row. */
  shots?: readonly Shot[];
  objectUrls?: ObjectUrls;
  /** A render the chat's render tool started: followed here like one started from the buttons. */
  adopted?: AdoptedRender | null;
  pollIntervalMs?: number;
  now?: () => number;
}

export interface AdoptedRender {
  started: StartedRender;
  mode: RenderMode;
  overlay: boolean;
}

/**
 * The project's renders under its shots table: start an animatic (the whole
 * film from stills and cards, before clips are paid for) or the final render,
 * follow it, watch it with its report beside it, and go back to any earlier
 * render to compare.
 */
export function RenderPanel({ api, projectId, progressSource, shots, objectUrls, adopted, pollIntervalMs, now }: RenderPanelProps) {
  const renders = useRenders({ api, projectId, progressSource, pollIntervalMs, now });
  const { adopt } = renders;
  // Each render the chat started is adopted once: after it ends the panel must not follow it again.
  const adoptedSeen = useRef<AdoptedRender | null>(null);
  useEffect(() => {
    if (!adopted || adopted === adoptedSeen.current) return;
    adoptedSeen.current = adopted;
    adopt(adopted.started, adopted.mode, adopted.overlay);
  }, [adopted, adopt]);
  const [overlay, setOverlay] = useState(false);
  const titleId = useId();
  const overlayId = useId();
  const hintId = useId();
  const busy = renders.starting || renders.job !== null;

  const rowOf = useMemo(() => new Map((shots ?? []).map((s, i) => [s.shotId, i + 1])), [shots]);
  const shotLabel = useCallback(
    (shotId: string) => {
      const n = rowOf.get(shotId);
      return n === undefined ? shortId(shotId) : t("shotNumber", { n });
    },
    [rowOf],
  );

  const shown = renders.shown;
  return (
    <section className="render" aria-labelledby={titleId} aria-busy={busy || undefined}>
      <div className="render__bar">
        <h3 id={titleId}>{t("renderTitle")}</h3>
        <div className="render__actions">
          <div className="render__animatic">
            <button
              type="button"
              className="btn btn--primary"
              data-action="render"
              data-mode="animatic"
              disabled={busy}
              aria-describedby={hintId}
              onClick={() => void renders.start("animatic", overlay)}
            >
              {t("renderAnimatic")}
            </button>
            <label className="check" htmlFor={overlayId} title={t("renderOverlayHint")}>
              <input
                id={overlayId}
                type="checkbox"
                checked={overlay}
                disabled={busy}
                onChange={(e) => setOverlay(e.target.checked)}
              />
              {t("renderOverlay")}
            </label>
          </div>
          <button
            type="button"
            className="btn"
            data-action="render"
            data-mode="final"
            disabled={busy}
            title={t("renderFinalHint")}
            onClick={() => void renders.start("final", false)}
          >
            {t("renderFinal")}
          </button>
        </div>
        <p id={hintId} className="render__hint muted">
          {t("renderAnimaticHint")}
        </p>
      </div>

      {renders.starting && <p className="muted">{t("renderStarting")}</p>}
      {renders.progress && renders.lastJob && (
        <RenderProgressBar progress={renders.progress} mode={renders.lastJob.mode} />
      )}
      {renders.error && (
        <div className="alert alert--error render__error" role="alert">
          <span dir="auto">{renders.error}</span>{" "}
          <button type="button" className="btn btn--link" onClick={renders.dismissError}>
            {t("dismiss")}
          </button>
        </div>
      )}

      <div className="render__body">
        <div className="render__player">
          {shown ? (
            <RenderPlayer
              key={`${shown.entry.render.renderId}:${shown.autoLoad}`}
              api={api}
              entry={shown.entry}
              autoLoad={shown.autoLoad}
              objectUrls={objectUrls}
            />
          ) : (
            renders.historyLoaded && <p className="render__empty muted">{t("noRenderShown")}</p>
          )}
        </div>
        {shown && (
          <div className="render__report">
            <RenderReportView render={shown.entry.render} shotLabel={shotLabel} />
          </div>
        )}
        <div className="render__history">
          <RenderHistory
            history={renders.history}
            loaded={renders.historyLoaded}
            error={renders.historyError}
            selected={shown?.entry.render.renderId ?? null}
            onSelect={renders.select}
            onRetry={renders.reloadHistory}
          />
        </div>
      </div>
    </section>
  );
}
