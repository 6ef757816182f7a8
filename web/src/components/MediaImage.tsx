import type { ApiClient } from "../api";
import { t } from "../i18n";
import { useMediaUrl, type ObjectUrls } from "../useMediaUrl";

export interface MediaImageProps {
  api: ApiClient;
  /** `/api/media/…` of the image. */
  url: string;
  alt: string;
  className?: string;
  objectUrls?: ObjectUrls;
}

/**
 * A still or reference image from the media route. An <img src> cannot send the bearer token,
 * so the file is fetched with it (useMediaUrl) and shown from an object URL, which a click
 * opens at full size; the frame keeps its shape while it loads so cards do not jump.
 */
export function MediaImage({ api, url, alt, className, objectUrls }: MediaImageProps) {
  const media = useMediaUrl(api, url, true, objectUrls);
  const frame = className ? `media-image ${className}` : "media-image";
  if (media.kind === "ready") {
    return (
      <a className={frame} href={media.url} target="_blank" rel="noopener noreferrer" title={t("openFullSize")}>
        <img src={media.url} alt={alt} />
      </a>
    );
  }
  return (
    <div className={`${frame} media-image--placeholder`} aria-busy={media.kind === "loading" || undefined}>
      {media.kind === "error" ? (
        <p className="media-image__error" role="alert">
          {t("imageError", { message: media.message })}
        </p>
      ) : (
        <p className="muted">{t("imageLoading")}</p>
      )}
    </div>
  );
}
