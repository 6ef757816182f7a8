import { Fragment, useId, useState, type FormEvent } from "react";
import type { Shot } from "../api";
import { getLocale, intlTagOf, t } from "../i18n";
import { formatMs } from "../shots";
import { StatusBadge } from "./StatusBadge";

export interface ShotsTableProps {
  shots: Shot[];
  /** Shot ids whose approve / reject request is running. */
  pending?: ReadonlySet<string>;
  onApprove?(shotId: string): void;
  /** Resolves to true when the rejection was accepted (closes the form). */
  onReject?(shotId: string, reason: string): Promise<boolean>;
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

export function ShotsTable({ shots, pending = NO_PENDING, onApprove, onReject, onVersions, onQa }: ShotsTableProps) {
  const [rejecting, setRejecting] = useState<string | null>(null);
  const canAct = onApprove !== undefined || onReject !== undefined || onVersions !== undefined || onQa !== undefined;

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
            const busy = pending.has(shot.shotId);
            const formOpen = rejecting === shot.shotId && awaiting && onReject !== undefined;
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
                      {awaiting && (
                        <>
                          {onApprove && (
                            <button
                              type="button"
                              className="btn btn--approve"
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
                              disabled={busy || formOpen}
                              onClick={() => setRejecting(shot.shotId)}
                            >
                              {t("reject")}
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
                {formOpen && (
                  <tr className="shots__reject-row">
                    <td colSpan={7}>
                      <RejectForm
                        busy={busy}
                        onCancel={() => setRejecting(null)}
                        onSubmit={async (reason) => {
                          const ok = await onReject(shot.shotId, reason);
                          if (ok) setRejecting((current) => (current === shot.shotId ? null : current));
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

interface RejectFormProps {
  busy: boolean;
  onSubmit(reason: string): void;
  onCancel(): void;
}

/** Asks for the rejection reason, which is required. */
function RejectForm({ busy, onSubmit, onCancel }: RejectFormProps) {
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = reason.trim();
    if (value === "") {
      setError(t("rejectReasonRequired"));
      return;
    }
    setError(null);
    onSubmit(value);
  };

  return (
    <form className="reject-form" onSubmit={submit} noValidate>
      <label htmlFor={id}>{t("rejectReasonLabel")}</label>
      <textarea
        id={id}
        rows={2}
        value={reason}
        required
        aria-invalid={error !== null || undefined}
        onChange={(e) => setReason(e.target.value)}
        autoFocus
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="reject-form__buttons">
        <button type="submit" className="btn btn--reject" disabled={busy}>
          {t("rejectConfirm")}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t("cancel")}
        </button>
      </div>
    </form>
  );
}
