import { useEffect, useRef, useState } from "react";
import type { ApiClient } from "../api";
import { t } from "../i18n";
import { useMediaUrl, type ObjectUrls } from "../useMediaUrl";

/** A request to play from a song time; `n` tells two requests for the same time apart. */
export interface Seek {
  ms: number;
  n: number;
}

export interface SongPlayerProps {
  api: ApiClient;
  /** The project's `/api/media/…` song. */
  songUrl: string;
  /** Play from here: fetches the song first when it is not loaded yet. */
  seek: Seek | null;
  /** The playing position, as the audio element reports it. */
  onTime(ms: number): void;
  objectUrls?: ObjectUrls;
}

/**
 * The project's song, for listening to the analysis: fetched with the bearer token (an
 * <audio src> cannot send it) only once asked for — by its button or by a seek from the table
 * — and then moved to each seek's time and played.
 */
export function SongPlayer({ api, songUrl, seek, onTime, objectUrls }: SongPlayerProps) {
  const [asked, setAsked] = useState(false);
  const media = useMediaUrl(api, songUrl, asked || seek !== null, objectUrls);
  const audio = useRef<HTMLAudioElement>(null);
  const ready = media.kind === "ready";

  useEffect(() => {
    const element = audio.current;
    if (!ready || seek === null || element === null) return;
    element.currentTime = seek.ms / 1000;
    // A refused autoplay leaves the element at the time, with its play button.
    element.play()?.catch(() => undefined);
  }, [ready, seek]);

  if (media.kind === "ready") {
    return (
      <audio
        ref={audio}
        className="song-player__audio"
        controls
        preload="auto"
        src={media.url}
        aria-label={t("songPlayerLabel")}
        onTimeUpdate={(e) => onTime(e.currentTarget.currentTime * 1000)}
      />
    );
  }
  if (media.kind === "loading") {
    return (
      <p className="song-player__message muted" aria-busy="true">
        {t("songLoading")}
      </p>
    );
  }
  if (media.kind === "error") {
    return (
      <p className="alert alert--error" role="alert">
        {t("songError", { message: media.message })}
      </p>
    );
  }
  return (
    <button type="button" className="btn" onClick={() => setAsked(true)}>
      {t("loadSong")}
    </button>
  );
}
