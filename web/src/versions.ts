// A shot's history as the version browser shows it: the versions `GET /api/shots/{id}/versions`
// lists (newest first, never paged by the gateway), read from JSON, with each prompt's Hebrew
// translation folded into the prompt it translates — a translation is its own version in the
// store, but the director reads it beside the request it explains, not on a page of its own.
import { isRecord, num, str } from "./json";

export interface Cost {
  usdMicros: number;
  /** Reserved before the call, until the provider's bill replaces it. */
  estimated: boolean;
}

export interface Version {
  versionId: string;
  /** prompt, image, video, edit, audit, render, translation — or a kind this UI does not know. */
  kind: string;
  /** The version this one was made from (a still's prompt, an edit's still, a translation's prompt). */
  parent: string | null;
  /** user, llm or system. */
  author: string;
  reason: string | null;
  modelCode: string | null;
  seed: number | null;
  cost: Cost | null;
  /** A prompt's or edit's text; a translation's Hebrew. */
  prompt: string | null;
  /** The validated provider request (FLUX or Kling), as recorded; null when there is none. */
  request: unknown;
  /** `/api/media/…` of its still or clip. */
  mediaUrl: string | null;
  createdAt: string;
}

/** A version as browsed: a prompt carries its Hebrew translation. */
export interface ShownVersion extends Version {
  hebrew: string | null;
}

/** A Version from JSON, or null without its id, kind or author. */
export function parseVersion(value: unknown): Version | null {
  if (!isRecord(value)) return null;
  const versionId = str(value.versionId);
  const kind = str(value.kind);
  const author = str(value.author);
  if (versionId === null || kind === null || author === null) return null;
  const usdMicros = isRecord(value.cost) ? num(value.cost.usdMicros) : null;
  return {
    versionId,
    kind,
    parent: str(value.parent),
    author,
    reason: str(value.reason),
    modelCode: str(value.modelCode),
    seed: num(value.seed),
    cost: usdMicros === null ? null : { usdMicros, estimated: isRecord(value.cost) && value.cost.estimated === true },
    prompt: str(value.prompt),
    request: value.request ?? null,
    mediaUrl: str(value.mediaUrl),
    createdAt: str(value.createdAt) ?? "",
  };
}

/**
 * The versions to page through, in the given (newest-first) order: each translation whose
 * prompt is listed becomes that prompt's `hebrew` (the newest one, when there are several);
 * a translation whose prompt is not listed stays, its text shown as the Hebrew it is.
 */
export function withTranslations(versions: readonly Version[]): ShownVersion[] {
  const ids = new Set(versions.map((v) => v.versionId));
  const hebrewOf = new Map<string, string>();
  for (const v of versions) {
    if (v.kind === "translation" && v.parent !== null && v.prompt !== null && !hebrewOf.has(v.parent)) {
      hebrewOf.set(v.parent, v.prompt);
    }
  }
  const shown: ShownVersion[] = [];
  for (const v of versions) {
    if (v.kind !== "translation") shown.push({ ...v, hebrew: hebrewOf.get(v.versionId) ?? null });
    else if (v.parent === null || !ids.has(v.parent)) shown.push({ ...v, prompt: null, hebrew: v.prompt });
  }
  return shown;
}

/** How a version's media is shown: a still as an image, a clip or render as a video. */
export function mediaKindOf(version: Version): "image" | "video" | null {
  if (version.mediaUrl === null) return null;
  if (version.kind === "image") return "image";
  if (version.kind === "video" || version.kind === "render") return "video";
  return null;
}
