import { renderModeLabel, renderStageLabel, t } from "../i18n";
import { isKnownStage, isTerminalStage, overallPercent, type RenderProgress } from "../renders";
import { Ltr } from "./Ltr";
import { ProgressTrack } from "./ProgressTrack";

export interface RenderProgressBarProps {
  progress: RenderProgress;
  /** The render's mode, named above the bar. */
  mode?: string;
}

/**
 * How far the render has got: the whole render's share on one bar (it only
 * moves forward across stages), the stage in words and, within a stage that
 * counts (conforming its segments), done of total.
 */
export function RenderProgressBar({ progress, mode }: RenderProgressBarProps) {
  const percent = overallPercent(progress);
  const stage = renderStageLabel(progress.stage);
  const counts = progress.total > 0 && !isTerminalStage(progress.stage);
  const variant = isKnownStage(progress.stage) ? progress.stage : "unknown";
  return (
    <div className={`render-progress render-progress--${variant}`} data-stage={progress.stage}>
      <div className="render-progress__label">
        {mode !== undefined && (
          <span className="render-progress__mode">
            {isTerminalStage(progress.stage) ? renderModeLabel(mode) : t("renderRunning", { mode: renderModeLabel(mode) })}
          </span>
        )}
        <span className="render-progress__stage">{stage}</span>
        {counts && (
          <span className="render-progress__step">
            {t("renderStep", { done: progress.done, total: progress.total })}
          </span>
        )}
        <Ltr className="render-progress__percent">{`${percent}%`}</Ltr>
      </div>
      <ProgressTrack
        block="render-progress"
        label={t("renderProgressLabel")}
        percent={percent}
        valueText={`${stage} ${percent}%`}
      />
      {progress.error && (
        <p className="render-progress__error" dir="auto">
          {progress.error}
        </p>
      )}
    </div>
  );
}
