// State of a project's renders for the render panel: starting an animatic
// or a final render (through actions.ts's runAction, like the chat's render tool),
// following the one started here or from the chat (RENDER_PROGRESS events,
// with polling of GET /api/renders/{id} as the fallback: events are not
// replayed after a reconnect and may be missed), the history of finished
// renders and the one shown in the player.

import { useCallback, useEffect, useRef, useState } from "react";
import { runAction } from "./actions";
import { ApiError, type ApiClient } from "./api";
import { t } from "./i18n";
import type { RenderProgressSource } from "./realtime";
import {
  isTerminalStage,
  mergeProgress,
  type StartedRender,
  type RenderEntry,
  type RenderMode,
  type RenderProgress,
  type RenderProgressEvent,
  type RenderStatus,
} from "./renders";

export const POLL_INTERVAL_MS = 1500;
/** A render's workflow can take this long to be listed: a 404 meanwhile is "not yet". */
export const NOT_FOUND_GRACE_MS = 30_000;

export interface RenderJob {
  renderId: string;
  mode: RenderMode;
  overlay: boolean;
  /** When the start was accepted (the `now` clock). */
  startedAt: number;
}

/** The render in the player and report. */
export interface Shown {
  entry: RenderEntry;
  /** Fetch the video at once (chosen or just made), or wait to be asked (shown by default). */
  autoLoad: boolean;
}

export interface UseRendersOptions {
  api: ApiClient;
  projectId: string;
  progressSource?: RenderProgressSource;
  pollIntervalMs?: number;
  notFoundGraceMs?: number;
  now?: () => number;
}

export interface Renders {
  /** The render started from here, while it runs. */
  job: RenderJob | null;
  /** The last render started from here, running or not: whose `progress` is shown. */
  lastJob: RenderJob | null;
  /** True while the start request is on its way. */
  starting: boolean;
  /** Progress of the running render, or how the last one ended. */
  progress: RenderProgress | null;
  /** Why a render could not start, or why it failed. */
  error: string | null;
  dismissError(): void;
  start(mode: RenderMode, overlay: boolean): Promise<void>;
  /** Follows a render started elsewhere (the chat's render tool), unless one is followed already. */
  adopt(started: StartedRender, mode: RenderMode, overlay: boolean): void;
  history: RenderEntry[];
  historyLoaded: boolean;
  historyError: string | null;
  reloadHistory(): void;
  shown: Shown | null;
  select(renderId: string): void;
}

function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : t("networkError");
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof ApiError && err.unauthorized;
}

/** The server's list with the renders finished here that it does not (yet) list, newest first. */
function mergeHistory(server: readonly RenderEntry[], local: readonly RenderEntry[]): RenderEntry[] {
  const ids = new Set(server.map((e) => e.render.renderId));
  const extra = local.filter((e) => !ids.has(e.render.renderId));
  if (extra.length === 0) return server.slice();
  return [...server, ...extra].sort((a, b) =>
    a.render.createdAt < b.render.createdAt ? 1 : a.render.createdAt > b.render.createdAt ? -1 : 0,
  );
}

