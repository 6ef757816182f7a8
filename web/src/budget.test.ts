import { describe, expect, it } from "vitest";
import { parseBudget, parseCapInput, usage, type Budget } from "./budget";

const budget = (b: Partial<Budget>): Budget => ({
  capUsdMicros: 0,
  spentUsdMicros: 0,
  reservedUsdMicros: 0,
  availableUsdMicros: 0,
  waiting: 0,
  resumed: 0,
  ...b,
});

describe("budget", () => {
  it("reads dollars with at most cents, up to the gateway's largest cap", () => {
    expect(parseCapInput("25")).toBe(25);
    expect(parseCapInput(" 12.50 ")).toBe(12.5);
    expect(parseCapInput("1000000000")).toBe(1e9);
    for (const bad of ["", ".5", "5.", "1e3", "-1", "1.005", "$5", "1000000000.01"]) expect(parseCapInput(bad)).toBeNull();
  });

  it("splits the bar into spent and reserved, never past the cap", () => {
    expect(usage(budget({ capUsdMicros: 4_000_000, spentUsdMicros: 1_000_000, reservedUsdMicros: 1_000_000 }))).toEqual({
      spent: 0.25,
      reserved: 0.25,
      over: false,
    });
    const over = usage(budget({ capUsdMicros: 1_000_000, spentUsdMicros: 800_000, reservedUsdMicros: 400_000 }));
    expect(over.spent).toBe(0.8);
    expect(over.reserved).toBeCloseTo(0.2, 12);
    expect(over.over).toBe(true);
    // A zero cap: anything used fills the bar and is over it; nothing used is an empty bar.
    expect(usage(budget({ reservedUsdMicros: 1 }))).toEqual({ spent: 1, reserved: 0, over: true });
    expect(usage(budget({}))).toEqual({ spent: 0, reserved: 0, over: false });
  });

  it("refuses a ledger view without its amounts", () => {
    expect(parseBudget({ capUsdMicros: 1, spentUsdMicros: 0, reservedUsdMicros: 0 })).toBeNull();
    expect(parseBudget({ capUsdMicros: 1, spentUsdMicros: 0, reservedUsdMicros: 0, availableUsdMicros: 1, resumed: ["s1"] })).toEqual(
      budget({ capUsdMicros: 1, availableUsdMicros: 1, resumed: 1 }),
    );
  });
});
