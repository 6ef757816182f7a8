import { useCallback } from "react";
import type { ApiClient } from "../api";
import type { Health, ProviderHealth } from "../health";
import { t, type MessageKey } from "../i18n";
import { formatSeconds, formatShare } from "../renders";
import { useLoaded } from "../useLoaded";
import { Ltr, ltrText } from "./Ltr";

/** How often the workers' reports are read again (each lives in Redis for a few seconds). */
const REFRESH_MS = 30_000;

const LABELS: Record<Health, MessageKey> = {
  up: "healthUp",
  degraded: "healthDegraded",
  down: "healthDown",
  unknown: "healthUnknown",
};

/**
 * Whether the providers Miri pays for (FLUX on fal, Kling, the language models) are answering,
 * as the workers' circuit breakers see it, read again every half minute: so a shot that waits
 * is seen to wait for a provider rather than for nothing. One line, details on the item.
 */
export function ProviderHealthStrip({ api }: { api: ApiClient }) {
  const load = useCallback((signal: AbortSignal) => api.providerHealth(signal), [api]);
  const { state } = useLoaded(load, REFRESH_MS);
  return (
    <section className="health" aria-label={t("healthTitle")}>
      <span className="health__title">{t("healthTitle")}</span>
      {state.kind === "loading" && <span className="muted">{t("healthLoading")}</span>}
      {state.kind === "error" && (
        <span className="health__error">{t("healthUnavailable", { message: state.message })}</span>
      )}
      {state.kind === "ready" && (
        <ul className="health__list">
          {state.value.map((p) => (
            <ProviderItem key={p.provider} provider={p} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ProviderItem({ provider: p }: { provider: ProviderHealth }) {
  const title = p.lastError === null ? undefined : `${t("healthLastError")} ${p.lastError}`;
  return (
    <li className={`health__item health__item--${p.health}`} data-provider={p.provider} data-health={p.health} title={title}>
      <span className="health__dot" aria-hidden="true" />
      <Ltr className="health__name">{p.provider}</Ltr>
      <span className="health__state">{t(LABELS[p.health])}</span>
      {p.failureRate !== null && p.failureRate > 0 && (
        <span className="health__detail">{t("healthFailures", { rate: ltrText(formatShare(p.failureRate)) })}</span>
      )}
      {p.retryInMs !== null && (
        <span className="health__detail">{t("healthRetryIn", { seconds: ltrText(formatSeconds(p.retryInMs)) })}</span>
      )}
      {p.lastError !== null && (
        <span className="health__detail health__last-error">
          {t("healthLastError")}{" "}
          <bdi dir="auto" className="health__message">
            {p.lastError}
          </bdi>
        </span>
      )}
    </li>
  );
}
