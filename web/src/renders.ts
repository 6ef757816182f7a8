// Renders (animatic and final film) as the UI sees them: the gateway's JSON
// read into typed records, how far a running render has got, and the number
// formats of the render report (song times as m:ss.s, money from
// micro-dollars, shares as percentages).
//
// Everything here is pure; the parsers are lenient about what a report leaves
// out (older renders have fewer fields) but reject a record without its ids,
// so a malformed answer is an error rather than an empty report.
import { isRecord, num, str } from "./json";

export type RenderMode = "animatic" | "final";

/** The stages of a render, in order; `failed` ends it early. */
export const RENDER_STAGES = ["planning", "conforming", "joining", "muxing", "done", "failed"] as const;
export type KnownRenderStage = (typeof RENDER_STAGES)[number];

/** How far a render has got: `done` of `total` in `stage` (segments while conforming). */
export interface RenderProgress {
  /** One of RENDER_STAGES, or a stage this UI does not know (shown raw). */
  stage: string;
  done: number;
  total: number;
  error?: string;
}

/** Payload of the Socket.IO `RENDER_PROGRESS` event. */
export interface RenderProgressEvent extends RenderProgress {
  projectId: string;
  renderId: string;
}

export interface Span {
  startMs: number;
  endMs: number;
}

export interface Overlap extends Span {
  first: string;
  second: string;
}

export interface OffBeat {
  frame: number;
  atMs: number;
  nearestMs: number;
}

export interface CutSync {
  cuts: number;
  onBeat: number;
  /** onBeat of cuts, 0–1; null without cuts or without a beat grid. */
  share: number | null;
  /** Why there is no share (e.g. the song has no analysis). */
  noGrid: string | null;
  offBeat: OffBeat[];
}

export interface LyricCover extends Span {
  words: string;
  shots: string[];
  uncoveredMs: number;
  covered: boolean;
}

export interface SceneUse {
  sceneId: string;
  /** 1-based. */
  number: number;
  seed: number;
  shots: number;
}

export interface Unreadable {
  shotId: string;
  why: string;
}

export interface Segments {
  clips: string[];
  stills: string[];
  titleCards: string[];
  unreadable: Unreadable[];
  hidden: string[];
  gapCards: number;
}

export interface CostSoFar {
  spentUsdMicros: number;
  reservedUsdMicros: number;
  capUsdMicros: number;
  videoModel: string;
  clipsToMake: number;
  clipSecsToMake: number;
  estimateUsdMicros: number | null;
  /** null when there is no budget to compare with. */
  withinCap: boolean | null;
  note: string | null;
}

export interface RenderReport {
  songMs: number;
  fps: number;
  coverage: { coveredMs: number; share: number; gaps: Span[]; overlaps: Overlap[] };
  cuts: CutSync;
  lyrics: LyricCover[];
  uncoveredLyrics: number;
  scenes: SceneUse[];
  shotsWithoutScene: number;
  segments: Segments;
  /** Model name -> clips it made, in the server's (sorted) order. */
  clipsPerModel: [string, number][];
  cost: CostSoFar;
}

export interface Render {
  renderId: string;
  projectId: string;
  mode: string;
  /** Whether the review overlay is burned into the picture. */
  overlay: boolean;
  fps: number;
  width: number;
  height: number;
  createdAt: string;
  /** Absent from renders made before reports. */
  report: RenderReport | null;
}

/** A finished render and where its video is served. */
export interface RenderEntry {
  render: Render;
  /** `/api/media/…`; null when the render has no media. */
  mediaUrl: string | null;
}

/** `GET /api/renders/{renderId}`. */
export type RenderStatus =
  | { status: "running"; renderId: string; progress: RenderProgress }
  | ({ status: "completed"; renderId: string } & RenderEntry)
  | { status: "failed"; renderId: string; error: string };

/** `POST /api/projects/{projectId}/renders` (202). */
export interface StartedRender {
  renderId: string;
  workflowId: string;
  mode: string;
}

// ---------------------------------------------------------------- parsing

function count(value: unknown): number {
  return num(value) ?? 0;
}

function list<T>(value: unknown, parse: (item: unknown) => T | null): T[] {
  if (!Array.isArray(value)) return [];
  const out: T[] = [];
  for (const item of value) {
    const parsed = parse(item);
    if (parsed !== null) out.push(parsed);
  }
  return out;
}

function ids(value: unknown): string[] {
  return list(value, str);
}

function span(value: unknown): Span | null {
  if (!isRecord(value)) return null;
  const startMs = num(value.startMs);
  const endMs = num(value.endMs);
  return startMs === null || endMs === null ? null : { startMs, endMs };
}

