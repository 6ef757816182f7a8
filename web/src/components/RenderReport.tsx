import { useId, type ReactNode } from "react";
import { renderModeLabel, t } from "../i18n";
import {
  formatSeconds,
  formatShare,
  formatSongTime,
  formatSpan,
  formatUsd,
  type Render,
  type RenderReport,
} from "../renders";
import { Ltr, ltrText } from "./Ltr";
import { formatUpdatedAt } from "./ShotsTable";

export interface RenderReportViewProps {
  render: Render;
  /** How a shot id is named to the director (its row in the shots table); a short id otherwise. */
  shotLabel?(shotId: string): string;
}

export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}

/**
 * What the render shows of the song, to judge the cut as a whole before the
 * missing clips are paid for: the figures that decide that first (coverage,
 * uncovered lyrics, cuts on the beat, the cost still to come), then the
 * detail behind each.
 */
export function RenderReportView({ render, shotLabel = shortId }: RenderReportViewProps) {
  const titleId = useId();
  const { report } = render;
  return (
    <aside className="report" aria-labelledby={titleId} data-render-id={render.renderId}>
      <header className="report__head">
        <h4 id={titleId}>{t("reportTitle")}</h4>
        <div className="report__badges">
          <span
            className={`badge badge--mode-${render.mode === "animatic" ? "animatic" : "final"}`}
            data-badge="mode"
          >
            {renderModeLabel(render.mode)}
          </span>
          <span className={`badge ${render.overlay ? "badge--overlay" : "badge--clean"}`} data-badge="overlay">
            {render.overlay ? t("badgeOverlay") : t("badgeClean")}
          </span>
        </div>
        <p className="report__meta muted">
          {render.createdAt && <time dateTime={render.createdAt}>{formatUpdatedAt(render.createdAt)}</time>}
          {render.createdAt && render.width > 0 && " · "}
          {render.width > 0 &&
            t("reportFormat", { size: ltrText(`${render.width}×${render.height}`), fps: ltrText(render.fps) })}
        </p>
      </header>
      {report === null ? <p className="muted">{t("noReport")}</p> : <ReportBody report={report} shotLabel={shotLabel} />}
    </aside>
  );
}

