import { useState } from "react";
import type { ApiClient } from "../api";
import { renderModeLabel, t } from "../i18n";
import type { RenderEntry } from "../renders";
import { useMediaUrl, type ObjectUrls } from "../useMediaUrl";
import { formatUpdatedAt } from "./ShotsTable";

export interface RenderPlayerProps {
  api: ApiClient;
  entry: RenderEntry;
  /** Fetch the video at once; otherwise a button asks for it (videos are large). */
  autoLoad: boolean;
  objectUrls?: ObjectUrls;
}

/**
 * The render's film. Its media is fetched with the bearer token and played
 * from an object URL; until then the screen keeps the film's shape so the
 * layout does not jump.
 */
export function RenderPlayer({ api, entry, autoLoad, objectUrls }: RenderPlayerProps) {
  const [asked, setAsked] = useState(false);
  const media = useMediaUrl(api, entry.mediaUrl, autoLoad || asked, objectUrls);
  const { render } = entry;
  const ratio = render.width > 0 && render.height > 0 ? `${render.width} / ${render.height}` : "16 / 9";
  const label = t("playerLabel", { mode: renderModeLabel(render.mode), time: formatUpdatedAt(render.createdAt) });

  let screen;
  if (entry.mediaUrl === null) {
    screen = <p className="render-player__message muted">{t("noMedia")}</p>;
  } else if (media.kind === "ready") {
    screen = <video className="render-player__video" controls preload="metadata" src={media.url} aria-label={label} />;
  } else if (media.kind === "loading") {
    screen = (
      <p className="render-player__message muted" aria-busy="true">
        {t("mediaLoading")}
      </p>
    );
  } else if (media.kind === "error") {
    screen = (
      <div className="render-player__message">
        <p className="alert alert--error" role="alert">
          {t("mediaError", { message: media.message })}
        </p>
      </div>
    );
  } else {
    screen = (
      <div className="render-player__message">
        <button type="button" className="btn btn--primary" onClick={() => setAsked(true)} aria-label={`${t("loadVideo")} — ${label}`}>
          {t("loadVideo")}
        </button>
      </div>
    );
  }

  return (
    <figure className="render-player" data-render-id={render.renderId}>
      <div className="render-player__screen" style={{ aspectRatio: ratio }}>
        {screen}
      </div>
    </figure>
  );
}
