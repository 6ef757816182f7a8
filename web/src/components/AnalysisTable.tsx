import {
  formatTimespan,
  formatTimestamp,
  isWithin,
  momentsByPart,
  type Analysis,
  type Atmosphere,
  type Rhythm,
  type Span,
} from "../analysis";
import { partLabel, t } from "../i18n";
import { Ltr } from "./Ltr";

export interface AnalysisTableProps {
  analysis: Analysis;
  /** Play the song from `ms`; without it (no song) the times are only shown. */
  onPlay?(ms: number): void;
  /** Where the song is playing, to mark its Part and Moment; null when it is not. */
  playingMs: number | null;
}

/** `value` with `digits` decimals and a real minus sign (U+2212): −12.5. */
const fixed = (value: number, digits: number) => `${value < 0 ? "\u2212" : ""}${Math.abs(value).toFixed(digits)}`;
/** Valence is read from its sign: +0.50, −0.30. */
const signed = (value: number) => `${value > 0 ? "+" : ""}${fixed(value, 2)}`;

function Metrics({ rhythm, atmosphere }: { rhythm: Rhythm; atmosphere: Atmosphere }) {
  return (
    <>
      <td className="analysis__num">
        {rhythm.tempoBpm > 0 ? (
          <Ltr>{fixed(rhythm.tempoBpm, 1)}</Ltr>
        ) : (
          <span className="muted" title={t("noSteadyBeat")}>
            –
          </span>
        )}
      </td>
      <td className="analysis__num">
        <Ltr>{fixed(rhythm.beatStrength, 2)}</Ltr>
      </td>
      <td className="analysis__num">
        <Ltr>{fixed(rhythm.onsetDensity, 1)}</Ltr>
      </td>
      <td className="analysis__num analysis__energy">
        <span className="analysis__meter" aria-hidden="true">
          <span style={{ inlineSize: `${Math.round(Math.min(Math.max(atmosphere.energy, 0), 1) * 100)}%` }} />
        </span>
        <Ltr>{fixed(atmosphere.energy, 2)}</Ltr>
      </td>
      <td className="analysis__num">
        <Ltr>{signed(atmosphere.valence)}</Ltr>
      </td>
      <td className="analysis__num">
        <Ltr>{fixed(atmosphere.brightness, 2)}</Ltr>
      </td>
      <td className="analysis__num">
        <Ltr>{fixed(atmosphere.loudnessDb, 1)}</Ltr>
      </td>
    </>
  );
}

function PlayTime({ span, onPlay }: { span: Span; onPlay?(ms: number): void }) {
  if (!onPlay) return <Ltr className="analysis__time">{formatTimespan(span)}</Ltr>;
  const start = formatTimestamp(span.startMs);
  return (
    <button
      type="button"
      className="analysis__time"
      aria-label={t("playFrom", { time: start })}
      title={t("playFrom", { time: start })}
      onClick={() => onPlay(span.startMs)}
    >
      <Ltr>{formatTimespan(span)}</Ltr>
    </button>
  );
}

/**
 * The analysis as the director reads it: one row group per Part (its section name, span and
 * rhythm and atmosphere), its Moments under it with their words and the same measures, so a
 * Part's feel and the words cut on it can be compared down one column. Each time plays the
 * song from there.
 */
export function AnalysisTable({ analysis, onPlay, playingMs }: AnalysisTableProps) {
  const moments = momentsByPart(analysis);
  const playing = (span: Span) => playingMs !== null && isWithin(span, playingMs);
  return (
    <div className="analysis__scroll">
      <table className="analysis__table">
        <caption>{t("analysisTableCaption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("colTime")}</th>
            <th scope="col">{t("colPartWords")}</th>
            <th scope="col">{t("colTempo")}</th>
            <th scope="col" title={t("beatHint")}>
              {t("colBeat")}
            </th>
            <th scope="col">{t("colOnsets")}</th>
            <th scope="col" title={t("energyHint")}>
              {t("colEnergy")}
            </th>
            <th scope="col" title={t("valenceHint")}>
              {t("colValence")}
            </th>
            <th scope="col" title={t("brightnessHint")}>
              {t("colBrightness")}
            </th>
            <th scope="col">{t("colLoudness")}</th>
          </tr>
        </thead>
        {analysis.parts.map((part, i) => {
          const own = moments[i] ?? [];
          return (
            <tbody key={i} className="analysis__part" data-part={i}>
              <tr className="analysis__part-row" aria-current={playing(part.timestamps) || undefined}>
                <td className="analysis__when">
                  <PlayTime span={part.timestamps} onPlay={onPlay} />
                </td>
                <th scope="rowgroup" className="analysis__label" dir="auto">
                  {partLabel(part.label)}
                </th>
                <Metrics rhythm={part.rhythm} atmosphere={part.atmosphere} />
              </tr>
              {own.length === 0 ? (
                <tr className="analysis__moment">
                  <td />
                  <td className="analysis__words muted" colSpan={8}>
                    {t("noMoments")}
                  </td>
                </tr>
              ) : (
                own.map((moment) => (
                  <tr
                    key={`${moment.timestamps.startMs}:${moment.words}`}
                    className="analysis__moment"
                    data-moment-start={moment.timestamps.startMs}
                    aria-current={playing(moment.timestamps) || undefined}
                  >
                    <td className="analysis__when">
                      <PlayTime span={moment.timestamps} onPlay={onPlay} />
                    </td>
                    <td className="analysis__words" dir="auto">
                      {moment.words}
                    </td>
                    <Metrics rhythm={moment.rhythm} atmosphere={moment.atmosphere} />
                  </tr>
                ))
              )}
            </tbody>
          );
        })}
      </table>
    </div>
  );
}
