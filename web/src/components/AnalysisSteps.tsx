import type { AnalysisProgress } from "../analysis";
import { analysisStageLabel, t } from "../i18n";
import { ltrText } from "./Ltr";

const STEPS = ["measuring", "asking", "done"] as const;

export interface AnalysisStepsProps {
  /** The workflow's last answer to its progress query; null before the first. */
  progress: AnalysisProgress | null;
  /** The analysis failed: the step it stopped at is marked failed. */
  failed: boolean;
}

/**
 * Where a running analysis is: measuring the song, then asking the model (which may take a
 * few answers when one breaks the schema — each refusal is shown, the model is told why), then
 * done. An analysis has no share to put on a bar, so its steps are listed instead.
 */
export function AnalysisSteps({ progress, failed }: AnalysisStepsProps) {
  const answers = progress?.answers ?? 0;
  // A failed analysis reports stage "failed": it stopped asking if it had asked at all.
  const stage = progress === null || progress.stage === "failed" ? (answers > 0 ? "asking" : "measuring") : progress.stage;
  const at = STEPS.indexOf(stage as (typeof STEPS)[number]);
  const refused = progress?.refused ?? [];
  return (
    <div className="analysis-steps">
      <ol className="analysis-steps__list" aria-label={t("analysisStepsLabel")}>
        {STEPS.map((step, i) => {
          const state = i < at ? "done" : i === at ? (failed ? "failed" : "active") : "todo";
          return (
            <li
              key={step}
              className={`analysis-steps__step analysis-steps__step--${state}`}
              data-step={step}
              data-state={state}
              aria-current={i === at ? "step" : undefined}
            >
              {analysisStageLabel(step)}
              {step === "asking" && answers > 0 && (
                <span className="analysis-steps__detail"> · {t("analysisAnswer", { n: answers })}</span>
              )}
            </li>
          );
        })}
      </ol>
      {refused.length > 0 && (
        <p className="analysis-steps__refused">
          {t("analysisRefused", { count: refused.length, reason: ltrText(refused[refused.length - 1] ?? "") })}
        </p>
      )}
    </div>
  );
}
