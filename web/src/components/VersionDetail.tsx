import type { ApiClient } from "../api";
import { t, type MessageKey } from "../i18n";
import { formatUsd } from "../renders";
import { useMediaUrl, type ObjectUrls } from "../useMediaUrl";
import { mediaKindOf, type ShownVersion } from "../versions";
import { Ltr, ltrText } from "./Ltr";
import { MediaImage } from "./MediaImage";
import { shortId } from "./RenderReport";
import { formatUpdatedAt } from "./ShotsTable";

const KIND_LABELS: Record<string, MessageKey> = {
  prompt: "kindPrompt",
  image: "kindImage",
  video: "kindVideo",
  edit: "kindEdit",
  audit: "kindAudit",
  render: "kindRender",
  translation: "kindTranslation",
};

const AUTHOR_LABELS: Record<string, MessageKey> = { user: "authorUser", llm: "authorLlm", system: "authorSystem" };

/** The label of a version kind; a kind this UI does not know is shown raw. */
export function kindLabel(kind: string): string {
  const key = KIND_LABELS[kind];
  return key ? t(key) : kind;
}

/** Who made a version (user, llm, system); another author is shown raw. */
export function authorLabel(author: string): string {
  const key = AUTHOR_LABELS[author];
  return key ? t(key) : author;
}

/** Kinds whose text is a prompt, and so should have a Hebrew translation beside it. */
const TRANSLATED = new Set(["prompt", "edit"]);

export interface VersionDetailProps {
  api: ApiClient;
  version: ShownVersion;
  /** Shown when the version it was made from is in the list; selects it. */
  onShowParent?(versionId: string): void;
  objectUrls?: ObjectUrls;
}

/**
 * One version as the director judges it: who made it and why first, then what it is — the
 * still or clip itself, or the prompt in Hebrew beside the exact request the provider got.
 */
export function VersionDetail({ api, version, onShowParent, objectUrls }: VersionDetailProps) {
  const media = mediaKindOf(version);
  const { parent } = version;
  const label = `${kindLabel(version.kind)} ${shortId(version.versionId)}`;
  return (
    <article className="version" data-version-id={version.versionId}>
      <header className="version__head">
        <span className={`badge badge--kind-${version.kind}`}>{kindLabel(version.kind)}</span>
        <Ltr className="mono version__id">{shortId(version.versionId)}</Ltr>
        {version.createdAt && (
          <time className="muted" dateTime={version.createdAt}>
            {formatUpdatedAt(version.createdAt)}
          </time>
        )}
      </header>

      <dl className="version__meta">
        <div data-field="who">
          <dt>{t("versionWho")}</dt>
          <dd>
            {authorLabel(version.author)}
            {version.modelCode && (
              <>
                {" · "}
                <Ltr className="mono">{version.modelCode}</Ltr>
              </>
            )}
          </dd>
        </div>
        <div data-field="why">
          <dt>{t("versionWhy")}</dt>
          <dd dir="auto" className={version.reason ? "version__reason" : "muted"}>
            {version.reason ?? t("versionNoReason")}
          </dd>
        </div>
        {version.seed !== null && (
          <div data-field="seed">
            <dt>{t("colSeed")}</dt>
            <dd>
              <Ltr>{version.seed}</Ltr>
            </dd>
          </div>
        )}
        {version.cost !== null && (
          <div data-field="cost">
            <dt>{t("costTitle")}</dt>
            <dd>
              {version.cost.estimated ? (
                t("versionCostEstimated", { cost: ltrText(formatUsd(version.cost.usdMicros)) })
              ) : (
                <Ltr>{formatUsd(version.cost.usdMicros)}</Ltr>
              )}
            </dd>
          </div>
        )}
        {parent !== null && onShowParent && (
          <div data-field="parent">
            <dt>{t("versionFrom")}</dt>
            <dd>
              <button type="button" className="btn btn--link" onClick={() => onShowParent(parent)}>
                <Ltr className="mono">{shortId(parent)}</Ltr>
              </button>
            </dd>
          </div>
        )}
      </dl>

      {media === "image" && (
        <MediaImage api={api} url={version.mediaUrl!} alt={label} className="version__still" objectUrls={objectUrls} />
      )}
      {media === "video" && <VersionClip api={api} url={version.mediaUrl!} label={label} objectUrls={objectUrls} />}

      {(TRANSLATED.has(version.kind) || version.hebrew !== null) && (
        <section className="version__section">
          <h5>{t("versionHebrew")}</h5>
          {version.hebrew !== null ? (
            <p className="version__hebrew" lang="he" dir="auto">
              {version.hebrew}
            </p>
          ) : (
            <p className="muted">{t("versionNoHebrew")}</p>
          )}
        </section>
      )}
      {version.request !== null ? (
        <section className="version__section">
          <h5>{t("versionRequest")}</h5>
          <pre className="version__json" dir="ltr">
            {JSON.stringify(version.request, null, 2)}
          </pre>
        </section>
      ) : (
        version.prompt !== null && (
          <section className="version__section">
            <h5>{t("versionPromptText")}</h5>
            <pre className="version__json" dir="ltr">
              {version.prompt}
            </pre>
          </section>
        )
      )}
    </article>
  );
}

/** A clip or render of the version, fetched with the token like every media file. */
function VersionClip({ api, url, label, objectUrls }: { api: ApiClient; url: string; label: string; objectUrls?: ObjectUrls }) {
  const media = useMediaUrl(api, url, true, objectUrls);
  return (
    <div className="version__clip">
      {media.kind === "ready" ? (
        <video controls preload="metadata" src={media.url} aria-label={label} />
      ) : media.kind === "error" ? (
        <p className="alert alert--error" role="alert">
          {t("mediaError", { message: media.message })}
        </p>
      ) : (
        <p className="muted">{t("mediaLoading")}</p>
      )}
    </div>
  );
}
