// The newest scene breakdown as `GET /api/projects/{id}/scenes` answers it (gateway/src/scenes.rs):
// each scene with its place, outfit, props and seed (core's Scene), and the reference images
// made for it (core's SceneAsset, reduced by the gateway to what the UI needs). Read leniently
// about optional detail, but a scene without its id is a malformed answer, not an empty card.
import { arrayOf, isRecord, num, str } from "./json";

export interface Colour {
  name: string;
  /** `#RRGGBB`. */
  hex: string;
}

export interface Prop {
  name: string;
  description: string;
  colour: string | null;
}

export interface SceneReference {
  assetId: string;
  /** background, outfit or prop. */
  role: string;
  /** "background", "outfit" or the prop's name. */
  name: string;
  /** Null until the image is made. */
  mediaUrl: string | null;
}

export interface Scene {
  sceneId: string;
  /** Position in the film, from 0. */
  index: number;
  startMs: number;
  endMs: number;
  location: string;
  background: string;
  outfit: { description: string; colours: Colour[] };
  props: Prop[];
  seed: number | null;
  references: SceneReference[];
}

/** A list the gateway may leave out when it is empty. */
function list<T>(value: unknown, parse: (item: unknown) => T | null): T[] | null {
  return value === undefined ? [] : arrayOf(value, parse);
}

function parseColour(value: unknown): Colour | null {
  if (!isRecord(value)) return null;
  const hex = str(value.hex);
  return hex === null ? null : { name: str(value.name) ?? "", hex };
}

function parseProp(value: unknown): Prop | null {
  if (!isRecord(value)) return null;
  const name = str(value.name);
  return name === null ? null : { name, description: str(value.description) ?? "", colour: str(value.colour) };
}

function parseReference(value: unknown): SceneReference | null {
  if (!isRecord(value)) return null;
  const assetId = str(value.assetId);
  const role = str(value.role);
  if (assetId === null || role === null) return null;
  return { assetId, role, name: str(value.name) ?? role, mediaUrl: str(value.mediaUrl) };
}

/** A Scene from JSON, or null when its id, position or a nested record is malformed. */
export function parseScene(value: unknown): Scene | null {
  if (!isRecord(value)) return null;
  const sceneId = str(value.sceneId);
  const index = num(value.index);
  if (sceneId === null || index === null) return null;
  const outfit = isRecord(value.outfit) ? value.outfit : {};
  const colours = list(outfit.colours, parseColour);
  const props = list(value.props, parseProp);
  const references = list(value.references, parseReference);
  if (colours === null || props === null || references === null) return null;
  const span = isRecord(value.timestamps) ? value.timestamps : {};
  return {
    sceneId,
    index,
    startMs: num(span.startMs) ?? 0,
    endMs: num(span.endMs) ?? 0,
    location: str(value.location) ?? "",
    background: str(value.background) ?? "",
    outfit: { description: str(outfit.description) ?? "", colours },
    props,
    seed: num(value.seed),
    references,
  };
}

/** `{"scenes": [...]}` read in order, or null when it is not that. */
export function parseScenes(json: unknown): Scene[] | null {
  return isRecord(json) && Array.isArray(json.scenes) ? list(json.scenes, parseScene) : null;
}
