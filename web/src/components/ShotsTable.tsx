import { Fragment, useId, useState, type FormEvent } from "react";
import type { Shot } from "../api";
import { getLocale, intlTagOf, t, type MessageKey } from "../i18n";
import { formatMs } from "../shots";
import { StatusBadge } from "./StatusBadge";

export interface ShotsTableProps {
  shots: Shot[];
  /** Shot ids whose generate / approve / reject / refine request is running. */
  pending?: ReadonlySet<string>;
  /** Makes the still of a DRAFT shot, or again of a FAILED one. */
  onGenerate?(shotId: string): void;
  onApprove?(shotId: string): void;
  /** Resolves to true when the rejection was accepted (closes the form). */
  onReject?(shotId: string, reason: string): Promise<boolean>;
  /** Edits the still awaiting approval; resolves to null when accepted (closes the form), else the server's reason. */
  onRefine?(shotId: string, command: string): Promise<string | null>;
  /** Opens the shot's version browser; `number` is its row number. */
  onVersions?(shotId: string, number: number): void;
  /** Opens the shot's QA conversation (made if it has none); `number` is its row number. */
  onQa?(shotId: string, number: number): void;
}

const NO_PENDING: ReadonlySet<string> = new Set();

export function formatUpdatedAt(iso: string): string {
  if (iso === "") return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(intlTagOf(getLocale()), {
    dateStyle: "short",
    timeStyle: "medium",
  }).format(date);
}

/** The per-row form open under a row: the rejection's reason or the refinement's command. */
type OpenForm = { shotId: string; kind: "reject" | "refine" } | null;

/**
 * The project's shots in song order with their live status, and each row's actions — every one
 * marked with `data-action`, the name of the chat tool that does the same (see actions.ts):
 * generate a DRAFT or FAILED shot; approve, reject (with a reason) or refine (with one edit
 * command) a still awaiting approval; and the version browser and QA conversation.
 */
