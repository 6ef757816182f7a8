import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from "react";
import { ApiError, type ApiClient } from "../api";
import { roleLabel, t } from "../i18n";
import {
  MAX_LABEL_CHARS,
  ROLES,
  checkLabel,
  isProjectOwner,
  isRole,
  parseTokenIdInput,
  type Me,
  type Member,
  type NewKey,
  type ProjectKey,
  type Role,
} from "../keys";
import { useLoaded } from "../useLoaded";
import { Ltr, ltrText } from "./Ltr";
import { shortId } from "./RenderReport";
import { formatUpdatedAt } from "./ShotsTable";
import { trapTab } from "./VersionBrowser";

// The controls here carry no `data-action`: that attribute names the chat tool doing the same
// (tools.json, held to by src/parity.test.tsx), and managing keys and members is deliberately
// not a chat tool: a key's secret must never pass through a conversation with the model.

export interface KeysPanelProps {
  api: ApiClient;
  projectId: string;
}

interface Access {
  me: Me | null;
  /** null when the gateway would not list them (403 / 404). */
  members: Member[] | null;
}

/** `promise`'s value, or null when the gateway answered one of `statuses`. */
async function orNull<T>(promise: Promise<T>, statuses: readonly number[]): Promise<T | null> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ApiError && statuses.includes(err.status)) return null;
    throw err;
  }
}

function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : t("networkError");
}

/** Text of any direction (a label someone typed) inside a translated sentence, isolated. */
function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

/**
 * Who has access to the project: its members for anyone who may see them, and for its owners
 * the keys too — issue one (its secret shown once, in a dialog), revoke one (after asking),
 * and add a studio token as a member. A token that may not see the members (403) or a gateway
 * without these routes (404) shows nothing.
 */
export function KeysPanel({ api, projectId }: KeysPanelProps) {
  const titleId = useId();
  const load = useCallback(
    async (signal: AbortSignal): Promise<Access> => {
      const [me, members] = await Promise.all([
        orNull(api.getMe(signal), [404]),
        orNull(api.listMembers(projectId, signal), [403, 404]),
      ]);
      return { me, members };
    },
    [api, projectId],
  );
  const { state, replace } = useLoaded(load);
  const access = state.kind === "ready" ? state.value : null;
  const owner = access !== null && isProjectOwner(access.me, projectId, access.members ?? []);

  const accessRef = useRef(access);
  accessRef.current = access;
  const addMember = useCallback(
    async (tokenId: string, role: Role): Promise<Member> => {
      const member = await api.addMember(projectId, { tokenId, role });
      const now = accessRef.current;
      if (now) {
        const members = now.members ?? [];
        const known = members.some((m) => m.tokenId === member.tokenId);
        replace({
          ...now,
          members: known ? members.map((m) => (m.tokenId === member.tokenId ? member : m)) : [...members, member],
        });
      }
      return member;
    },
    [api, projectId, replace],
  );

  if (access !== null && !owner && access.members === null) return null;

  return (
    <section className="panel keys" aria-labelledby={titleId}>
      <h3 id={titleId}>{t("keysTitle")}</h3>
      {state.kind === "loading" && <p className="muted">{t("keysLoading")}</p>}
      {state.kind === "error" && (
        <p className="alert alert--error" role="alert">
          {state.message}
        </p>
      )}
      {access !== null && (
        <>
          {access.me && (
            <p className="keys__me muted">
              {t("keysYou", {
                label: isolate(access.me.label || shortId(access.me.tokenId)),
                role: access.me.admin ? t("keysYouAdmin") : roleLabel(access.me.role),
              })}
            </p>
          )}
          {owner && <KeysManager api={api} projectId={projectId} />}
          <MembersSection members={access.members} me={access.me} onAdd={owner ? addMember : undefined} />
        </>
      )}
    </section>
  );
}

// ---------------------------------------------------------------- keys (owners)

/** The secret of the key just issued: held only while its dialog is open. */
interface Issued {
  token: string;
  label: string;
}

