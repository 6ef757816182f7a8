// State of a project's song analysis for the analysis panel: the newest analysis the server
// has (or that it has none), and the one started from here, followed by polling
// GET /api/projects/{id}/analyses/{analysisId}: the gateway sends no event for analyses, and
// a running one cannot be found again once the page is left, so it is followed until it ends.
// The two are kept apart so that a late answer to the first load never hides a running start.

import { useCallback, useEffect, useRef, useState } from "react";
import type { Analysis, AnalysisProgress } from "./analysis";
import { ApiError, type ApiClient } from "./api";
import { t } from "./i18n";

export const POLL_INTERVAL_MS = 1500;

export type Latest =
  | { kind: "loading" }
  | { kind: "none" }
  | { kind: "ready"; analysis: Analysis }
  | { kind: "error"; message: string };

/** The analysis started from here. */
export type Run =
  | { kind: "starting" }
  | { kind: "running"; analysisId: string; progress: AnalysisProgress | null }
  | { kind: "failed"; message: string; progress: AnalysisProgress | null };

export interface UseAnalysisOptions {
  api: ApiClient;
  projectId: string;
  pollIntervalMs?: number;
}

export interface AnalysisState {
  latest: Latest;
  run: Run | null;
  /** True from the start request until the analysis completes or fails. */
  busy: boolean;
  start(): Promise<void>;
  reload(): void;
  dismissFailure(): void;
}

function messageOf(err: unknown): string {
  return err instanceof ApiError ? err.message : t("networkError");
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof ApiError && err.unauthorized;
}

/** A failure worth polling through: the server unreachable or briefly unavailable. */
function isTransient(err: unknown): boolean {
  return !(err instanceof ApiError) || err.status === 0 || err.status >= 500;
}

export function useAnalysis({ api, projectId, pollIntervalMs = POLL_INTERVAL_MS }: UseAnalysisOptions): AnalysisState {
  const [latest, setLatest] = useState<Latest>({ kind: "loading" });
  const [run, setRun] = useState<Run | null>(null);
  const [reloads, setReloads] = useState(0);
  const startingRef = useRef(false);

  useEffect(() => {
    const controller = new AbortController();
    setLatest({ kind: "loading" });
    api.getAnalysis(projectId, controller.signal).then(
      (analysis) => {
        if (controller.signal.aborted) return;
        setLatest(analysis === null ? { kind: "none" } : { kind: "ready", analysis });
      },
      (err: unknown) => {
        if (controller.signal.aborted || isUnauthorized(err)) return;
        setLatest({ kind: "error", message: messageOf(err) });
      },
    );
    return () => controller.abort();
  }, [api, projectId, reloads]);

  const runningId = run?.kind === "running" ? run.analysisId : null;

  // Follow the analysis started here until it completes or fails.
  useEffect(() => {
    if (runningId === null) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () => {
      api.getAnalysisRun(projectId, runningId, controller.signal).then(
        (answer) => {
          if (controller.signal.aborted) return;
          if (answer.status === "running") {
            setRun({ kind: "running", analysisId: runningId, progress: answer.progress });
            timer = setTimeout(poll, pollIntervalMs);
          } else if (answer.status === "completed") {
            setRun(null);
            setLatest({ kind: "ready", analysis: answer.analysis });
          } else {
            const message = t("analysisFailed", { message: answer.error || t("unknownReason") });
            setRun({ kind: "failed", message, progress: answer.progress });
          }
        },
        (err: unknown) => {
          if (controller.signal.aborted || isUnauthorized(err)) return;
          if (isTransient(err)) {
            timer = setTimeout(poll, pollIntervalMs);
            return;
          }
          setRun({ kind: "failed", message: t("analysisFailed", { message: messageOf(err) }), progress: null });
        },
      );
    };
    timer = setTimeout(poll, pollIntervalMs);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [api, projectId, runningId, pollIntervalMs]);

  const start = useCallback(async () => {
    if (startingRef.current) return;
    startingRef.current = true;
    setRun({ kind: "starting" });
    try {
      const started = await api.startAnalysis(projectId);
      setRun({ kind: "running", analysisId: started.analysisId, progress: null });
    } catch (err) {
      setRun(isUnauthorized(err) ? null : { kind: "failed", message: messageOf(err), progress: null });
    } finally {
      startingRef.current = false;
    }
  }, [api, projectId]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  const dismissFailure = useCallback(() => setRun((r) => (r?.kind === "failed" ? null : r)), []);
  const busy = run !== null && run.kind !== "failed";

  return { latest, run, busy, start, reload, dismissFailure };
}
