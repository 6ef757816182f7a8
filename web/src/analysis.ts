// The song analysis as the gateway serialises core's `Analysis` (core/src/analysis.rs): macro
// Parts with their span, rhythm and atmosphere, and the two-or-three-word Moments sung in them.
// Read here from untrusted JSON once, so the table only ever sees whole, typed records, and
// the state of a running analysis (workflows/src/analysis.rs `AnalysisStatus`) the same way.

import { arrayOf, isRecord, num, str } from "./json";

export interface Span {
  startMs: number;
  endMs: number;
}

export interface Rhythm {
  /** 0 when the span has no steady beat. */
  tempoBpm: number;
  /** 0–1. */
  beatStrength: number;
  /** Onsets per second. */
  onsetDensity: number;
}

export interface Atmosphere {
  /** 0 calm – 1 intense. */
  energy: number;
  /** −1 sad – 1 joyful. */
  valence: number;
  /** 0 dark – 1 bright. */
  brightness: number;
  /** dBFS, ≤ 0. */
  loudnessDb: number;
}

export interface Part {
  label: string;
  timestamps: Span;
  rhythm: Rhythm;
  atmosphere: Atmosphere;
}

export interface Moment {
  timestamps: Span;
  words: string;
  /** Index of its Part in `parts`. */
  part: number;
  rhythm: Rhythm;
  atmosphere: Atmosphere;
}

export interface Analysis {
  analysisId: string;
  projectId: string;
  durationMs: number;
  parts: Part[];
  moments: Moment[];
  createdAt: string;
}

/** What the workflow's `progress` query answers. */
export interface AnalysisProgress {
  /** "measuring", "asking", "done" or "failed". */
  stage: string;
  /** Answers asked of the model so far. */
  answers: number;
  /** Why earlier answers were refused, oldest first. */
  refused: string[];
}

/** `GET /api/projects/{id}/analyses/{analysisId}` (gateway/src/analyses.rs `show`). */
export type AnalysisRun =
  | { status: "running"; analysisId: string; progress: AnalysisProgress | null }
  | { status: "completed"; analysisId: string; analysis: Analysis }
  | { status: "failed"; analysisId: string; error: string; progress: AnalysisProgress | null };

export interface StartedAnalysis {
  analysisId: string;
  workflowId: string;
}

function parseSpan(value: unknown): Span | null {
  if (!isRecord(value)) return null;
  const startMs = num(value.startMs);
  const endMs = num(value.endMs);
  return startMs === null || endMs === null ? null : { startMs, endMs };
}

function parseRhythm(value: unknown): Rhythm | null {
  if (!isRecord(value)) return null;
  const tempoBpm = num(value.tempoBpm);
  const beatStrength = num(value.beatStrength);
  const onsetDensity = num(value.onsetDensity);
  if (tempoBpm === null || beatStrength === null || onsetDensity === null) return null;
  return { tempoBpm, beatStrength, onsetDensity };
}

function parseAtmosphere(value: unknown): Atmosphere | null {
  if (!isRecord(value)) return null;
  const energy = num(value.energy);
  const valence = num(value.valence);
  const brightness = num(value.brightness);
  const loudnessDb = num(value.loudnessDb);
  if (energy === null || valence === null || brightness === null || loudnessDb === null) return null;
  return { energy, valence, brightness, loudnessDb };
}

function parsePart(value: unknown): Part | null {
  if (!isRecord(value)) return null;
  const label = str(value.label);
  const timestamps = parseSpan(value.timestamps);
  const rhythm = parseRhythm(value.rhythm);
  const atmosphere = parseAtmosphere(value.atmosphere);
  if (label === null || timestamps === null || rhythm === null || atmosphere === null) return null;
  return { label, timestamps, rhythm, atmosphere };
}

function parseMoment(value: unknown): Moment | null {
  if (!isRecord(value)) return null;
  const words = str(value.words);
  const part = num(value.part);
  const timestamps = parseSpan(value.timestamps);
  const rhythm = parseRhythm(value.rhythm);
  const atmosphere = parseAtmosphere(value.atmosphere);
  if (words === null || part === null || timestamps === null || rhythm === null || atmosphere === null) return null;
  return { words, part, timestamps, rhythm, atmosphere };
}

/** An Analysis from JSON, or null when it is not a whole one. */
export function parseAnalysis(value: unknown): Analysis | null {
  if (!isRecord(value)) return null;
  const analysisId = str(value.analysisId);
  const durationMs = num(value.durationMs);
  const parts = arrayOf(value.parts, parsePart);
  const moments = arrayOf(value.moments, parseMoment);
  if (analysisId === null || durationMs === null || parts === null || moments === null) return null;
  return {
    analysisId,
    projectId: str(value.projectId) ?? "",
    durationMs,
    parts,
    moments,
    createdAt: str(value.createdAt) ?? "",
  };
}

function parseProgress(value: unknown): AnalysisProgress | null {
  if (!isRecord(value)) return null;
  const stage = str(value.stage);
  if (stage === null) return null;
  const refused = Array.isArray(value.refused) ? value.refused.filter((r): r is string => typeof r === "string") : [];
  return { stage, answers: num(value.answers) ?? 0, refused };
}

export function parseAnalysisRun(value: unknown): AnalysisRun | null {
  if (!isRecord(value)) return null;
  const analysisId = str(value.analysisId) ?? "";
  switch (value.status) {
    case "running":
      return { status: "running", analysisId, progress: parseProgress(value.progress) };
    case "completed": {
      const analysis = parseAnalysis(value.analysis);
      return analysis === null ? null : { status: "completed", analysisId, analysis };
    }
    case "failed":
      return { status: "failed", analysisId, error: str(value.error) ?? "", progress: parseProgress(value.progress) };
    default:
      return null;
  }
}

export function parseStartedAnalysis(value: unknown): StartedAnalysis | null {
  if (!isRecord(value)) return null;
  const analysisId = str(value.analysisId);
  if (analysisId === null) return null;
  return { analysisId, workflowId: str(value.workflowId) ?? "" };
}

/** The Moments of each Part, in song order, by the Part's index. */
export function momentsByPart(analysis: Analysis): Moment[][] {
  const groups: Moment[][] = analysis.parts.map(() => []);
  for (const moment of analysis.moments) groups[moment.part]?.push(moment);
  for (const group of groups) group.sort((a, b) => a.timestamps.startMs - b.timestamps.startMs);
  return groups;
}

/** Song time as `m:ss.mmm` (minutes keep counting past 59). */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-:--.---";
  const total = Math.round(ms);
  const minutes = Math.floor(total / 60_000);
  const seconds = Math.floor((total % 60_000) / 1000);
  return `${minutes}:${String(seconds).padStart(2, "0")}.${String(total % 1000).padStart(3, "0")}`;
}

export function formatTimespan(span: Span): string {
  return `${formatTimestamp(span.startMs)}–${formatTimestamp(span.endMs)}`;
}

/** Whether song time `ms` falls in `span` (start included, end not). */
export function isWithin(span: Span, ms: number): boolean {
  return ms >= span.startMs && ms < span.endMs;
}
