// One GET's answer as React state, for the panels that only show what the gateway answers
// (versions, scenes, provider health, budget): loading, then the value or the error's message.
// A refresh keeps what is on screen until its answer comes, so a status strip never flickers;
// a 401 is left to the session (the App signs out), and a superseded answer is dropped.

import { useCallback, useEffect, useState } from "react";
import { ApiError } from "./api";
import { t } from "./i18n";

export type Loaded<T> = { kind: "loading" } | { kind: "ready"; value: T } | { kind: "error"; message: string };

/**
 * The state of `load` (memoise it: a new function loads again), asked again every `refreshMs`
 * when given; `replace` shows a value the caller got otherwise (a PUT's answer).
 */
export function useLoaded<T>(
  load: (signal: AbortSignal) => Promise<T>,
  refreshMs?: number,
): { state: Loaded<T>; replace(value: T): void } {
  const [state, setState] = useState<Loaded<T>>({ kind: "loading" });

  useEffect(() => {
    let controller = new AbortController();
    setState({ kind: "loading" });
    const run = () => {
      const mine = controller;
      load(mine.signal).then(
        (value) => {
          if (!mine.signal.aborted) setState({ kind: "ready", value });
        },
        (err: unknown) => {
          if (mine.signal.aborted || (err instanceof ApiError && err.unauthorized)) return;
          setState({ kind: "error", message: err instanceof ApiError ? err.message : t("networkError") });
        },
      );
    };
    run();
    const timer =
      refreshMs === undefined
        ? undefined
        : window.setInterval(() => {
            controller.abort();
            controller = new AbortController();
            run();
          }, refreshMs);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [load, refreshMs]);

  const replace = useCallback((value: T) => setState({ kind: "ready", value }), []);
  return { state, replace };
}
