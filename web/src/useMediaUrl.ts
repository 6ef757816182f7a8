// A `/api/media/…` file as an object URL a <video> can play. Media needs the
// bearer token, which an element's `src` cannot send, so the file is fetched
// with it and handed to the element as a blob; the URL is revoked when it is
// replaced or the component goes away.

import { useEffect, useState } from "react";
import { ApiError, type ApiClient } from "./api";
import { t } from "./i18n";

/** URL.createObjectURL / revokeObjectURL, injected in tests (jsdom has neither). */
export interface ObjectUrls {
  create(blob: Blob): string;
  revoke(url: string): void;
}

export const browserObjectUrls: ObjectUrls = {
  create: (blob) => URL.createObjectURL(blob),
  revoke: (url) => URL.revokeObjectURL(url),
};

export type MediaState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "ready"; url: string }
  | { kind: "error"; message: string };

/** The object URL of `mediaUrl`, fetched only while `enabled`. */
export function useMediaUrl(
  api: ApiClient,
  mediaUrl: string | null,
  enabled: boolean,
  objectUrls: ObjectUrls = browserObjectUrls,
): MediaState {
  const [state, setState] = useState<MediaState>({ kind: "idle" });

  useEffect(() => {
    if (mediaUrl === null || !enabled) {
      setState({ kind: "idle" });
      return;
    }
    const controller = new AbortController();
    let made: string | null = null;
    setState({ kind: "loading" });
    api.fetchMedia(mediaUrl, controller.signal).then(
      (blob) => {
        if (controller.signal.aborted) return;
        made = objectUrls.create(blob);
        setState({ kind: "ready", url: made });
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (err instanceof ApiError && err.unauthorized) return;
        setState({ kind: "error", message: err instanceof ApiError ? err.message : t("networkError") });
      },
    );
    return () => {
      controller.abort();
      if (made !== null) objectUrls.revoke(made);
    };
  }, [api, mediaUrl, enabled, objectUrls]);

  return state;
}