function KeysManager({ api, projectId }: { api: ApiClient; projectId: string }) {
  const headingId = useId();
  const load = useCallback((signal: AbortSignal) => api.listKeys(projectId, signal), [api, projectId]);
  const { state, replace } = useLoaded(load);
  const keysRef = useRef<ProjectKey[] | null>(null);
  keysRef.current = state.kind === "ready" ? state.value : null;

  const [issued, setIssued] = useState<Issued | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const labelInput = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  /** The revoke button the open confirmation came from, to go back to when it is cancelled. */
  const revokeOpener = useRef<HTMLElement | null>(null);

  const issue = async (key: NewKey) => {
    const answer = await api.issueKey(projectId, key);
    const keys = keysRef.current;
    if (keys) replace([...keys.filter((k) => k.tokenId !== answer.key.tokenId), answer.key]);
    setIssued({ token: answer.token, label: answer.key.label });
  };

  const revoke = async (tokenId: string) => {
    const key = await api.revokeKey(projectId, tokenId);
    const keys = keysRef.current;
    if (keys) replace(keys.map((k) => (k.tokenId === key.tokenId ? key : k)));
    setConfirming(null);
    heading.current?.focus();
  };

  const cancelRevoke = () => {
    setConfirming(null);
    revokeOpener.current?.focus();
  };

  const closeSecret = () => {
    // The secret goes with the dialog: nothing keeps it once it is closed.
    setIssued(null);
    labelInput.current?.focus();
  };

  return (
    <div className="keys__section" role="group" aria-labelledby={headingId}>
      <h4 id={headingId} ref={heading} tabIndex={-1}>
        {t("keysListTitle")}
      </h4>
      <p className="muted keys__hint">{t("keysListHint")}</p>
      {state.kind === "loading" && <p className="muted">{t("keysListLoading")}</p>}
      {state.kind === "error" && (
        <p className="alert alert--error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === "ready" && state.value.length === 0 && <p className="muted">{t("keysNone")}</p>}
      {state.kind === "ready" && state.value.length > 0 && (
        <div className="keys__scroll">
          <table className="keys__table" aria-labelledby={headingId}>
            <thead>
              <tr>
                <th scope="col">{t("keysColLabel")}</th>
                <th scope="col">{t("keysColRole")}</th>
                <th scope="col">{t("keysColCreated")}</th>
                <th scope="col">{t("keysColState")}</th>
                <th scope="col">{t("colActions")}</th>
              </tr>
            </thead>
            <tbody>
              {state.value.map((key) => (
                <KeyRow
                  key={key.tokenId}
                  keyRecord={key}
                  confirming={confirming === key.tokenId}
                  onAsk={(opener) => {
                    revokeOpener.current = opener;
                    setConfirming(key.tokenId);
                  }}
                  onCancel={cancelRevoke}
                  onRevoke={() => revoke(key.tokenId)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <IssueForm onIssue={issue} labelInput={labelInput} />
      {issued && <SecretDialog secret={issued.token} label={issued.label} onClose={closeSecret} />}
    </div>
  );
}

interface KeyRowProps {
  keyRecord: ProjectKey;
  confirming: boolean;
  onAsk(opener: HTMLElement): void;
  onCancel(): void;
  /** Rejects with the gateway's refusal. */
  onRevoke(): Promise<void>;
}

function KeyRow({ keyRecord: key, confirming, onAsk, onCancel, onRevoke }: KeyRowProps) {
  const labelId = useId();
  const revoked = key.revokedAt !== null;
  return (
    <>
      <tr
        className={revoked ? "keys__row keys__row--revoked" : "keys__row"}
        data-token-id={key.tokenId}
        data-state={revoked ? "revoked" : "active"}
        aria-disabled={revoked || undefined}
      >
        <td className="keys__label">
          <span id={labelId} dir="auto">
            {key.label}
          </span>{" "}
          <Ltr className="mono muted">{shortId(key.tokenId)}</Ltr>
        </td>
        <td>{roleLabel(key.role)}</td>
        <td>
          {key.createdAt && <time dateTime={key.createdAt}>{formatUpdatedAt(key.createdAt)}</time>}
          {key.createdBy && <div className="muted">{t("keysBy", { name: isolate(key.createdBy) })}</div>}
        </td>
        <td className="keys__state">
          {revoked ? (
            <>
              {t("keysRevokedAt")}{" "}
              <time dateTime={key.revokedAt ?? ""}>{formatUpdatedAt(key.revokedAt ?? "")}</time>
              {key.revokedBy && <div>{t("keysBy", { name: isolate(key.revokedBy) })}</div>}
            </>
          ) : (
            t("keysActive")
          )}
        </td>
        <td>
          {!revoked && (
            <button
              type="button"
              className="btn btn--reject"
              aria-describedby={labelId}
              aria-expanded={confirming}
              onClick={(e) => onAsk(e.currentTarget)}
            >
              {t("keysRevoke")}
            </button>
          )}
        </td>
      </tr>
      {confirming && !revoked && (
        <tr className="keys__confirm-row">
          <td colSpan={5}>
            <RevokeConfirm label={key.label} onCancel={onCancel} onRevoke={onRevoke} />
          </td>
        </tr>
      )}
    </>
  );
}

function RevokeConfirm({ label, onCancel, onRevoke }: { label: string; onCancel(): void; onRevoke(): Promise<void> }) {
  const questionId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onRevoke();
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) return;
      setError(t("keysRevokeError", { message: errorText(err) }));
      setBusy(false);
    }
  };
  return (
    <div
      className="keys__confirm"
      role="group"
      aria-labelledby={questionId}
      onKeyDown={(e) => {
        if (e.key === "Escape" && !busy) onCancel();
      }}
    >
      <p id={questionId}>{t("keysRevokeQuestion", { label: isolate(label) })}</p>
      {error && (
        <p className="field-error" role="alert" dir="auto">
          {error}
        </p>
      )}
      <div className="keys__buttons">
        <button type="button" className="btn btn--reject" disabled={busy} onClick={() => void confirm()} autoFocus>
          {t("keysRevokeConfirm")}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={onCancel}>
          {t("cancel")}
        </button>
      </div>
    </div>
  );
}

function IssueForm({ onIssue, labelInput }: { onIssue(key: NewKey): Promise<void>; labelInput: RefObject<HTMLInputElement | null> }) {
  const labelId = useId();
  const roleId = useId();
  const [text, setText] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const checked = checkLabel(text);
    if ("error" in checked) {
      setError(checked.error === "blank" ? t("keysLabelBlank") : t("keysLabelLong", { max: ltrText(MAX_LABEL_CHARS) }));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await onIssue({ role, label: checked.label });
      setText("");
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) return;
      setError(t("keysIssueError", { message: errorText(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="keys__form" data-form="issue-key" onSubmit={(e) => void submit(e)} noValidate>
      <h5>{t("keysIssueTitle")}</h5>
      <div className="keys__fields">
        <label htmlFor={labelId}>{t("keysLabelLabel")}</label>
        <input
          id={labelId}
          ref={labelInput}
          dir="auto"
          value={text}
          required
          autoComplete="off"
          aria-invalid={error !== null || undefined}
          onChange={(e) => setText(e.target.value)}
        />
        <label htmlFor={roleId}>{t("keysRoleLabel")}</label>
        <RoleSelect id={roleId} value={role} onChange={setRole} />
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {t("keysIssue")}
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert" dir="auto">
          {error}
        </p>
      )}
    </form>
  );
}

function RoleSelect({ id, value, onChange }: { id: string; value: Role; onChange(role: Role): void }) {
  return (
    <select
      id={id}
      value={value}
      onChange={(e) => {
        if (isRole(e.target.value)) onChange(e.target.value);
      }}
    >
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {roleLabel(r)}
        </option>
      ))}
    </select>
  );
}

interface SecretDialogProps {
  secret: string;
  label: string;
  onClose(): void;
}

/** The secret of the key just issued, this once: to copy, with the warning that it will not be shown again. */
function SecretDialog({ secret, label, onClose }: SecretDialogProps) {
  const titleId = useId();
  const warningId = useId();
  const inputId = useId();
  const dialog = useRef<HTMLElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const copySecret = async () => {
    try {
      const clipboard = typeof navigator !== "undefined" ? navigator.clipboard : undefined;
      if (!clipboard) throw new Error("no clipboard");
      await clipboard.writeText(secret);
      setCopy("copied");
    } catch {
      setCopy("failed");
      input.current?.focus();
      input.current?.select();
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") onClose();
    if (event.key === "Tab" && dialog.current) trapTab(event, dialog.current);
  };

  return (
    <div className="overlay" onKeyDown={onKeyDown}>
      <section
        className="keys-secret"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={warningId}
        ref={dialog}
      >
        <h3 id={titleId}>{t("keysSecretTitle", { label: isolate(label) })}</h3>
        <p id={warningId} className="alert alert--warning keys-secret__warning">
          {t("keysSecretWarning")}
        </p>
        <label htmlFor={inputId}>{t("keysSecretLabel")}</label>
        <div className="keys-secret__field">
          <input
            id={inputId}
            ref={input}
            className="mono"
            dir="ltr"
            readOnly
            value={secret}
            spellCheck={false}
            autoComplete="off"
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" className="btn btn--primary" onClick={() => void copySecret()}>
            {t("keysCopy")}
          </button>
        </div>
        <p className={copy === "failed" ? "field-error" : "keys-secret__copied"} aria-live="polite">
          {copy === "copied" && t("keysCopied")}
          {copy === "failed" && t("keysCopyFailed")}
        </p>
        <div className="keys__buttons">
          <button type="button" className="btn" onClick={onClose}>
            {t("keysSecretClose")}
          </button>
        </div>
      </section>
    </div>
  );
}

// ---------------------------------------------------------------- members

interface MembersSectionProps {
  members: Member[] | null;
  me: Me | null;
  /** Owners only: adds a studio token; rejects with the gateway's refusal. */
  onAdd?(tokenId: string, role: Role): Promise<Member>;
}

function MembersSection({ members, me, onAdd }: MembersSectionProps) {
  const headingId = useId();
  return (
    <div className="keys__section" role="group" aria-labelledby={headingId}>
      <h4 id={headingId}>{t("membersTitle")}</h4>
      {members === null && <p className="muted">{t("membersUnavailable")}</p>}
      {members !== null && members.length === 0 && <p className="muted">{t("membersNone")}</p>}
      {members !== null && members.length > 0 && (
        <div className="keys__scroll">
          <table className="keys__table" aria-labelledby={headingId}>
            <thead>
              <tr>
                <th scope="col">{t("membersColToken")}</th>
                <th scope="col">{t("membersColRole")}</th>
                <th scope="col">{t("membersColGranted")}</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.tokenId} data-token-id={m.tokenId}>
                  <td>
                    <span title={m.tokenId}>
                      <Ltr className="mono">{shortId(m.tokenId)}</Ltr>
                    </span>
                    {me?.tokenId === m.tokenId && <span className="keys__you"> {t("membersYou")}</span>}
                  </td>
                  <td>{roleLabel(m.role)}</td>
                  <td>
                    {m.grantedAt && <time dateTime={m.grantedAt}>{formatUpdatedAt(m.grantedAt)}</time>}
                    {m.grantedBy && <div className="muted">{t("keysBy", { name: isolate(m.grantedBy) })}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {onAdd && <AddMemberForm onAdd={onAdd} />}
    </div>
  );
}

function AddMemberForm({ onAdd }: { onAdd(tokenId: string, role: Role): Promise<Member> }) {
  const tokenId = useId();
  const hintId = useId();
  const roleId = useId();
  const [text, setText] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    const id = parseTokenIdInput(text);
    if (id === null) {
      setError(t("membersTokenInvalid"));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const member = await onAdd(id, role);
      setText("");
      setDone(t(member.role === role ? "membersAdded" : "membersKept", { role: roleLabel(member.role) }));
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) return;
      setError(t("membersAddError", { message: errorText(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="keys__form" data-form="add-member" onSubmit={(e) => void submit(e)} noValidate>
      <h5>{t("membersAddTitle")}</h5>
      <div className="keys__fields">
        <label htmlFor={tokenId}>{t("membersTokenLabel")}</label>
        <input
          id={tokenId}
          className="mono keys__token-input"
          dir="ltr"
          value={text}
          required
          autoComplete="off"
          spellCheck={false}
          aria-describedby={hintId}
          aria-invalid={error !== null || undefined}
          onChange={(e) => setText(e.target.value)}
        />
        <label htmlFor={roleId}>{t("membersRoleLabel")}</label>
        <RoleSelect id={roleId} value={role} onChange={setRole} />
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {t("membersAdd")}
        </button>
      </div>
      <p id={hintId} className="muted keys__hint">
        {t("membersTokenHint")}
      </p>
      {error && (
        <p className="field-error" role="alert" dir="auto">
          {error}
        </p>
      )}
      {done && (
        <p className="keys__done" aria-live="polite">
          {done}
        </p>
      )}
    </form>
  );
}
