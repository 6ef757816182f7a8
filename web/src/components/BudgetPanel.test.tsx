import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { createApiClient } from "../api";
import { authHeader, errorResponse, jsonResponse, routedFetch, type RouteHandler } from "../test/fakes";
import { BudgetPanel } from "./BudgetPanel";

const BUDGET = "GET /api/projects/p1/budget";
const SET_CAP = "PUT /api/projects/p1/budget";

/** gateway/src/budget.rs's view of a ledger: every amount in integer micro-dollars. */
function ledger(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    projectId: "p1",
    currency: "USD",
    capUsdMicros: 5_000_000,
    spentUsdMicros: 1_234_567,
    reservedUsdMicros: 300_000,
    availableUsdMicros: 3_465_433,
    reservations: [{ key: "v7", shotId: "s1", model: "fal-ai/flux-2/lora", usdMicros: 300_000 }],
    waiting: [],
    lastChange: { change: "reserved", key: "v7", usdMicros: 300_000 },
    revision: 4,
    updatedAt: "2025-01-01T10:00:00Z",
    ...overrides,
  };
}

function setup(routes: Record<string, RouteHandler> = {}) {
  const fetch = routedFetch({ [BUDGET]: () => jsonResponse(ledger()), ...routes });
  const api = createApiClient({ getToken: () => "tok-1", fetch });
  render(<BudgetPanel api={api} projectId="p1" />);
  return { fetch };
}

const panel = () => screen.getByRole("region", { name: "תקציב" });
const figure = (name: string) => panel().querySelector<HTMLElement>(`[data-figure="${name}"] dd`)?.textContent;
const meter = () => within(panel()).getByRole("meter", { name: "ניצול התקציב" });
const capInput = () => within(panel()).getByLabelText("תקרה חדשה (דולר)") as HTMLInputElement;
const save = () => within(panel()).getByRole("button", { name: "עדכון התקרה" }) as HTMLButtonElement;
const plain = (text: string | null | undefined) => text?.replace(/[\u2066-\u2069]/g, "");
const puts = (fetch: ReturnType<typeof routedFetch>) =>
  fetch.mock.calls.filter(([u, init]) => u === "/api/projects/p1/budget" && init?.method === "PUT");

describe("BudgetPanel", () => {
  it("shows spent, reserved, available and cap in dollars from micro-dollars, and the bar", async () => {
    const { fetch } = setup();
    await waitFor(() => expect(figure("spent")).toBe("$1.23"));
    expect(figure("reserved")).toBe("$0.30");
    expect(figure("available")).toBe("$3.47");
    expect(figure("cap")).toBe("$5.00");
    expect(meter().getAttribute("aria-valuenow")).toBe("31");
    expect(plain(meter().getAttribute("aria-valuetext"))).toBe("$1.23 שולם ו־$0.30 שמור מתוך $5.00");
    const [spent, reserved] = Array.from(meter().children) as HTMLElement[];
    expect(spent!.style.inlineSize).toBe("24.69134%");
    expect(reserved!.style.inlineSize).toBe("6%");
    expect(capInput().value).toBe("5.00");
    expect(capInput().getAttribute("dir")).toBe("ltr");
    expect(panel().textContent).not.toContain("חורג מהתקרה");
    expect(authHeader(fetch.mock.calls[0]![1])).toBe("Bearer tok-1");
  });

  it("flags spending past the cap and the calls waiting for money", async () => {
    setup({
      [BUDGET]: () =>
        jsonResponse(
          ledger({
            spentUsdMicros: 6_000_000,
            reservedUsdMicros: 0,
            availableUsdMicros: 0,
            waiting: [
              { key: "v8", shotId: "s2", model: "kling", neededUsdMicros: 448_000 },
              { key: "v9", shotId: "s3", model: "kling", neededUsdMicros: 448_000 },
            ],
          }),
        ),
    });
    await waitFor(() => expect(figure("spent")).toBe("$6.00"));
    expect(meter().getAttribute("aria-valuenow")).toBe("100");
    expect(meter().className).toContain("budget__bar--over");
    expect(within(panel()).getByText(/חורג מהתקרה/)).toBeTruthy();
    expect(plain(panel().querySelector(".alert--warning")!.textContent)).toBe(
      "2 קריאות ממתינות לתקציב; הגדלת התקרה תחדש אותן",
    );
  });

  it("sets the cap with a PUT in dollars and shows the new budget and the shots it resumed", async () => {
    const { fetch } = setup({
      [SET_CAP]: () =>
        jsonResponse(ledger({ capUsdMicros: 12_500_000, availableUsdMicros: 10_965_433, resumed: ["s2", "s3"] })),
    });
    await waitFor(() => expect(figure("cap")).toBe("$5.00"));
    fireEvent.change(capInput(), { target: { value: " 12.5 " } });
    fireEvent.click(save());

    await waitFor(() => expect(figure("cap")).toBe("$12.50"));
    const calls = puts(fetch);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]![1]!.body as string)).toEqual({ capUsd: 12.5 });
    expect(authHeader(calls[0]![1])).toBe("Bearer tok-1");
    expect(figure("available")).toBe("$10.97");
    expect(plain(panel().querySelector(".budget__saved")!.textContent)).toBe("התקרה עודכנה ל־$12.50 · 2 שוטים חזרו לעבודה");
    expect(save().disabled).toBe(false);
  });

  it("refuses what is not an amount in dollars without sending it", async () => {
    const { fetch } = setup();
    await waitFor(() => expect(figure("cap")).toBe("$5.00"));
    for (const value of ["", "abc", "-3", "1.234", "1,5", "1000000000.01"]) {
      fireEvent.change(capInput(), { target: { value } });
      fireEvent.click(save());
      const error = within(panel()).getByRole("alert");
      expect(plain(error.textContent)).toBe(
        "יש להזין סכום בדולרים בין 0 ל־$1,000,000,000.00, עם עד שתי ספרות אחרי הנקודה",
      );
      expect(capInput().getAttribute("aria-invalid")).toBe("true");
    }
    expect(puts(fetch)).toHaveLength(0);

    fireEvent.change(capInput(), { target: { value: "0" } });
    fireEvent.click(save());
    await waitFor(() => expect(puts(fetch)).toHaveLength(1));
    expect(JSON.parse(puts(fetch)[0]![1]!.body as string)).toEqual({ capUsd: 0 });
  });

  it("shows the server's error when the cap is refused, and keeps the budget shown", async () => {
    setup({ [SET_CAP]: () => errorResponse(403, "forbidden", "only an owner token can change the budget") });
    await waitFor(() => expect(figure("cap")).toBe("$5.00"));
    fireEvent.change(capInput(), { target: { value: "20" } });
    fireEvent.click(save());
    const error = await within(panel()).findByRole("alert");
    expect(error.textContent).toBe("התקרה לא עודכנה: only an owner token can change the budget");
    expect(figure("cap")).toBe("$5.00");
    expect(save().disabled).toBe(false);
  });

  it("shows the server's message when the budget cannot be read", async () => {
    setup({ [BUDGET]: () => errorResponse(404, "not_found", "project p1 does not exist") });
    expect((await within(panel()).findByRole("alert")).textContent).toBe("project p1 does not exist");
    expect(within(panel()).queryByRole("meter")).toBeNull();
  });
});