export function useRenders({
  api,
  projectId,
  progressSource,
  pollIntervalMs = POLL_INTERVAL_MS,
  notFoundGraceMs = NOT_FOUND_GRACE_MS,
  now = Date.now,
}: UseRendersOptions): Renders {
  const [job, setJob] = useState<RenderJob | null>(null);
  const [lastJob, setLastJob] = useState<RenderJob | null>(null);
  const [starting, setStarting] = useState(false);
  const [progress, setProgress] = useState<RenderProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [history, setHistory] = useState<RenderEntry[]>([]);
  const [historyLoaded, setHistoryLoaded] = useState(false);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const [historyToken, setHistoryToken] = useState(0);
  const [shown, setShown] = useState<Shown | null>(null);

  const jobRef = useRef<RenderJob | null>(null);
  const startingRef = useRef(false);
  jobRef.current = job;
  /** Renders finished in this session, kept in the history whatever the server lists. */
  const finishedHere = useRef<RenderEntry[]>([]);
  /** Events that came before the start request's answer named their render. */
  const early = useRef(new Map<string, RenderProgress>());
  /** Asks the poller of the running render for an answer now. */
  const pollNow = useRef<(() => void) | null>(null);
  const historyRef = useRef(history);
  historyRef.current = history;

  const reloadHistory = useCallback(() => setHistoryToken((n) => n + 1), []);

  // The history; the newest render is shown (its video fetched on request)
  // until something else is.
  useEffect(() => {
    const controller = new AbortController();
    api.listRenders(projectId, controller.signal).then(
      (list) => {
        const merged = mergeHistory(list, finishedHere.current);
        setHistory(merged);
        setHistoryLoaded(true);
        setHistoryError(null);
        const newest = merged[0];
        if (newest) setShown((current) => current ?? { entry: newest, autoLoad: false });
      },
      (err: unknown) => {
        if (controller.signal.aborted || isUnauthorized(err)) return;
        setHistoryLoaded(true);
        setHistoryError(messageOf(err));
      },
    );
    return () => controller.abort();
  }, [api, projectId, historyToken]);

  const finish = useCallback(
    (status: RenderStatus) => {
      if (status.status === "running") return;
      setJob(null);
      if (status.status === "completed") {
        const entry: RenderEntry = { render: status.render, mediaUrl: status.mediaUrl };
        finishedHere.current = [entry, ...finishedHere.current.filter((e) => e.render.renderId !== status.renderId)];
        setProgress((p) => ({ stage: "done", done: p?.total ?? 0, total: p?.total ?? 0 }));
        setShown({ entry, autoLoad: true });
        setHistory((h) => mergeHistory(h, [entry]));
        reloadHistory();
      } else {
        setProgress((p) => ({ stage: "failed", done: p?.done ?? 0, total: p?.total ?? 0, error: status.error }));
        setError(t("renderFailed", { message: status.error || t("unknownReason") }));
      }
    },
    [reloadHistory],
  );

  // Poll the running render until it completes or fails.
  useEffect(() => {
    if (job === null) return;
    const controller = new AbortController();
    let stopped = false;
    let inFlight = false;
    let again = false;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const schedule = () => {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(poll, pollIntervalMs);
    };

    const poll = () => {
      if (stopped) return;
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      again = false;
      clearTimeout(timer);
      api.getRender(job.renderId, controller.signal).then(
        (status) => {
          if (stopped) return;
          if (status.status === "running") {
            setProgress((p) => mergeProgress(p, status.progress));
            schedule();
          } else {
            stopped = true;
            finish(status);
          }
        },
        (err: unknown) => {
          if (stopped) return;
          if (isUnauthorized(err)) {
            stopped = true;
            return;
          }
          const status = err instanceof ApiError ? err.status : 0;
          if (status === 404 && now() - job.startedAt > notFoundGraceMs) {
            stopped = true;
            setJob(null);
            setError(t("renderLost", { id: job.renderId }));
            return;
          }
          // Not listed yet (404 early on), unreachable or briefly unavailable: try again.
          schedule();
        },
      ).finally(() => {
        inFlight = false;
        if (again && !stopped) poll();
      });
    };

    pollNow.current = poll;
    schedule();
    return () => {
      stopped = true;
      pollNow.current = null;
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, job, pollIntervalMs, notFoundGraceMs, now, finish]);

  // Live progress of the running render; a render ending ends the wait for the next poll.
  useEffect(() => {
    if (!progressSource) return;
    return progressSource.subscribe((event: RenderProgressEvent) => {
      const { renderId } = event;
      const next: RenderProgress = { stage: event.stage, done: event.done, total: event.total };
      if (event.error !== undefined) next.error = event.error;
      const current = jobRef.current;
      if (current !== null && current.renderId === renderId) {
        setProgress((p) => mergeProgress(p, next));
        if (isTerminalStage(next.stage)) pollNow.current?.();
        return;
      }
      // Possibly ours, before the start request's answer: kept for it.
      const buffered = early.current;
      buffered.set(renderId, mergeProgress(buffered.get(renderId) ?? null, next));
      if (buffered.size > 20) buffered.delete(buffered.keys().next().value!);
      // Someone else's render finished: it belongs in the history.
      if (next.stage === "done" && !historyRef.current.some((e) => e.render.renderId === renderId)) {
        reloadHistory();
      }
    });
  }, [progressSource, reloadHistory]);

  const follow = useCallback(
    (started: StartedRender, mode: RenderMode, overlay: boolean) => {
      const seen = early.current.get(started.renderId) ?? null;
      early.current.delete(started.renderId);
      const next: RenderJob = {
        renderId: started.renderId,
        mode,
        overlay: mode === "animatic" && overlay,
        startedAt: now(),
      };
      jobRef.current = next;
      setJob(next);
      setLastJob(next);
      setProgress(seen ?? { stage: "planning", done: 0, total: 0 });
    },
    [now],
  );

  const start = useCallback(
    async (mode: RenderMode, overlay: boolean) => {
      if (jobRef.current !== null || startingRef.current) return;
      startingRef.current = true;
      setStarting(true);
      setError(null);
      try {
        const action = mode === "animatic" ? { tool: "render", mode, overlay } as const : { tool: "render", mode } as const;
        const { result } = await runAction(api, projectId, action);
        follow(result, mode, overlay);
      } catch (err) {
        if (!isUnauthorized(err)) setError(messageOf(err));
      } finally {
        startingRef.current = false;
        setStarting(false);
      }
    },
    [api, projectId, follow],
  );

  const adopt = useCallback(
    (started: StartedRender, mode: RenderMode, overlay: boolean) => {
      if (jobRef.current !== null || startingRef.current) return;
      setError(null);
      follow(started, mode, overlay);
    },
    [follow],
  );

  const select = useCallback((renderId: string) => {
    const entry = historyRef.current.find((e) => e.render.renderId === renderId);
    if (entry) setShown({ entry, autoLoad: true });
  }, []);

  const dismissError = useCallback(() => setError(null), []);

  return {
    job,
    lastJob,
    starting,
    progress,
    error,
    dismissError,
    start,
    adopt,
    history,
    historyLoaded,
    historyError,
    reloadHistory,
    shown,
    select,
  };
}
