// Who may do what in a project, as gateway/src/keys.rs answers it: the calling token
// (`GET /api/me`), the project's API keys (an integration's credential for that one project,
// with a role; owners only) and its members (studio tokens with a role in it). A key's secret
// is answered once, by the POST that issues it, and is kept by nothing here: the panel shows it
// in its dialog and forgets it when the dialog closes.
import { arrayOf, isRecord, str } from "./json";

export type Role = "viewer" | "editor" | "owner";

/** Least privilege first: the order the role pickers offer them in. */
export const ROLES: readonly Role[] = ["viewer", "editor", "owner"];

export function isRole(value: unknown): value is Role {
  return value === "viewer" || value === "editor" || value === "owner";
}

/** The calling token. */
export interface Me {
  label: string;
  role: Role;
  /** The token's id (its SHA-256), as keys and members name it. */
  tokenId: string;
  /** The one project a project key is for; null for a studio token. */
  projectId: string | null;
  /** The studio's owner, who administers every project. */
  admin: boolean;
}

/** A project key as listed: never its secret. */
export interface ProjectKey {
  tokenId: string;
  role: Role;
  label: string;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** What issuing a key answers: the secret, this once, and the key as it will be listed. */
export interface IssuedKey {
  token: string;
  key: ProjectKey;
}

export interface NewKey {
  role: Role;
  label: string;
}

export interface Member {
  projectId: string;
  tokenId: string;
  role: Role;
  grantedBy: string;
  grantedAt: string;
}

export interface NewMember {
  tokenId: string;
  role: Role;
}

export function parseMe(json: unknown): Me | null {
  if (!isRecord(json)) return null;
  const tokenId = str(json.tokenId);
  if (tokenId === null || !isRole(json.role)) return null;
  return {
    label: str(json.label) ?? "",
    role: json.role,
    tokenId,
    projectId: str(json.projectId),
    admin: json.admin === true,
  };
}

export function parseKey(json: unknown): ProjectKey | null {
  if (!isRecord(json)) return null;
  const tokenId = str(json.tokenId);
  if (tokenId === null || !isRole(json.role)) return null;
  return {
    tokenId,
    role: json.role,
    label: str(json.label) ?? "",
    createdAt: str(json.createdAt) ?? "",
    createdBy: str(json.createdBy),
    revokedAt: str(json.revokedAt),
    revokedBy: str(json.revokedBy),
  };
}

/** `{keys}`, or null when it or any key is malformed. */
export function parseKeys(json: unknown): ProjectKey[] | null {
  return isRecord(json) ? arrayOf(json.keys, parseKey) : null;
}

/** `{key}` (a revocation's answer). */
export function parseKeyAnswer(json: unknown): ProjectKey | null {
  return isRecord(json) ? parseKey(json.key) : null;
}

export function parseIssuedKey(json: unknown): IssuedKey | null {
  if (!isRecord(json)) return null;
  const token = str(json.token);
  const key = parseKey(json.key);
  if (token === null || token === "" || key === null) return null;
  return { token, key };
}

export function parseMember(json: unknown): Member | null {
  if (!isRecord(json)) return null;
  const tokenId = str(json.tokenId);
  if (tokenId === null || !isRole(json.role)) return null;
  return {
    projectId: str(json.projectId) ?? "",
    tokenId,
    role: json.role,
    grantedBy: str(json.grantedBy) ?? "",
    grantedAt: str(json.grantedAt) ?? "",
  };
}

export function parseMembers(json: unknown): Member[] | null {
  return isRecord(json) ? arrayOf(json.members, parseMember) : null;
}

/**
 * Whether `me` owns `projectId`: the studio's owner, an owner key for this very project, or a
 * studio token the project's members list makes its owner.
 */
export function isProjectOwner(me: Me | null, projectId: string, members: readonly Member[]): boolean {
  if (me === null) return false;
  if (me.admin) return true;
  if (me.projectId === projectId && me.role === "owner") return true;
  return members.some((m) => m.tokenId === me.tokenId && m.role === "owner");
}

/** The longest label the gateway takes, in characters (keys.rs MAX_LABEL_CHARS). */
export const MAX_LABEL_CHARS = 100;

/**
 * A key's label as the gateway will keep it (trimmed), or why it would refuse it: blank or
 * longer than MAX_LABEL_CHARS characters (counted as Rust counts them, by code point).
 */
export function checkLabel(raw: string): { label: string } | { error: "blank" | "long" } {
  const label = raw.trim();
  if (label === "") return { error: "blank" };
  if (Array.from(label).length > MAX_LABEL_CHARS) return { error: "long" };
  return { label };
}

/** A token id as typed (64 hex digits, the token's SHA-256), lower-cased as the gateway wants it; else null. */
export function parseTokenIdInput(raw: string): string | null {
  const id = raw.trim().toLowerCase();
  return /^[0-9a-f]{64}$/.test(id) ? id : null;
}
