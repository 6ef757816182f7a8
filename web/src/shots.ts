// Pure functions over the list of shots shown in the table: merging live
// SHOT_UPDATED events and REST re-fetches, ordering and time formatting.

import type { Shot } from "./api";

/** Payload of the Socket.IO `SHOT_UPDATED` event. */
export interface ShotUpdate {
  projectId: string;
  shotId: string;
  status: string;
  revision: number;
  reason?: string | null;
  updatedAt: string;
}

export type ApplyResult =
  /** The row changed; `shots` is the new list. */
  | { kind: "applied"; shots: Shot[] }
  /** The row already has a newer revision; nothing changes. */
  | { kind: "stale" }
  /** No row has this shotId: the caller re-fetches the list. */
  | { kind: "unknown" };

/**
 * Applies a live update to the row with the same shotId. An update whose
 * revision is lower than the row's is ignored (events may arrive after a
 * re-fetch that already saw a later state); an equal revision is applied
 * again, which is harmless.
 */
export function applyShotUpdate(shots: readonly Shot[], update: ShotUpdate): ApplyResult {
  const index = shots.findIndex((s) => s.shotId === update.shotId);
  if (index < 0) return { kind: "unknown" };
  const row = shots[index]!;
  if (row.revision !== undefined && update.revision < row.revision) return { kind: "stale" };
  const next = shots.slice();
  next[index] = {
    ...row,
    status: update.status,
    revision: update.revision,
    updatedAt: update.updatedAt || row.updatedAt,
    reason: update.reason ?? null,
  };
  return { kind: "applied", shots: next };
}

/**
 * Puts a shot returned by the API (e.g. by approve) into the list, unless the
 * list already holds a newer revision of it.
 */
export function upsertShot(shots: readonly Shot[], shot: Shot): Shot[] {
  const index = shots.findIndex((s) => s.shotId === shot.shotId);
  if (index < 0) return sortShots([...shots, shot]);
  const row = shots[index]!;
  if (isNewer(row, shot)) return shots.slice();
  const next = shots.slice();
  next[index] = shot;
  return next;
}

/**
 * The list after a REST re-fetch. The fetched list decides which shots
 * exist, but a row the live feed already moved past the fetched revision
 * keeps its live state (the fetch may have been answered before the event).
 */
export function mergeFetchedShots(current: readonly Shot[], fetched: readonly Shot[]): Shot[] {
  const byId = new Map(current.map((s) => [s.shotId, s]));
  const merged = fetched.map((shot) => {
    const live = byId.get(shot.shotId);
    if (live && isNewer(live, shot)) {
      return {
        ...shot,
        status: live.status,
        revision: live.revision,
        updatedAt: live.updatedAt,
        reason: live.reason ?? null,
      };
    }
    return shot;
  });
  return sortShots(merged);
}

/** True when `a` is a strictly later revision than `b` (both known). */
function isNewer(a: Shot, b: Shot): boolean {
  return a.revision !== undefined && b.revision !== undefined && a.revision > b.revision;
}

/** Shots in song order (start time, then id for a stable order). */
export function sortShots(shots: readonly Shot[]): Shot[] {
  return shots
    .slice()
    .sort((a, b) => a.startMs - b.startMs || (a.shotId < b.shotId ? -1 : a.shotId > b.shotId ? 1 : 0));
}

/** Milliseconds as `mm:ss.mmm` (minutes keep counting past 59). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--:--.---";
  const total = Math.floor(ms);
  const minutes = Math.floor(total / 60000);
  const seconds = Math.floor((total % 60000) / 1000);
  const millis = total % 1000;
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}.${String(millis).padStart(3, "0")}`;
}

/** Validates an incoming SHOT_UPDATED payload; null when malformed. */
export function parseShotUpdate(value: unknown): ShotUpdate | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (
    typeof v.projectId !== "string" ||
    typeof v.shotId !== "string" ||
    typeof v.status !== "string" ||
    typeof v.revision !== "number" ||
    !Number.isFinite(v.revision)
  ) {
    return null;
  }
  const update: ShotUpdate = {
    projectId: v.projectId,
    shotId: v.shotId,
    status: v.status,
    revision: v.revision,
    updatedAt: typeof v.updatedAt === "string" ? v.updatedAt : "",
  };
  if (typeof v.reason === "string") update.reason = v.reason;
  return update;
}
