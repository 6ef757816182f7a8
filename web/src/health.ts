// Provider health as `GET /api/providers/health` answers it (gateway/src/health.rs): per provider
// the worst circuit-breaker state any worker reports (closed, halfOpen, open; unknown when none
// reports), with each worker's snapshot (providers/src/breaker.rs BreakerSnapshot). Reduced here
// to what a status strip shows: up / degraded / down, how often calls fail, when an open breaker
// lets calls through again, and the last error a worker saw.
import { isRecord, num, str } from "./json";

export type Health = "up" | "degraded" | "down" | "unknown";

export interface ProviderHealth {
  provider: string;
  health: Health;
  /** The highest recent failure share (0–1) among the reporting workers. */
  failureRate: number | null;
  /** While open: the longest wait before probes go out again. */
  retryInMs: number | null;
  /** The last error of the worker in the worst state. */
  lastError: string | null;
}

const HEALTH_OF: Record<string, Health> = { closed: "up", halfOpen: "degraded", open: "down" };

function worst(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : Math.max(...present);
}

function parseProvider(value: unknown): ProviderHealth | null {
  if (!isRecord(value)) return null;
  const provider = str(value.provider);
  if (provider === null) return null;
  const health = HEALTH_OF[str(value.state) ?? ""] ?? "unknown";
  const workers = Array.isArray(value.workers) ? value.workers.filter(isRecord) : [];
  const rank = (w: Record<string, unknown>) => ["closed", "halfOpen", "open"].indexOf(str(w.state) ?? "");
  const byState = [...workers].sort((a, b) => rank(b) - rank(a));
  return {
    provider,
    health,
    failureRate: worst(workers.map((w) => num(w.recentFailureRate))),
    retryInMs: worst(workers.map((w) => num(w.retryInMs))),
    lastError: byState.map((w) => str(w.lastError)).find((e) => e !== null && e !== "") ?? null,
  };
}

/** Every provider listed, in the gateway's order; null when the answer is not the health shape. */
export function parseHealth(json: unknown): ProviderHealth[] | null {
  if (!isRecord(json) || !Array.isArray(json.providers)) return null;
  const out: ProviderHealth[] = [];
  for (const item of json.providers) {
    const parsed = parseProvider(item);
    if (parsed === null) return null;
    out.push(parsed);
  }
  return out;
}
