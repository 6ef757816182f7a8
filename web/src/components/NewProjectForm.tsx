import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import { flushSync } from "react-dom";
import { ApiError, type ApiClient } from "../api";
import { t } from "../i18n";
import { formatBytes, type UploadProgress } from "../upload";
import { Ltr, ltrText } from "./Ltr";
import { ProgressTrack } from "./ProgressTrack";

/** The gateway's limit on a project's name (gateway/src/rest.rs `create_project`, in chars;
 * maxLength counts UTF-16 units, so it never lets a longer one through). */
export const MAX_NAME_CHARS = 200;

export interface NewProjectFormProps {
  api: ApiClient;
  /** The project was made; `analyse` asks for its song analysis to start. */
  onCreated(projectId: string, analyse: boolean): void;
  /** Closes the form (offered while nothing is being uploaded). */
  onClose?(): void;
}

interface Failure {
  /** What went wrong, in the UI's language. */
  title: string;
  /** The server's own words, which name the problem ("the song file is not an MP3: …"). */
  detail: string;
}

interface FieldErrors {
  name?: string;
  song?: string;
}

function failureOf(err: unknown): Failure {
  if (!(err instanceof ApiError)) return { title: t("uploadFailed"), detail: t("networkError") };
  const title =
    err.status === 413
      ? t("uploadTooLarge")
      : err.status === 422
        ? t("uploadBadSong")
        : err.status === 400
          ? t("uploadBadForm")
          : t("uploadFailed");
  return { title, detail: err.message };
}

function isAbort(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "AbortError";
}

/**
 * A new project from its song: the name, the MP3, the lyrics and the plot, uploaded in one
 * request whose progress is shown as it goes (a song is megabytes), with a way to cancel it,
 * and the server's reason when it refuses — too large, not an MP3, a missing field.
 */