export function parseRenderProgress(value: unknown): RenderProgress | null {
  if (!isRecord(value)) return null;
  const stage = str(value.stage);
  if (stage === null) return null;
  const progress: RenderProgress = { stage, done: count(value.done), total: count(value.total) };
  const error = str(value.error);
  if (error !== null && error !== "") progress.error = error;
  return progress;
}

/** Validates an incoming RENDER_PROGRESS payload; null when malformed. */
export function parseRenderProgressEvent(value: unknown): RenderProgressEvent | null {
  if (!isRecord(value)) return null;
  const projectId = str(value.projectId);
  const renderId = str(value.renderId);
  const progress = parseRenderProgress(value);
  if (projectId === null || renderId === null || progress === null) return null;
  return { projectId, renderId, ...progress };
}

export function parseReport(value: unknown): RenderReport | null {
  if (!isRecord(value)) return null;
  const coverage = isRecord(value.coverage) ? value.coverage : {};
  const cuts = isRecord(value.cuts) ? value.cuts : {};
  const segments = isRecord(value.segments) ? value.segments : {};
  const cost = isRecord(value.cost) ? value.cost : {};
  const perModel = isRecord(value.clipsPerModel) ? value.clipsPerModel : {};
  const lyrics = list(value.lyrics, (item): LyricCover | null => {
    if (!isRecord(item)) return null;
    const words = str(item.words);
    const at = span(item.timestamps);
    if (words === null || at === null) return null;
    return {
      words,
      ...at,
      shots: ids(item.shots),
      uncoveredMs: count(item.uncoveredMs),
      covered: item.covered !== false,
    };
  });
  return {
    songMs: count(value.songMs),
    fps: count(value.fps),
    coverage: {
      coveredMs: count(coverage.coveredMs),
      share: count(coverage.share),
      gaps: list(coverage.gaps, span),
      overlaps: list(coverage.overlaps, (item): Overlap | null => {
        const at = span(item);
        if (!isRecord(item) || at === null) return null;
        return { ...at, first: str(item.first) ?? "", second: str(item.second) ?? "" };
      }),
    },
    cuts: {
      cuts: count(cuts.cuts),
      onBeat: count(cuts.onBeat),
      share: num(cuts.share),
      noGrid: str(cuts.noGrid),
      offBeat: list(cuts.offBeat, (item): OffBeat | null => {
        if (!isRecord(item)) return null;
        const atMs = num(item.atMs);
        return atMs === null ? null : { frame: count(item.frame), atMs, nearestMs: count(item.nearestMs) };
      }),
    },
    lyrics,
    uncoveredLyrics: num(value.uncoveredLyrics) ?? lyrics.filter((l) => !l.covered).length,
    scenes: list(value.scenes, (item): SceneUse | null => {
      if (!isRecord(item)) return null;
      const number = num(item.number);
      if (number === null) return null;
      return { sceneId: str(item.sceneId) ?? "", number, seed: count(item.seed), shots: count(item.shots) };
    }),
    shotsWithoutScene: count(value.shotsWithoutScene),
    segments: {
      clips: ids(segments.clips),
      stills: ids(segments.stills),
      titleCards: ids(segments.titleCards),
      unreadable: list(segments.unreadable, (item): Unreadable | null => {
        if (!isRecord(item)) return null;
        const shotId = str(item.shotId);
        return shotId === null ? null : { shotId, why: str(item.why) ?? "" };
      }),
      hidden: ids(segments.hidden),
      gapCards: count(segments.gapCards),
    },
    clipsPerModel: Object.entries(perModel).flatMap(([model, n]): [string, number][] =>
      num(n) === null ? [] : [[model, n as number]],
    ),
    cost: {
      spentUsdMicros: count(cost.spentUsdMicros),
      reservedUsdMicros: count(cost.reservedUsdMicros),
      capUsdMicros: count(cost.capUsdMicros),
      videoModel: str(cost.videoModel) ?? "",
      clipsToMake: count(cost.clipsToMake),
      clipSecsToMake: count(cost.clipSecsToMake),
      estimateUsdMicros: num(cost.estimateUsdMicros),
      withinCap: typeof cost.withinCap === "boolean" ? cost.withinCap : null,
      note: str(cost.note),
    },
  };
}

/** A Render record from JSON, or null without its ids. */
export function parseRender(value: unknown): Render | null {
  if (!isRecord(value)) return null;
  const renderId = str(value.renderId);
  if (renderId === null) return null;
  return {
    renderId,
    projectId: str(value.projectId) ?? "",
    mode: str(value.mode) ?? "final",
    overlay: value.overlay === true,
    fps: count(value.fps),
    width: count(value.width),
    height: count(value.height),
    createdAt: str(value.createdAt) ?? "",
    report: parseReport(value.report),
  };
}

