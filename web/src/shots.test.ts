import { describe, expect, it } from "vitest";
import {
  applyShotUpdate,
  formatMs,
  mergeFetchedShots,
  parseShotUpdate,
  sortShots,
  upsertShot,
  type ShotUpdate,
} from "./shots";
import { shot } from "./test/fakes";

const update = (o: Partial<ShotUpdate> = {}): ShotUpdate => ({
  projectId: "p1",
  shotId: "s1",
  status: "COMPLETED",
  revision: 3,
  updatedAt: "2025-01-01T10:05:00Z",
  ...o,
});

describe("formatMs", () => {
  it("formats as mm:ss.mmm", () => {
    expect(formatMs(0)).toBe("00:00.000");
    expect(formatMs(83_456)).toBe("01:23.456");
    expect(formatMs(59_999)).toBe("00:59.999");
    expect(formatMs(60_000)).toBe("01:00.000");
  });

  it("keeps counting minutes past an hour and drops sub-millisecond parts", () => {
    expect(formatMs(3_723_004.9)).toBe("62:03.004");
  });

  it("shows a placeholder for invalid values", () => {
    expect(formatMs(-1)).toBe("--:--.---");
    expect(formatMs(Number.NaN)).toBe("--:--.---");
  });
});

describe("applyShotUpdate", () => {
  const rows = [shot({ shotId: "s1", status: "GENERATING_VIDEO", revision: 2, reason: "old" }), shot({ shotId: "s2" })];

  it("applies a newer revision to the matching row only", () => {
    const result = applyShotUpdate(rows, update({ revision: 3, status: "COMPLETED" }));
    expect(result.kind).toBe("applied");
    if (result.kind !== "applied") return;
    expect(result.shots[0]).toMatchObject({
      shotId: "s1",
      status: "COMPLETED",
      revision: 3,
      updatedAt: "2025-01-01T10:05:00Z",
      reason: null,
    });
    expect(result.shots[1]).toBe(rows[1]);
    expect(rows[0]!.status).toBe("GENERATING_VIDEO"); // not mutated
  });

  it("carries the reason of the transition", () => {
    const result = applyShotUpdate(rows, update({ status: "FAILED", reason: "provider timeout" }));
    expect(result.kind === "applied" && result.shots[0]!.reason).toBe("provider timeout");
  });

  it("ignores an older revision", () => {
    expect(applyShotUpdate(rows, update({ revision: 1, status: "FAILED" }))).toEqual({ kind: "stale" });
  });

  it("reports an unknown shot so the caller re-fetches", () => {
    expect(applyShotUpdate(rows, update({ shotId: "s9" }))).toEqual({ kind: "unknown" });
  });

  it("applies to a row that has no revision yet", () => {
    const result = applyShotUpdate([shot({ shotId: "s1", revision: undefined })], update({ revision: 0 }));
    expect(result.kind).toBe("applied");
  });
});

describe("mergeFetchedShots", () => {
  it("takes the fetched list but keeps a live state newer than the fetch", () => {
    const current = [shot({ shotId: "s1", status: "COMPLETED", revision: 5 }), shot({ shotId: "gone" })];
    const fetched = [
      shot({ shotId: "s1", status: "GENERATING_VIDEO", revision: 4, description: "new text" }),
      shot({ shotId: "s2", startMs: 500 }),
    ];
    const merged = mergeFetchedShots(current, fetched);
    expect(merged.map((s) => s.shotId)).toEqual(["s1", "s2"]);
    expect(merged[0]).toMatchObject({ status: "COMPLETED", revision: 5, description: "new text" });
  });

  it("prefers the fetched row when it is as new or newer", () => {
    const merged = mergeFetchedShots(
      [shot({ shotId: "s1", status: "DRAFT", revision: 2 })],
      [shot({ shotId: "s1", status: "VALIDATION", revision: 3 })],
    );
    expect(merged[0]!.status).toBe("VALIDATION");
  });
});

describe("upsertShot / sortShots", () => {
  it("replaces a row unless the list holds a newer revision", () => {
    const rows = [shot({ shotId: "s1", revision: 4, status: "COMPLETED" })];
    expect(upsertShot(rows, shot({ shotId: "s1", revision: 3, status: "GENERATING_VIDEO" }))[0]!.status).toBe("COMPLETED");
    expect(upsertShot(rows, shot({ shotId: "s1", revision: 5, status: "FAILED" }))[0]!.status).toBe("FAILED");
  });

  it("adds a new row in time order", () => {
    const rows = [shot({ shotId: "a", startMs: 0 }), shot({ shotId: "c", startMs: 2000 })];
    expect(upsertShot(rows, shot({ shotId: "b", startMs: 1000 })).map((s) => s.shotId)).toEqual(["a", "b", "c"]);
  });

  it("orders by start time, then id", () => {
    const sorted = sortShots([shot({ shotId: "b", startMs: 5 }), shot({ shotId: "a", startMs: 5 }), shot({ shotId: "z", startMs: 1 })]);
    expect(sorted.map((s) => s.shotId)).toEqual(["z", "a", "b"]);
  });
});

describe("parseShotUpdate", () => {
  it("accepts the documented payload", () => {
    expect(
      parseShotUpdate({ projectId: "p1", shotId: "s1", status: "FAILED", revision: 7, reason: "x", updatedAt: "t" }),
    ).toEqual({ projectId: "p1", shotId: "s1", status: "FAILED", revision: 7, reason: "x", updatedAt: "t" });
  });

  it("rejects malformed payloads", () => {
    expect(parseShotUpdate(null)).toBeNull();
    expect(parseShotUpdate({ projectId: "p1", shotId: "s1", status: "FAILED" })).toBeNull();
    expect(parseShotUpdate({ projectId: "p1", shotId: "s1", status: "FAILED", revision: "7" })).toBeNull();
  });
});