export function NewProjectForm({ api, onCreated, onClose }: NewProjectFormProps) {
  const [name, setName] = useState("");
  const [song, setSong] = useState<File | null>(null);
  const [lyrics, setLyrics] = useState("");
  const [plot, setPlot] = useState("");
  const [analyse, setAnalyse] = useState(true);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const upload = useRef<AbortController | null>(null);
  const ids = { title: useId(), name: useId(), song: useId(), lyrics: useId(), lyricsHint: useId(), plot: useId(), plotHint: useId() };

  // Leaving the page section mid-upload cancels it.
  useEffect(() => () => upload.current?.abort(), []);

  const uploading = progress !== null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (uploading) return;
    const trimmed = name.trim();
    const errors: FieldErrors = {};
    if (trimmed === "") errors.name = t("nameRequired");
    if (song === null) errors.song = t("songRequired");
    setFieldErrors(errors);
    if (trimmed === "" || song === null) return;

    const controller = new AbortController();
    upload.current = controller;
    setFailure(null);
    setCancelled(false);
    setProgress({ loaded: 0, total: 0 });
    try {
      const projectId = await api.createProject(
        { name: trimmed, song, lyrics, plot },
        // Drawn at each event: batched, the last one (100 %) would land in the same render as
        // the answer that follows it at once on a fast link, and never be seen.
        { signal: controller.signal, onProgress: (p) => flushSync(() => setProgress(p)) },
      );
      onCreated(projectId, analyse);
    } catch (err) {
      if (isAbort(err)) setCancelled(true);
      else if (!(err instanceof ApiError && err.unauthorized)) setFailure(failureOf(err));
    } finally {
      upload.current = null;
      setProgress(null);
    }
  }

  const sent = progress !== null && progress.total > 0 && progress.loaded >= progress.total;
  const percent = progress !== null && progress.total > 0 ? Math.floor((progress.loaded / progress.total) * 100) : 0;

  return (
    <form className="new-project" aria-labelledby={ids.title} onSubmit={(e) => void submit(e)} noValidate>
      <h3 id={ids.title}>{t("newProjectTitle")}</h3>
      <fieldset className="new-project__fields" disabled={uploading}>
        <div className="field">
          <label htmlFor={ids.name}>{t("projectNameLabel")}</label>
          <input
            id={ids.name}
            type="text"
            dir="auto"
            value={name}
            maxLength={MAX_NAME_CHARS}
            aria-invalid={fieldErrors.name !== undefined || undefined}
            onChange={(e) => setName(e.target.value)}
          />
          {fieldErrors.name && <p className="field-error">{fieldErrors.name}</p>}
        </div>
        <div className="field">
          <label htmlFor={ids.song}>{t("songFileLabel")}</label>
          {/* The browser's own picker speaks the browser's language: it is hidden (still
              focusable) behind a button and a file name in the page's. */}
          <div className="new-project__file">
            <input
              id={ids.song}
              className="file-input"
              type="file"
              accept=".mp3,audio/mpeg"
              aria-invalid={fieldErrors.song !== undefined || undefined}
              onChange={(e) => setSong(e.target.files?.[0] ?? null)}
            />
            <label htmlFor={ids.song} className="btn file-input__button">
              {t("chooseSong")}
            </label>
            {song ? (
              <>
                <span dir="auto" className="new-project__file-name">
                  {song.name}
                </span>
                <Ltr className="muted">{formatBytes(song.size)}</Ltr>
              </>
            ) : (
              <span className="muted">{t("noSongChosen")}</span>
            )}
          </div>
          {fieldErrors.song && <p className="field-error">{fieldErrors.song}</p>}
        </div>
        <TextField id={ids.lyrics} hintId={ids.lyricsHint} label={t("lyricsLabel")} hint={t("lyricsHint")} rows={6} value={lyrics} onChange={setLyrics} />
        <TextField id={ids.plot} hintId={ids.plotHint} label={t("plotLabel")} hint={t("plotHint")} rows={4} value={plot} onChange={setPlot} />
        <label className="check">
          <input type="checkbox" checked={analyse} onChange={(e) => setAnalyse(e.target.checked)} />
          {t("analyseAfterUpload")}
        </label>
      </fieldset>

      {progress !== null && (
        <div className="upload-progress" data-sent={sent || undefined}>
          <div className="upload-progress__label">
            <span>
              {sent
                ? t("uploadChecking")
                : t("uploadSending", {
                    sent: ltrText(formatBytes(progress.loaded)),
                    total: ltrText(formatBytes(progress.total || (song?.size ?? 0))),
                  })}
            </span>
            <Ltr className="upload-progress__percent">{`${percent}%`}</Ltr>
          </div>
          <ProgressTrack block="upload-progress" label={t("uploadProgressLabel")} percent={percent} />
        </div>
      )}

      {failure && (
        <div className="alert alert--error" role="alert">
          <strong>{failure.title}</strong>
          <p className="new-project__detail" dir="auto">
            {failure.detail}
          </p>
        </div>
      )}
      {cancelled && <p className="alert alert--warning">{t("uploadCancelled")}</p>}

      <div className="new-project__buttons">
        {uploading ? (
          // Once every byte is sent the server may already be making the project: too late.
          <button type="button" className="btn" disabled={sent} onClick={() => upload.current?.abort()}>
            {t("uploadCancel")}
          </button>
        ) : (
          <>
            <button type="submit" className="btn btn--primary">
              {t("uploadSubmit")}
            </button>
            {onClose && (
              <button type="button" className="btn" onClick={onClose}>
                {t("cancel")}
              </button>
            )}
          </>
        )}
      </div>
    </form>
  );
}

interface TextFieldProps {
  id: string;
  hintId: string;
  label: string;
  hint: string;
  rows: number;
  value: string;
  onChange(value: string): void;
}

/** A labelled textarea with its hint; `dir="auto"` so Hebrew and English lyrics each read right. */
function TextField({ id, hintId, label, hint, rows, value, onChange }: TextFieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} dir="auto" rows={rows} value={value} aria-describedby={hintId} onChange={(e) => onChange(e.target.value)} />
      <p id={hintId} className="field-hint muted">
        {hint}
      </p>
    </div>
  );
}
