import { useId } from "react";
import { renderModeLabel, t } from "../i18n";
import { formatShare, type RenderEntry } from "../renders";
import { Ltr } from "./Ltr";
import { formatUpdatedAt } from "./ShotsTable";

export interface RenderHistoryProps {
  history: readonly RenderEntry[];
  loaded: boolean;
  error: string | null;
  /** The render in the player. */
  selected: string | null;
  onSelect(renderId: string): void;
  onRetry(): void;
}

/**
 * The project's finished renders, newest first: choosing one puts it in the
 * player and the report, so an older animatic can be replayed and compared.
 */
export function RenderHistory({ history, loaded, error, selected, onSelect, onRetry }: RenderHistoryProps) {
  const titleId = useId();
  return (
    <section className="render-history" aria-labelledby={titleId}>
      <h4 id={titleId}>{t("historyTitle")}</h4>
      {!loaded && <p className="muted">{t("historyLoading")}</p>}
      {error !== null && (
        <div className="alert alert--error" role="alert">
          {error}{" "}
          <button type="button" className="btn btn--link" onClick={onRetry}>
            {t("retry")}
          </button>
        </div>
      )}
      {loaded && error === null && history.length === 0 && <p className="muted">{t("historyEmpty")}</p>}
      {history.length > 0 && (
        <ul className="render-history__list">
          {history.map(({ render }) => {
            const current = render.renderId === selected;
            return (
              <li key={render.renderId}>
                <button
                  type="button"
                  className="render-history__item"
                  aria-pressed={current}
                  data-render-id={render.renderId}
                  onClick={() => onSelect(render.renderId)}
                >
                  <span className={`badge badge--mode-${render.mode === "animatic" ? "animatic" : "final"}`}>
                    {renderModeLabel(render.mode)}
                  </span>
                  {render.overlay && <span className="badge badge--overlay">{t("badgeOverlay")}</span>}
                  <time className="render-history__time" dateTime={render.createdAt}>
                    {formatUpdatedAt(render.createdAt)}
                  </time>
                  {render.report && (
                    <span className="render-history__coverage">
                      {t("historyCoverage")} <Ltr>{formatShare(render.report.coverage.share)}</Ltr>
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
