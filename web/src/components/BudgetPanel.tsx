import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import { runAction } from "../actions";
import { ApiError, type ApiClient } from "../api";
import { MAX_CAP_USD, parseCapInput, usage, type Budget } from "../budget";
import { t } from "../i18n";
import { formatUsd } from "../renders";
import { useLoaded } from "../useLoaded";
import { Ltr, ltrText } from "./Ltr";

export interface BudgetPanelProps {
  api: ApiClient;
  projectId: string;
  /** A budget the chat's set_budget_cap tool got back: shown as the PUT's answer here would be. */
  latest?: Budget | null;
}

/**
 * What the project may still spend: the ledger's spent, reserved and available money against
 * its cap (a bar, red once past it), the calls paused for money, and the cap editor — the one
 * place to raise it on the dashboard (the chat's set_budget_cap tool is the other), which resumes
 * those calls. Saving runs actions.ts's runAction, as the chat's tool does.
 */
export function BudgetPanel({ api, projectId, latest }: BudgetPanelProps) {
  const titleId = useId();
  const load = useCallback((signal: AbortSignal) => api.getBudget(projectId, signal), [api, projectId]);
  const { state, replace } = useLoaded(load);
  useEffect(() => {
    if (latest) replace(latest);
  }, [latest, replace]);
  return (
    <section className="panel budget" aria-labelledby={titleId}>
      <h3 id={titleId}>{t("budgetTitle")}</h3>
      {state.kind === "loading" && <p className="muted">{t("budgetLoading")}</p>}
      {state.kind === "error" && (
        <p className="alert alert--error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === "ready" && (
        <>
          <BudgetFigures budget={state.value} />
          <CapEditor
            cap={state.value.capUsdMicros}
            onSave={async (capUsd) => {
              const { result: next } = await runAction(api, projectId, { tool: "set_budget_cap", capUsd });
              replace(next);
              return next;
            }}
          />
        </>
      )}
    </section>
  );
}

function BudgetFigures({ budget: b }: { budget: Budget }) {
  const share = usage(b);
  const text = t("budgetUsedText", {
    spent: ltrText(formatUsd(b.spentUsdMicros)),
    reserved: ltrText(formatUsd(b.reservedUsdMicros)),
    cap: ltrText(formatUsd(b.capUsdMicros)),
  });
  const figures: [string, string, number][] = [
    ["spent", t("costSpent"), b.spentUsdMicros],
    ["reserved", t("costReserved"), b.reservedUsdMicros],
    ["available", t("budgetAvailable"), b.availableUsdMicros],
    ["cap", t("costCap"), b.capUsdMicros],
  ];
  return (
    <>
      <dl className="budget__figures">
        {figures.map(([name, label, micros]) => (
          <div key={name} data-figure={name}>
            <dt>{label}</dt>
            <dd>
              <Ltr>{formatUsd(micros)}</Ltr>
            </dd>
          </div>
        ))}
      </dl>
      <div
        className={share.over ? "budget__bar budget__bar--over" : "budget__bar"}
        role="meter"
        aria-label={t("budgetUsed")}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round((share.spent + share.reserved) * 100)}
        aria-valuetext={text}
      >
        <span className="budget__spent" style={{ inlineSize: `${share.spent * 100}%` }} />
        <span className="budget__reserved" style={{ inlineSize: `${share.reserved * 100}%` }} />
      </div>
      <p className="budget__caption muted">
        {text}
        {share.over && <strong className="budget__over"> · {t("overCap")}</strong>}
      </p>
      {b.waiting > 0 && <p className="alert alert--warning">{t("budgetWaiting", { count: ltrText(b.waiting) })}</p>}
    </>
  );
}

interface CapEditorProps {
  /** The cap in force when the editor opened, in micro-dollars: the field starts at it. */
  cap: number;
  onSave(capUsd: number): Promise<Budget>;
}

/** The new cap in dollars: checked as typed against the gateway's limits, then sent. */
function CapEditor({ cap, onSave }: CapEditorProps) {
  const id = useId();
  const [text, setText] = useState((cap / 1_000_000).toFixed(2));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const capUsd = parseCapInput(text);
    setSaved(null);
    if (capUsd === null) {
      setError(t("budgetCapInvalid", { max: ltrText(formatUsd(MAX_CAP_USD * 1_000_000)) }));
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const next = await onSave(capUsd);
      const done = t("budgetCapSaved", { cap: ltrText(formatUsd(next.capUsdMicros)) });
      setSaved(next.resumed > 0 ? `${done} · ${t("budgetCapResumed", { count: ltrText(next.resumed) })}` : done);
    } catch (err) {
      if (err instanceof ApiError && err.unauthorized) return;
      setError(t("budgetCapError", { message: err instanceof ApiError ? err.message : t("networkError") }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="budget__editor" onSubmit={submit} noValidate>
      <label htmlFor={id}>{t("budgetCapLabel")}</label>
      <input
        id={id}
        dir="ltr"
        inputMode="decimal"
        value={text}
        aria-invalid={error !== null || undefined}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="btn btn--primary" data-action="set_budget_cap" disabled={busy}>
        {t("budgetCapSave")}
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <p className="budget__saved" aria-live="polite">
          {saved}
        </p>
      )}
    </form>
  );
}
