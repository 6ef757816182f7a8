import type { ApiClient } from "../api";
import { t } from "../i18n";
import { formatSpan } from "../renders";
import type { Scene, SceneReference } from "../scenes";
import type { ObjectUrls } from "../useMediaUrl";
import { Ltr } from "./Ltr";
import { MediaImage } from "./MediaImage";

export interface SceneCardProps {
  api: ApiClient;
  scene: Scene;
  objectUrls?: ObjectUrls;
}

function referenceLabel(ref: SceneReference): string {
  if (ref.role === "background") return t("sceneBackground");
  if (ref.role === "outfit") return t("sceneOutfit");
  return t("referenceProp", { name: ref.name });
}

function Swatch({ hex, name }: { hex: string; name?: string }) {
  return (
    <span className="swatch">
      <span className="swatch__chip" style={{ background: hex }} aria-hidden="true" />
      {name && <span>{name}</span>}
      <Ltr className="mono">{hex}</Ltr>
    </span>
  );
}

/**
 * One scene as its shots will inherit it: the place, Miri's outfit and the props (every colour
 * with its exact code), the seed every FLUX call of the scene uses, and the reference images
 * made from them, so the director can see what keeps the scene's shots alike before any exist.
 */
export function SceneCard({ api, scene, objectUrls }: SceneCardProps) {
  return (
    <article className="scene" data-scene-id={scene.sceneId}>
      <header className="scene__head">
        <h4>{t("sceneNumber", { n: scene.index + 1 })}</h4>
        <Ltr className="muted">{formatSpan(scene)}</Ltr>
        {scene.seed !== null && (
          <span className="scene__seed">
            {t("colSeed")} <Ltr className="mono">{scene.seed}</Ltr>
          </span>
        )}
      </header>
      {scene.location && <p className="scene__location">{scene.location}</p>}
      <dl className="scene__facts">
        <dt>{t("sceneBackground")}</dt>
        <dd dir="auto">{scene.background}</dd>
        <dt>{t("sceneOutfit")}</dt>
        <dd>
          <span dir="auto">{scene.outfit.description}</span>
          {scene.outfit.colours.length > 0 && (
            <span className="scene__colours">
              {scene.outfit.colours.map((c) => (
                <Swatch key={`${c.name}${c.hex}`} hex={c.hex} name={c.name} />
              ))}
            </span>
          )}
        </dd>
        <dt>{t("sceneProps")}</dt>
        <dd>
          {scene.props.length === 0 ? (
            <span className="muted">{t("sceneNoProps")}</span>
          ) : (
            <ul className="scene__props">
              {scene.props.map((p) => (
                <li key={p.name}>
                  <strong>{p.name}</strong> <span dir="auto">{p.description}</span>
                  {p.colour && <Swatch hex={p.colour} />}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      <h5>{t("sceneReferences")}</h5>
      {scene.references.length === 0 ? (
        <p className="muted">{t("sceneNoReferences")}</p>
      ) : (
        <ul className="scene__refs">
          {scene.references.map((ref) => (
            <li key={ref.assetId} data-role={ref.role}>
              <figure className="scene__ref">
                {ref.mediaUrl !== null ? (
                  <MediaImage api={api} url={ref.mediaUrl} alt={referenceLabel(ref)} objectUrls={objectUrls} />
                ) : (
                  <div className="media-image media-image--placeholder">
                    <p className="muted">{t("referencePending")}</p>
                  </div>
                )}
                <figcaption>{referenceLabel(ref)}</figcaption>
              </figure>
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}
