import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { ApiClient } from "../api";
import { t } from "../i18n";
import { useLoaded } from "../useLoaded";
import type { ObjectUrls } from "../useMediaUrl";
import { withTranslations, type ShownVersion } from "../versions";
import { Ltr, ltrText } from "./Ltr";
import { shortId } from "./RenderReport";
import { formatUpdatedAt } from "./ShotsTable";
import { VersionDetail, authorLabel, kindLabel } from "./VersionDetail";

export interface VersionBrowserProps {
  api: ApiClient;
  shotId: string;
  /** How the shot is named in the title ("שוט 3"). */
  shotLabel: string;
  onClose(): void;
  objectUrls?: ObjectUrls;
}

/**
 * Every version a shot has had, newest first, to see how it got where it is: a list to pick
 * from beside the version picked, and newer / older to step through them. The gateway sends
 * the whole history at once (it does not page), so the paging is here, one version at a time.
 */
export function VersionBrowser({ api, shotId, shotLabel, onClose, objectUrls }: VersionBrowserProps) {
  const titleId = useId();
  const load = useCallback((signal: AbortSignal) => api.listVersions(shotId, signal), [api, shotId]);
  const { state } = useLoaded(load);
  const versions = useMemo(() => (state.kind === "ready" ? withTranslations(state.value) : []), [state]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const found = versions.findIndex((v) => v.versionId === selectedId);
  const at = found < 0 ? 0 : found;
  const selected: ShownVersion | undefined = versions[at];
  const step = (by: number) => setSelectedId(versions[at + by]?.versionId ?? null);
  const listed = new Set(versions.map((v) => v.versionId));

  const dialog = useRef<HTMLElement>(null);
  // Focus goes back where it was (the row's versions button) when the dialog closes; read while
  // rendering, before the close button's autoFocus takes it.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  useEffect(() => () => opener?.focus(), [opener]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") onClose();
    if (event.key === "Tab" && dialog.current) trapTab(event, dialog.current);
  };

  return (
    <div className="overlay" onKeyDown={onKeyDown}>
      <section className="versions" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={dialog}>
        <header className="versions__head">
          <h3 id={titleId}>{t("versionsTitle", { shot: shotLabel })}</h3>
          <button type="button" className="btn" onClick={onClose} autoFocus>
            {t("dismiss")}
          </button>
        </header>

        {state.kind === "loading" && <p className="muted">{t("versionsLoading")}</p>}
        {state.kind === "error" && (
          <p className="alert alert--error" role="alert">
            {state.message}
          </p>
        )}
        {state.kind === "ready" && versions.length === 0 && <p className="muted">{t("versionsEmpty")}</p>}
        {selected && (
          <div className="versions__body">
            <nav className="versions__nav" aria-label={t("versionsList")}>
              <div className="versions__pager">
                <button type="button" className="btn" disabled={at === 0} onClick={() => step(-1)}>
                  {t("versionsNewer")}
                </button>
                <span className="versions__position">
                  {t("versionsPosition", { n: ltrText(versions.length - at), total: ltrText(versions.length) })}
                </span>
                <button type="button" className="btn" disabled={at === versions.length - 1} onClick={() => step(1)}>
                  {t("versionsOlder")}
                </button>
              </div>
              <ol className="versions__list">
                {versions.map((v, i) => (
                  <li key={v.versionId}>
                    <button
                      type="button"
                      className="versions__item"
                      aria-pressed={i === at}
                      data-version-id={v.versionId}
                      onClick={() => setSelectedId(v.versionId)}
                    >
                      <span className="versions__number">
                        <Ltr>{versions.length - i}</Ltr>
                      </span>
                      <span className="versions__kind">{kindLabel(v.kind)}</span>
                      <span className="versions__author muted">{authorLabel(v.author)}</span>
                      <Ltr className="mono muted">{shortId(v.versionId)}</Ltr>
                      {v.createdAt && <time dateTime={v.createdAt}>{formatUpdatedAt(v.createdAt)}</time>}
                    </button>
                  </li>
                ))}
              </ol>
            </nav>
            <VersionDetail
              key={selected.versionId}
              api={api}
              version={selected}
              onShowParent={selected.parent !== null && listed.has(selected.parent) ? setSelectedId : undefined}
              objectUrls={objectUrls}
            />
          </div>
        )}
      </section>
    </div>
  );
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), video[controls], [tabindex]:not([tabindex="-1"])';

/** Keeps Tab and Shift+Tab inside `dialog` (a modal): past the last control is the first. */
export function trapTab(event: KeyboardEvent, dialog: HTMLElement) {
  const focusable = Array.from(dialog.querySelectorAll<HTMLElement>(FOCUSABLE));
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  if (event.shiftKey && (active === first || !dialog.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}
