import { describe, expect, it } from "vitest";
import {
  formatSeconds,
  formatShare,
  formatSongTime,
  formatUsd,
  mergeProgress,
  overallPercent,
  parseRenderEntry,
  parseRenderProgressEvent,
  parseRenderStatus,
  parseReport,
} from "./renders";
import { historyEntryJson, renderJson, reportJson } from "./test/fakes";

describe("render formats", () => {
  it("writes song times as m:ss.s", () => {
    expect(formatSongTime(0)).toBe("0:00.0");
    expect(formatSongTime(10_000)).toBe("0:10.0");
    expect(formatSongTime(83_456)).toBe("1:23.5");
    expect(formatSongTime(59_960)).toBe("1:00.0");
    expect(formatSongTime(3_725_000)).toBe("62:05.0");
    expect(formatSongTime(-1)).toBe("-:--.-");
    expect(formatSeconds(1_600)).toBe("1.6");
    expect(formatSeconds(2_000)).toBe("2.0");
  });

  it("writes micro-dollars as dollars and cents", () => {
    expect(formatUsd(896_000)).toBe("$0.90");
    expect(formatUsd(0)).toBe("$0.00");
    expect(formatUsd(1_234_567_890)).toBe("$1,234.57");
    expect(formatUsd(-500_000)).toBe("-$0.50");
  });

  it("writes shares as percentages with at most one decimal", () => {
    expect(formatShare(0.85)).toBe("85%");
    expect(formatShare(6 / 7)).toBe("85.7%");
    expect(formatShare(1)).toBe("100%");
    expect(formatShare(0)).toBe("0%");
  });
});

describe("render progress", () => {
  it("fills the bar forward from stage to stage", () => {
    const at = (stage: string, done = 0, total = 0) => overallPercent({ stage, done, total });
    expect(at("planning")).toBe(0);
    expect(at("conforming", 0, 10)).toBe(5);
    expect(at("conforming", 5, 10)).toBe(45);
    expect(at("conforming", 10, 10)).toBe(85);
    expect(at("joining")).toBe(85);
    expect(at("muxing", 1, 1)).toBe(99);
    expect(at("done")).toBe(100);
    expect(at("failed", 3, 10)).toBe(0);
    expect(at("something_new", 1, 2)).toBe(0);
    expect(at("conforming", 12, 10)).toBe(85);
  });

  it("never goes back to an earlier stage or count, nor leaves a finished one", () => {
    const conforming = { stage: "conforming", done: 4, total: 10 };
    expect(mergeProgress(null, conforming)).toBe(conforming);
    expect(mergeProgress(conforming, { stage: "planning", done: 0, total: 0 })).toBe(conforming);
    expect(mergeProgress(conforming, { stage: "conforming", done: 3, total: 10 })).toBe(conforming);
    const later = { stage: "conforming", done: 5, total: 10 };
    expect(mergeProgress(conforming, later)).toBe(later);
    const joining = { stage: "joining", done: 0, total: 1 };
    expect(mergeProgress(conforming, joining)).toBe(joining);
    const done = { stage: "done", done: 1, total: 1 };
    expect(mergeProgress(joining, done)).toBe(done);
    expect(mergeProgress(done, { stage: "muxing", done: 0, total: 1 })).toBe(done);
    const failed = { stage: "failed", done: 0, total: 0, error: "x" };
    expect(mergeProgress(joining, failed)).toBe(failed);
  });

  it("validates RENDER_PROGRESS payloads", () => {
    expect(parseRenderProgressEvent({ projectId: "p1", renderId: "r1", stage: "joining", done: 1, total: 2 })).toEqual({
      projectId: "p1",
      renderId: "r1",
      stage: "joining",
      done: 1,
      total: 2,
    });
    expect(parseRenderProgressEvent({ projectId: "p1", stage: "joining" })).toBeNull();
    expect(parseRenderProgressEvent("RENDER_PROGRESS")).toBeNull();
  });
});

describe("render records", () => {
  it("reads the report core serialises", () => {
    const report = parseReport(reportJson())!;
    expect(report.coverage.share).toBe(0.85);
    expect(report.coverage.gaps).toEqual([
      { startMs: 10_000, endMs: 12_000 },
      { startMs: 19_000, endMs: 20_000 },
    ]);
    expect(report.coverage.overlaps).toEqual([{ first: "s3", second: "s4", startMs: 14_000, endMs: 15_000 }]);
    expect(report.cuts).toMatchObject({ cuts: 7, onBeat: 6, noGrid: null });
    expect(report.lyrics[1]).toEqual({
      words: "על היום",
      startMs: 9_000,
      endMs: 11_000,
      shots: ["s2"],
      uncoveredMs: 1_000,
      covered: false,
    });
    expect(report.uncoveredLyrics).toBe(2);
    expect(report.segments.unreadable).toEqual([{ shotId: "s2", why: "its still cannot be read" }]);
    expect(report.clipsPerModel).toEqual([
      ["fal-ai/kling-video/v3/standard/image-to-video", 1],
      ["unknown", 1],
    ]);
    expect(report.cost).toMatchObject({ estimateUsdMicros: 896_000, withinCap: true, note: null });
  });

  it("fills what an older or smaller report leaves out", () => {
    const report = parseReport({ songMs: 1000, cuts: { cuts: 0, onBeat: 0, share: null, noGrid: "no analysis" } })!;
    expect(report.coverage).toEqual({ coveredMs: 0, share: 0, gaps: [], overlaps: [] });
    expect(report.cuts.noGrid).toBe("no analysis");
    expect(report.cost.estimateUsdMicros).toBeNull();
    expect(report.cost.withinCap).toBeNull();
    expect(parseReport(null)).toBeNull();
  });

  it("reads a render without a report or overlay as a clean one without report", () => {
    const entry = parseRenderEntry(historyEntryJson({ renderId: "r1", report: undefined, overlay: undefined }))!;
    expect(entry.render).toMatchObject({ renderId: "r1", overlay: false, report: null, width: 1920 });
    expect(entry.mediaUrl).toBe("/api/media/sha256/r1.mp4");
    expect(parseRenderEntry({ mode: "final" })).toBeNull();
  });

  it("reads the three answers of GET /api/renders/{id}", () => {
    expect(parseRenderStatus({ status: "running", renderId: "r1", progress: { stage: "muxing", done: 0, total: 1 } })).toEqual({
      status: "running",
      renderId: "r1",
      progress: { stage: "muxing", done: 0, total: 1 },
    });
    const done = parseRenderStatus({ status: "completed", renderId: "r1", render: renderJson({ renderId: "r1", overlay: true }), mediaUrl: "/api/media/k" });
    expect(done).toMatchObject({ status: "completed", mediaUrl: "/api/media/k", render: { overlay: true, mode: "animatic" } });
    expect(parseRenderStatus({ status: "failed", renderId: "r1", error: "boom" })).toEqual({
      status: "failed",
      renderId: "r1",
      error: "boom",
    });
    expect(parseRenderStatus({ status: "paused" })).toBeNull();
    expect(parseRenderStatus({ status: "completed", renderId: "r1" })).toBeNull();
  });
});