function ReportBody({ report, shotLabel }: { report: RenderReport; shotLabel(shotId: string): string }) {
  const { coverage, cuts, cost, segments } = report;
  const overCap = cost.withinCap === false;
  return (
    <>
      <dl className="report__kpis">
        <Kpi name="coverage" label={t("coverageTitle")} warn={coverage.gaps.length > 0}>
          <Ltr>{formatShare(coverage.share)}</Ltr>
        </Kpi>
        <Kpi name="uncovered-lyrics" label={t("uncoveredLyricsLabel")} warn={report.uncoveredLyrics > 0}>
          <Ltr>{report.uncoveredLyrics}</Ltr>
        </Kpi>
        <Kpi name="cuts" label={t("kpiCuts")} muted={cuts.share === null}>
          {cuts.share !== null ? <Ltr>{formatShare(cuts.share)}</Ltr> : cuts.noGrid !== null ? t("noGrid") : t("noCuts")}
        </Kpi>
        <Kpi name="estimate" label={t("kpiEstimate")} warn={overCap}>
          {cost.estimateUsdMicros === null ? t("costNoEstimate") : <Ltr>{formatUsd(cost.estimateUsdMicros)}</Ltr>}
        </Kpi>
      </dl>

      <Section title={t("coverageTitle")}>
        <p>
          {t("coverageOf", { covered: ltrText(formatSongTime(coverage.coveredMs)), song: ltrText(formatSongTime(report.songMs)) })}
        </p>
        <h6>
          {t("gapsTitle")} <Count n={coverage.gaps.length} />
        </h6>
        {coverage.gaps.length === 0 ? (
          <p className="muted">{t("noGaps")}</p>
        ) : (
          <ul className="report__list" data-list="gaps">
            {coverage.gaps.map((g) => (
              <li key={`${g.startMs}-${g.endMs}`}>
                <Ltr className="report__time">{formatSpan(g)}</Ltr>{" "}
                <span className="muted">
                  ({t("secondsShort", { seconds: ltrText(formatSeconds(g.endMs - g.startMs)) })})
                </span>
              </li>
            ))}
          </ul>
        )}
        <h6>
          {t("overlapsTitle")} <Count n={coverage.overlaps.length} />
        </h6>
        {coverage.overlaps.length === 0 ? (
          <p className="muted">{t("noOverlaps")}</p>
        ) : (
          <ul className="report__list" data-list="overlaps">
            {coverage.overlaps.map((o) => (
              <li key={`${o.first}-${o.second}-${o.startMs}`}>
                <Ltr className="report__time">{formatSpan(o)}</Ltr>{" "}
                {t("overlapShots", { first: shotLabel(o.first), second: shotLabel(o.second) })}
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section title={t("cutsTitle")}>
        {cuts.share === null && cuts.noGrid === null ? (
          <p className="muted">{t("noCuts")}</p>
        ) : cuts.share === null ? (
          <p>
            <strong>{t("noGrid")}</strong>
            {cuts.noGrid && (
              <>
                {" — "}
                <span dir="auto" className="report__reason">
                  {cuts.noGrid}
                </span>
              </>
            )}
          </p>
        ) : (
          <p>
            {t("cutsOnBeat", { onBeat: cuts.onBeat, cuts: cuts.cuts })}{" "}
            (<Ltr>{formatShare(cuts.share)}</Ltr>)
          </p>
        )}
        {cuts.offBeat.length > 0 && (
          <>
            <h6>
              {t("offBeatTitle")} <Count n={cuts.offBeat.length} />
            </h6>
            <ul className="report__list report__list--scroll" data-list="off-beat">
              {cuts.offBeat.map((c) => (
                <li key={c.frame}>
                  <Ltr className="report__time">{formatSongTime(c.atMs)}</Ltr>{" "}
                  <span className="muted">{t("offBeatNearest", { time: ltrText(formatSongTime(c.nearestMs)) })}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </Section>

      <Section
        title={t("lyricsTitle")}
        aside={
          report.lyrics.length > 0 && (
            <span className={`pill ${report.uncoveredLyrics > 0 ? "pill--warn" : "pill--ok"}`} data-uncovered={report.uncoveredLyrics}>
              {report.uncoveredLyrics > 0 ? (
                <>
                  <Ltr className="pill__number">{report.uncoveredLyrics}</Ltr> {t("uncoveredLyricsLabel")}
                </>
              ) : (
                t("allLyricsCovered")
              )}
            </span>
          )
        }
      >
        {report.lyrics.length === 0 ? (
          <p className="muted">{t("noLyrics")}</p>
        ) : (
          <ol className="report__lyrics" data-list="lyrics">
            {report.lyrics.map((l) => (
              <li
                key={`${l.startMs}-${l.endMs}-${l.words}`}
                className={l.covered ? "lyric" : "lyric lyric--uncovered"}
                data-covered={l.covered}
              >
                <Ltr className="report__time lyric__time">{formatSpan(l)}</Ltr>
                <span className="lyric__words" dir="auto">
                  {l.words}
                </span>
                <span className="lyric__shots muted">
                  {l.shots.length === 0 ? t("lyricNoShot") : l.shots.map(shotLabel).join(", ")}
                </span>
                {!l.covered && (
                  <span className="lyric__flag">{t("lyricUncovered", { seconds: formatSeconds(l.uncoveredMs) })}</span>
                )}
              </li>
            ))}
          </ol>
        )}
      </Section>

      <Section title={t("scenesTitle")}>
        {report.scenes.length === 0 ? (
          <p className="muted">{t("noScenes")}</p>
        ) : (
          <table className="report__table" data-list="scenes">
            <thead>
              <tr>
                <th scope="col">{t("colScene")}</th>
                <th scope="col">{t("colSeed")}</th>
                <th scope="col">{t("colShots")}</th>
              </tr>
            </thead>
            <tbody>
              {report.scenes.map((s) => (
                <tr key={s.sceneId || s.number}>
                  <td>
                    <Ltr>{s.number}</Ltr>
                  </td>
                  <td>
                    <Ltr className="mono">{s.seed}</Ltr>
                  </td>
                  <td>
                    <Ltr>{s.shots}</Ltr>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {report.shotsWithoutScene > 0 && <p className="muted">{t("shotsWithoutScene", { count: report.shotsWithoutScene })}</p>}
      </Section>

      <Section title={t("segmentsTitle")}>
        <dl className="report__counts" data-list="segments">
          <Counted label={t("segClips")} n={segments.clips.length} />
          <Counted label={t("segStills")} n={segments.stills.length} />
          <Counted label={t("segTitleCards")} n={segments.titleCards.length} />
          <Counted label={t("segHidden")} n={segments.hidden.length} />
          <Counted label={t("segGapCards")} n={segments.gapCards} />
        </dl>
        {segments.unreadable.length > 0 && (
          <>
            <h6 className="report__warn-title">
              {t("unreadableTitle")} <Count n={segments.unreadable.length} />
            </h6>
            <ul className="report__list" data-list="unreadable">
              {segments.unreadable.map((u) => (
                <li key={u.shotId}>
                  <strong>{shotLabel(u.shotId)}</strong>
                  {": "}
                  <span dir="auto" className="report__reason">
                    {u.why}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
        <h6>{t("clipsPerModelTitle")}</h6>
        {report.clipsPerModel.length === 0 ? (
          <p className="muted">{t("noClips")}</p>
        ) : (
          <ul className="report__models" data-list="models">
            {report.clipsPerModel.map(([model, n]) => (
              <li key={model} className="report__model">
                <Ltr className="mono report__model-name">{model}</Ltr>
                <Ltr className="report__model-count">{n}</Ltr>
              </li>
            ))}
          </ul>
        )}
      </Section>

      <Section
        title={t("costTitle")}
        aside={
          cost.withinCap !== null && (
            <span className={`pill ${cost.withinCap ? "pill--ok" : "pill--error"}`} data-within-cap={cost.withinCap}>
              {cost.withinCap ? t("withinCap") : t("overCap")}
            </span>
          )
        }
      >
        <dl className="report__money" data-list="cost">
          <Money label={t("costSpent")} micros={cost.spentUsdMicros} />
          <Money label={t("costReserved")} micros={cost.reservedUsdMicros} />
          <Money label={t("costCap")} micros={cost.capUsdMicros} />
          <div className={overCap ? "report__estimate report__estimate--over" : "report__estimate"}>
            <dt>{t("costEstimate", { clips: cost.clipsToMake, seconds: cost.clipSecsToMake })}</dt>
            <dd>
              {cost.estimateUsdMicros === null ? (
                <span className="muted">{t("costNoEstimate")}</span>
              ) : (
                <Ltr>{formatUsd(cost.estimateUsdMicros)}</Ltr>
              )}
            </dd>
          </div>
          {cost.videoModel && (
            <div className="report__wide">
              <dt>{t("costModel")}</dt>
              <dd>
                <Ltr className="mono report__model-name">{cost.videoModel}</Ltr>
              </dd>
            </div>
          )}
        </dl>
        {cost.note && (
          <p className="report__note" dir="auto">
            {cost.note}
          </p>
        )}
      </Section>
    </>
  );
}

function Section({ title, aside, children }: { title: string; aside?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <section className="report__section" aria-labelledby={id}>
      <div className="report__section-head">
        <h5 id={id}>{title}</h5>
        {aside}
      </div>
      {children}
    </section>
  );
}

function Kpi({
  name,
  label,
  warn = false,
  muted = false,
  children,
}: {
  name: string;
  label: string;
  warn?: boolean;
  muted?: boolean;
  children: ReactNode;
}) {
  const cls = ["kpi", warn ? "kpi--warn" : "", muted ? "kpi--muted" : ""].filter(Boolean).join(" ");
  return (
    <div className={cls} data-kpi={name}>
      <dt className="kpi__label">{label}</dt>
      <dd className="kpi__value">{children}</dd>
    </div>
  );
}

function Count({ n }: { n: number }) {
  return <Ltr className="count">{`(${n})`}</Ltr>;
}

function Counted({ label, n }: { label: string; n: number }) {
  return (
    <div className={n === 0 ? "report__count report__count--zero" : "report__count"}>
      <dt>{label}</dt>
      <dd>
        <Ltr>{n}</Ltr>
      </dd>
    </div>
  );
}

function Money({ label, micros }: { label: string; micros: number }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        <Ltr>{formatUsd(micros)}</Ltr>
      </dd>
    </div>
  );
}