/**
 * An entry of the render history: the Render record's fields with
 * `mediaUrl` beside them. Also accepts `{render, mediaUrl}`.
 */
export function parseRenderEntry(value: unknown): RenderEntry | null {
  if (!isRecord(value)) return null;
  const render = parseRender(isRecord(value.render) ? value.render : value);
  if (render === null) return null;
  return { render, mediaUrl: str(value.mediaUrl) };
}

export function parseRenderStatus(value: unknown): RenderStatus | null {
  if (!isRecord(value)) return null;
  const renderId = str(value.renderId) ?? "";
  switch (value.status) {
    case "running": {
      const progress = parseRenderProgress(value.progress) ?? { stage: "planning", done: 0, total: 0 };
      return { status: "running", renderId, progress };
    }
    case "completed": {
      const render = parseRender(value.render);
      if (render === null) return null;
      return { status: "completed", renderId: renderId || render.renderId, render, mediaUrl: str(value.mediaUrl) };
    }
    case "failed":
      return { status: "failed", renderId, error: str(value.error) ?? "" };
    default:
      return null;
  }
}

export function parseStartedRender(value: unknown): StartedRender | null {
  if (!isRecord(value)) return null;
  const renderId = str(value.renderId);
  if (renderId === null) return null;
  return { renderId, workflowId: str(value.workflowId) ?? "", mode: str(value.mode) ?? "" };
}

// ---------------------------------------------------------------- progress

export function isKnownStage(stage: string): stage is KnownRenderStage {
  return (RENDER_STAGES as readonly string[]).includes(stage);
}

export function isTerminalStage(stage: string): boolean {
  return stage === "done" || stage === "failed";
}

/** Where each stage starts and ends on the bar, in percent. */
const STAGE_SPANS: Record<KnownRenderStage, [number, number]> = {
  planning: [0, 5],
  conforming: [5, 85],
  joining: [85, 92],
  muxing: [92, 99],
  done: [100, 100],
  failed: [0, 0],
};

/**
 * The whole render's progress, 0–100: each stage fills its share of the bar
 * (conforming, which makes every segment, the most) so the bar only moves
 * forward from stage to stage instead of restarting at each.
 */
export function overallPercent(progress: RenderProgress): number {
  if (!isKnownStage(progress.stage) || progress.stage === "failed") return 0;
  const [from, to] = STAGE_SPANS[progress.stage];
  const part = progress.total > 0 ? Math.min(1, Math.max(0, progress.done / progress.total)) : 0;
  return Math.round(from + (to - from) * part);
}

function rank(stage: string): number {
  return isKnownStage(stage) ? RENDER_STAGES.indexOf(stage) : -1;
}

/**
 * The progress to show when `next` arrives (an event or a poll, either may be
 * late): it replaces `current` unless it is behind it. A terminal stage is
 * never left.
 */
export function mergeProgress(current: RenderProgress | null, next: RenderProgress): RenderProgress {
  if (current === null) return next;
  if (isTerminalStage(current.stage)) return current;
  if (isTerminalStage(next.stage)) return next;
  const a = rank(current.stage);
  const b = rank(next.stage);
  if (b > a) return next;
  if (b < a) return current;
  return next.done >= current.done ? next : current;
}

// ---------------------------------------------------------------- formats

/** Song time as `m:ss.s` (tenths, rounded; minutes keep counting). */
export function formatSongTime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-:--.-";
  const tenths = Math.round(ms / 100);
  const minutes = Math.floor(tenths / 600);
  const rest = tenths % 600;
  const seconds = Math.floor(rest / 10);
  return `${minutes}:${String(seconds).padStart(2, "0")}.${rest % 10}`;
}

export function formatSpan(s: Span): string {
  return `${formatSongTime(s.startMs)}–${formatSongTime(s.endMs)}`;
}

/** Seconds with one decimal, e.g. 1600 -> "1.6". */
export function formatSeconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toFixed(1);
}

const usd = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Micro-dollars as dollars and cents: 896_000 -> "$0.90". */
export function formatUsd(micros: number): string {
  const dollars = micros / 1_000_000;
  const text = usd.format(Math.abs(dollars));
  return dollars < 0 ? `-$${text}` : `$${text}`;
}

/** A 0–1 share as a percentage with at most one decimal: 0.85 -> "85%". */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return "–";
  return `${Number((share * 100).toFixed(1))}%`;
}
