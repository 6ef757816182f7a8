// A project's budget as `GET`/`PUT /api/projects/{id}/budget` answer it (gateway/src/budget.rs,
// core/src/budget.rs Ledger): integer micro-dollars, as the ledger keeps them, so nothing is
// rounded until it is shown; and the director's new cap read from what they typed, in dollars,
// held to the gateway's own limits so a typo is caught before it is sent.
import { isRecord, num } from "./json";

export interface Budget {
  capUsdMicros: number;
  /** Settled bills. */
  spentUsdMicros: number;
  /** Calls paid for but not yet billed. */
  reservedUsdMicros: number;
  availableUsdMicros: number;
  /** Calls paused until the cap is raised. */
  waiting: number;
  /** Shots a new cap woke (only in the answer to a PUT). */
  resumed: number;
}

/** The largest cap the gateway accepts, in dollars (budget.rs MAX_CAP_USD). */
export const MAX_CAP_USD = 1e9;

/** A Budget from JSON, or null without its four amounts. */
export function parseBudget(json: unknown): Budget | null {
  if (!isRecord(json)) return null;
  const cap = num(json.capUsdMicros);
  const spent = num(json.spentUsdMicros);
  const reserved = num(json.reservedUsdMicros);
  const available = num(json.availableUsdMicros);
  if (cap === null || spent === null || reserved === null || available === null) return null;
  return {
    capUsdMicros: cap,
    spentUsdMicros: spent,
    reservedUsdMicros: reserved,
    availableUsdMicros: available,
    waiting: Array.isArray(json.waiting) ? json.waiting.length : 0,
    resumed: Array.isArray(json.resumed) ? json.resumed.length : 0,
  };
}

/** Dollars typed as `25` or `12.50` (at most cents, at most MAX_CAP_USD), or null. */
export function parseCapInput(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+(\.\d{1,2})?$/.test(trimmed)) return null;
  const dollars = Number(trimmed);
  return dollars <= MAX_CAP_USD ? dollars : null;
}

/** Spent and reserved as shares of the cap for the bar (each 0–1, together at most 1). */
export function usage(b: Budget): { spent: number; reserved: number; over: boolean } {
  const used = b.spentUsdMicros + b.reservedUsdMicros;
  if (b.capUsdMicros <= 0) return { spent: used > 0 ? 1 : 0, reserved: 0, over: used > 0 };
  const spent = Math.min(1, b.spentUsdMicros / b.capUsdMicros);
  return { spent, reserved: Math.min(1 - spent, b.reservedUsdMicros / b.capUsdMicros), over: used > b.capUsdMicros };
}
