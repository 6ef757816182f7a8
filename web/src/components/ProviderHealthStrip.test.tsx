import { act, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../api";
import { authHeader, errorResponse, jsonResponse, routedFetch, type RouteHandler } from "../test/fakes";
import { ProviderHealthStrip } from "./ProviderHealthStrip";

const HEALTH = "GET /api/providers/health";

/** One worker's breaker snapshot (providers/src/breaker.rs BreakerSnapshot) with its worker name. */
function snapshot(provider: string, state: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    worker: "worker-a",
    provider,
    state,
    consecutiveFailures: 0,
    recentFailureRate: 0,
    calls: 40,
    failures: 0,
    opened: 0,
    ...extra,
  };
}

/** gateway/src/health.rs's answer: the worst state per provider, every worker's snapshot. */
function answer(providers: { provider: string; state: string; workers: Record<string, unknown>[] }[]) {
  return jsonResponse({ providers, workers: 2 });
}

const MIXED = answer([
  { provider: "fal", state: "closed", workers: [snapshot("fal", "closed")] },
  {
    provider: "kling",
    state: "halfOpen",
    workers: [
      // The worker in the worst state speaks for the provider.
      snapshot("kling", "closed", { recentFailureRate: 0.1, lastError: "an older timeout" }),
      snapshot("kling", "halfOpen", { worker: "worker-b", recentFailureRate: 0.4, lastError: "fal queue timeout" }),
    ],
  },
  {
    provider: "gemini",
    state: "open",
    workers: [snapshot("gemini", "open", { recentFailureRate: 1, retryInMs: 12_500, lastError: "503 overloaded" })],
  },
  { provider: "claude", state: "unknown", workers: [] },
]);

function setup(route: RouteHandler) {
  const fetch = routedFetch({ [HEALTH]: route });
  const api = createApiClient({ getToken: () => "tok-1", fetch });
  render(<ProviderHealthStrip api={api} />);
  return { fetch };
}

const strip = () => screen.getByRole("region", { name: "ספקים" });
const item = (provider: string) => strip().querySelector<HTMLElement>(`[data-provider="${provider}"]`);
const plain = (el: HTMLElement | null) => el?.textContent?.replace(/[\u2066-\u2069]/g, "");

describe("ProviderHealthStrip", () => {
  it("shows each provider up, degraded, down or unreported, with its failures, retry and last error", async () => {
    const { fetch } = setup(() => MIXED);
    await waitFor(() => expect(item("fal")).not.toBeNull());
    expect(item("fal")!.dataset.health).toBe("up");
    expect(plain(item("fal"))).toBe("falתקין");

    expect(item("kling")!.dataset.health).toBe("degraded");
    expect(plain(item("kling"))).toBe("klingחלקי40% כשליםשגיאה אחרונה: fal queue timeout");
    expect(item("kling")!.title).toBe("שגיאה אחרונה: fal queue timeout");
    expect(item("kling")!.querySelector("bdi.health__message")!.getAttribute("dir")).toBe("auto");

    expect(item("gemini")!.dataset.health).toBe("down");
    expect(plain(item("gemini"))).toBe("geminiמושבת100% כשליםניסיון חוזר בעוד 12.5 ש׳שגיאה אחרונה: 503 overloaded");

    expect(item("claude")!.dataset.health).toBe("unknown");
    expect(plain(item("claude"))).toBe("claudeאין דיווח");
    expect(authHeader(fetch.mock.calls[0]![1])).toBe("Bearer tok-1");
  });

  it("reads the health again every 30 seconds and shows the change", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      let calls = 0;
      setup(() => {
        calls++;
        const state = calls === 1 ? "closed" : "open";
        return answer([{ provider: "fal", state, workers: [snapshot("fal", state)] }]);
      });
      await waitFor(() => expect(item("fal")?.dataset.health).toBe("up"));
      act(() => vi.advanceTimersByTime(29_999));
      expect(calls).toBe(1);
      act(() => vi.advanceTimersByTime(1));
      expect(calls).toBe(2);
      await waitFor(() => expect(item("fal")?.dataset.health).toBe("down"));
    } finally {
      vi.useRealTimers();
    }
  });

  it("says why when the health cannot be read", async () => {
    setup(() => errorResponse(503, "unavailable", "provider health is unavailable (Redis: connection refused)"));
    await waitFor(() =>
      expect(strip().textContent).toContain("מצב הספקים לא זמין: provider health is unavailable (Redis: connection refused)"),
    );
    expect(strip().querySelector("li")).toBeNull();
  });
});