export function ShotsTable({ shots, pending = NO_PENDING, onGenerate, onApprove, onReject, onRefine, onVersions, onQa }: ShotsTableProps) {
  const [form, setForm] = useState<OpenForm>(null);
  const canAct = [onGenerate, onApprove, onReject, onRefine, onVersions, onQa].some((handler) => handler !== undefined);
  const closeForm = (shotId: string) => setForm((current) => (current?.shotId === shotId ? null : current));

  if (shots.length === 0) return <p className="muted">{t("noShots")}</p>;

  return (
    <div className="shots-scroll">
      <table className="shots">
        <caption>{t("shotsTitle")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("colIndex")}</th>
            <th scope="col">{t("colTime")}</th>
            <th scope="col">{t("colLyrics")}</th>
            <th scope="col">{t("colDescription")}</th>
            <th scope="col">{t("colStatus")}</th>
            <th scope="col">{t("colUpdated")}</th>
            {canAct && <th scope="col">{t("colActions")}</th>}
          </tr>
        </thead>
        <tbody>
          {shots.map((shot, i) => {
            const awaiting = shot.status === "AWAITING_APPROVAL";
            const generable = shot.status === "DRAFT" || shot.status === "FAILED";
            const busy = pending.has(shot.shotId);
            const open = form?.shotId === shot.shotId && awaiting ? form.kind : null;
            const rejectOpen = open === "reject" && onReject !== undefined;
            const refineOpen = open === "refine" && onRefine !== undefined;
            return (
              <Fragment key={shot.shotId}>
                <tr data-shot-id={shot.shotId} aria-busy={busy || undefined}>
                  <td className="shots__index">{i + 1}</td>
                  <td className="shots__time">
                    <span dir="ltr">
                      {formatMs(shot.startMs)} – {formatMs(shot.endMs)}
                    </span>
                  </td>
                  <td className="shots__lyrics">{shot.lyricsSnippet}</td>
                  <td className="shots__description">{shot.description}</td>
                  <td className="shots__status">
                    <StatusBadge status={shot.status} />
                    {shot.reason && <div className="shots__reason">{shot.reason}</div>}
                  </td>
                  <td className="shots__updated">
                    {shot.updatedAt && <time dateTime={shot.updatedAt}>{formatUpdatedAt(shot.updatedAt)}</time>}
                  </td>
                  {canAct && (
                    <td className="shots__actions">
                      {generable && onGenerate && (
                        <button
                          type="button"
                          className="btn btn--primary"
                          data-action="generate"
                          disabled={busy}
                          title={t(shot.status === "FAILED" ? "generateAgainHint" : "generateHint")}
                          onClick={() => onGenerate(shot.shotId)}
                        >
                          {t("generate")}
                        </button>
                      )}
                      {awaiting && (
                        <>
                          {onApprove && (
                            <button
                              type="button"
                              className="btn btn--approve"
                              data-action="approve"
                              disabled={busy}
                              onClick={() => onApprove(shot.shotId)}
                            >
                              {t("approve")}
                            </button>
                          )}
                          {onReject && (
                            <button
                              type="button"
                              className="btn btn--reject"
                              data-action="reject"
                              disabled={busy || rejectOpen}
                              onClick={() => setForm({ shotId: shot.shotId, kind: "reject" })}
                            >
                              {t("reject")}
                            </button>
                          )}
                          {onRefine && (
                            <button
                              type="button"
                              className="btn"
                              data-action="refine"
                              disabled={busy || refineOpen}
                              title={t("refineHint")}
                              onClick={() => setForm({ shotId: shot.shotId, kind: "refine" })}
                            >
                              {t("refine")}
                            </button>
                          )}
                        </>
                      )}
                      {onVersions && (
                        <button type="button" className="btn" onClick={() => onVersions(shot.shotId, i + 1)}>
                          {t("versionsButton")}
                        </button>
                      )}
                      {onQa && (
                        <button type="button" className="btn" title={t("qaButtonHint")} onClick={() => onQa(shot.shotId, i + 1)}>
                          {t("qaButton")}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
                {rejectOpen && (
                  <tr className="shots__reject-row">
                    <td colSpan={7}>
                      <ShotForm
                        key="reject"
                        kind="reject"
                        busy={busy}
                        onCancel={() => closeForm(shot.shotId)}
                        onSubmit={async (reason) => {
                          const ok = await onReject(shot.shotId, reason);
                          if (ok) closeForm(shot.shotId);
                          return null;
                        }}
                      />
                    </td>
                  </tr>
                )}
                {refineOpen && (
                  <tr className="shots__refine-row">
                    <td colSpan={7}>
                      <ShotForm
                        key="refine"
                        kind="refine"
                        busy={busy}
                        onCancel={() => closeForm(shot.shotId)}
                        onSubmit={async (command) => {
                          const refused = await onRefine(shot.shotId, command);
                          if (refused === null) closeForm(shot.shotId);
                          return refused;
                        }}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const FORMS = {
  reject: { label: "rejectReasonLabel", hint: null, required: "rejectReasonRequired", confirm: "rejectConfirm", className: "btn btn--reject" },
  refine: { label: "refineCommandLabel", hint: "refineHint", required: "refineCommandRequired", confirm: "refineConfirm", className: "btn btn--primary" },
} as const satisfies Record<string, { label: MessageKey; hint: MessageKey | null; required: MessageKey; confirm: MessageKey; className: string }>;

interface ShotFormProps {
  kind: keyof typeof FORMS;
  busy: boolean;
  /** Resolves to the server's reason when it refused the text (shown under the field), else null. */
  onSubmit(text: string): Promise<string | null>;
  onCancel(): void;
}

/** Asks for the rejection's reason or the refinement's edit command, which is required. */
function ShotForm({ kind, busy, onSubmit, onCancel }: ShotFormProps) {
  const texts = FORMS[kind];
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const hintId = useId();

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = text.trim();
    if (value === "") {
      setError(t(texts.required));
      return;
    }
    setError(null);
    const refused = await onSubmit(value);
    if (refused !== null) setError(refused);
  };

  return (
    <form className={`reject-form shot-form shot-form--${kind}`} data-form={kind} onSubmit={(e) => void submit(e)} noValidate>
      <label htmlFor={id}>{t(texts.label)}</label>
      <textarea
        id={id}
        rows={2}
        dir="auto"
        value={text}
        required
        aria-invalid={error !== null || undefined}
        aria-describedby={texts.hint ? hintId : undefined}
        onChange={(e) => setText(e.target.value)}
        autoFocus
      />
      {texts.hint && (
        <p id={hintId} className="shot-form__hint muted">
          {t(texts.hint)}
        </p>
      )}
      {error && (
        <p className="field-error" role="alert" dir="auto">
          {error}
        </p>
      )}
      <div className="reject-form__buttons">
        <button type="submit" className={texts.className} disabled={busy}>
          {t(texts.confirm)}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}
