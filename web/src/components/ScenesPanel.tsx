import { useCallback, useId } from "react";
import type { ApiClient } from "../api";
import { t } from "../i18n";
import { useLoaded } from "../useLoaded";
import type { ObjectUrls } from "../useMediaUrl";
import { SceneCard } from "./SceneCard";

export interface ScenesPanelProps {
  api: ApiClient;
  projectId: string;
  objectUrls?: ObjectUrls;
}

/**
 * The project's scenes from its newest breakdown, in film order, each as a card with its
 * reference images; before any breakdown, what makes them and when.
 */
export function ScenesPanel({ api, projectId, objectUrls }: ScenesPanelProps) {
  const titleId = useId();
  const load = useCallback((signal: AbortSignal) => api.listScenes(projectId, signal), [api, projectId]);
  const { state } = useLoaded(load);
  return (
    <section className="panel scenes" aria-labelledby={titleId}>
      <h3 id={titleId}>{t("scenesTitle")}</h3>
      {state.kind === "loading" && <p className="muted">{t("scenesLoading")}</p>}
      {state.kind === "error" && (
        <p className="alert alert--error" role="alert">
          {state.message}
        </p>
      )}
      {state.kind === "ready" &&
        (state.value.length === 0 ? (
          <p className="panel__empty muted">{t("scenesNone")}</p>
        ) : (
          <div className="scenes__grid">
            {state.value.map((scene) => (
              <SceneCard key={scene.sceneId} api={api} scene={scene} objectUrls={objectUrls} />
            ))}
          </div>
        ))}
    </section>
  );
}
