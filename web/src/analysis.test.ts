import { describe, expect, it } from "vitest";
import { formatTimestamp, isWithin, momentsByPart, parseAnalysis, parseAnalysisRun } from "./analysis";
import { analysisJson } from "./test/analysisFakes";

describe("analysis records", () => {
  it("reads the gateway's record, grouping the Moments under their Parts in song order", () => {
    const json = analysisJson();
    const moments = json.moments as unknown[];
    const analysis = parseAnalysis({ ...json, moments: [moments[1], moments[2], moments[0]] })!;
    expect(analysis).toMatchObject({ analysisId: "0b7e3c1a-5d2f-4a8e-9c61-3f0a2b4c5d6e", durationMs: 72_000 });
    expect(analysis.parts[1]).toEqual({
      label: "verse 1",
      timestamps: { startMs: 9_600, endMs: 28_800 },
      rhythm: { tempoBpm: 100, beatStrength: 0.81, onsetDensity: 2.4 },
      atmosphere: { energy: 0.35, valence: 0.5, brightness: 0.42, loudnessDb: -16.2 },
    });
    expect(momentsByPart(analysis).map((group) => group.map((m) => m.words))).toEqual([
      [],
      ["תודה לך", "על היום הזה"],
      ["לילה טוב"],
    ]);
  });

  it("refuses a record with a malformed Part or Moment rather than show a table with holes", () => {
    const json = analysisJson();
    const [first, ...rest] = json.parts as Record<string, unknown>[];
    expect(parseAnalysis({ ...json, parts: [{ ...first, rhythm: { tempoBpm: "fast" } }, ...rest] })).toBeNull();
    expect(parseAnalysis({ ...json, moments: [{ words: "תודה לך" }] })).toBeNull();
    expect(parseAnalysis({ ...json, parts: undefined })).toBeNull();
  });

  it("reads a run's three states and refuses a completed one without its table", () => {
    const progress = { stage: "asking", answers: 2, refused: ["overlaps", 7] };
    expect(parseAnalysisRun({ status: "running", analysisId: "a1", progress })).toEqual({
      status: "running",
      analysisId: "a1",
      progress: { stage: "asking", answers: 2, refused: ["overlaps"] },
    });
    expect(parseAnalysisRun({ status: "running", analysisId: "a1", progress: null })).toMatchObject({ progress: null });
    expect(parseAnalysisRun({ status: "failed", analysisId: "a1", error: "silent", progress })).toMatchObject({
      status: "failed",
      error: "silent",
    });
    expect(parseAnalysisRun({ status: "completed", analysisId: "a1", analysis: analysisJson() })).toMatchObject({
      status: "completed",
    });
    expect(parseAnalysisRun({ status: "completed", analysisId: "a1" })).toBeNull();
    expect(parseAnalysisRun({ status: "paused" })).toBeNull();
  });

  it("writes song times as m:ss.mmm and tells whether a time is in a span", () => {
    expect(formatTimestamp(0)).toBe("0:00.000");
    expect(formatTimestamp(9_600)).toBe("0:09.600");
    expect(formatTimestamp(72_000)).toBe("1:12.000");
    expect(formatTimestamp(3_725_004.6)).toBe("62:05.005");
    expect(formatTimestamp(-1)).toBe("-:--.---");
    const span = { startMs: 1_000, endMs: 2_000 };
    expect([999, 1_000, 1_999, 2_000].map((ms) => isWithin(span, ms))).toEqual([false, true, true, false]);
  });
});
