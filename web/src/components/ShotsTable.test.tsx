import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { shot } from "../test/fakes";
import { ShotsTable } from "./ShotsTable";

const HEBREW: Record<string, string> = {
  DRAFT: "טיוטה",
  VALIDATION: "בבדיקה",
  GENERATING_IMAGE: "יוצר תמונה",
  AWAITING_APPROVAL: "ממתין לאישור",
  GENERATING_VIDEO: "יוצר וידאו",
  COMPLETED: "הושלם",
  FAILED: "נכשל",
  REFINING: "בשיפור",
  AUDIO_ANALYSIS: "ניתוח שמע",
  FINAL_RENDER: "רינדור סופי",
};

function row(shotId: string): HTMLElement {
  const el = document.querySelector<HTMLElement>(`tr[data-shot-id="${shotId}"]`);
  if (!el) throw new Error(`no row for ${shotId}`);
  return el;
}

describe("ShotsTable", () => {
  it("renders every status as a coloured badge with its Hebrew label", () => {
    const statuses = Object.keys(HEBREW);
    render(<ShotsTable shots={statuses.map((status, i) => shot({ shotId: `s${i}`, status, startMs: i * 1000 }))} />);
    statuses.forEach((status, i) => {
      const badge = within(row(`s${i}`)).getByText(HEBREW[status]!);
      expect(badge.classList.contains("badge")).toBe(true);
      expect(badge.dataset.status).toBe(status);
      expect(badge.className).toContain(`badge--${status.toLowerCase().replace(/_/g, "-")}`);
    });
  });

  it("shows an unknown status raw", () => {
    render(<ShotsTable shots={[shot({ shotId: "s1", status: "QUANTUM_LEAP" })]} />);
    const badge = within(row("s1")).getByText("QUANTUM_LEAP");
    expect(badge.className).toContain("badge--unknown");
  });

  it("formats timestamps as mm:ss.mmm and shows lyrics, description and reason", () => {
    render(
      <ShotsTable
        shots={[
          shot({
            shotId: "s1",
            startMs: 83_456,
            endMs: 90_001,
            lyricsSnippet: "את הלילה",
            description: "צילום רחב",
            status: "FAILED",
            reason: "provider timeout",
          }),
        ]}
      />,
    );
    const r = row("s1");
    expect(r.textContent).toContain("01:23.456 – 01:30.001");
    expect(within(r).getByText("את הלילה")).toBeTruthy();
    expect(within(r).getByText("צילום רחב")).toBeTruthy();
    expect(within(r).getByText("provider timeout")).toBeTruthy();
  });

  it("offers approve / reject only on rows awaiting approval", () => {
    const onApprove = vi.fn();
    render(
      <ShotsTable
        shots={[shot({ shotId: "a", status: "AWAITING_APPROVAL" }), shot({ shotId: "b", status: "COMPLETED" })]}
        onApprove={onApprove}
        onReject={async () => true}
      />,
    );
    expect(within(row("b")).queryByRole("button")).toBeNull();
    fireEvent.click(within(row("a")).getByRole("button", { name: "אישור" }));
    expect(onApprove).toHaveBeenCalledWith("a");
  });

  it("offers the version browser on every row, whatever its status, with the row's number", () => {
    const onVersions = vi.fn();
    render(
      <ShotsTable
        shots={[shot({ shotId: "a", status: "AWAITING_APPROVAL" }), shot({ shotId: "b", status: "COMPLETED" })]}
        onVersions={onVersions}
      />,
    );
    expect(screen.getByRole("columnheader", { name: "פעולות" })).toBeTruthy();
    expect(within(row("a")).queryByRole("button", { name: "אישור" })).toBeNull();
    fireEvent.click(within(row("b")).getByRole("button", { name: "גרסאות" }));
    expect(onVersions).toHaveBeenCalledWith("b", 2);
    fireEvent.click(within(row("a")).getByRole("button", { name: "גרסאות" }));
    expect(onVersions).toHaveBeenLastCalledWith("a", 1);
  });

  it("requires a reason before rejecting", async () => {
    const onReject = vi.fn(async () => true);
    render(<ShotsTable shots={[shot({ shotId: "a", status: "AWAITING_APPROVAL" })]} onReject={onReject} />);
    fireEvent.click(within(row("a")).getByRole("button", { name: "דחייה" }));

    fireEvent.click(screen.getByRole("button", { name: "דחיית השוט" }));
    expect(screen.getByRole("alert").textContent).toBe("יש לכתוב סיבה לדחייה");
    expect(onReject).not.toHaveBeenCalled();

    fireEvent.change(screen.getByLabelText("סיבת הדחייה"), { target: { value: "  הצבעים שגויים  " } });
    fireEvent.click(screen.getByRole("button", { name: "דחיית השוט" }));
    expect(onReject).toHaveBeenCalledWith("a", "הצבעים שגויים");
    expect(await screen.findByRole("button", { name: "דחייה" })).toBeTruthy();
    expect(screen.queryByLabelText("סיבת הדחייה")).toBeNull();
  });

  it("offers generate on DRAFT and FAILED rows only, each action marked with its chat tool's name", () => {
    const onGenerate = vi.fn();
    render(
      <ShotsTable
        shots={[
          shot({ shotId: "d", status: "DRAFT" }),
          shot({ shotId: "f", status: "FAILED", startMs: 1000 }),
          shot({ shotId: "a", status: "AWAITING_APPROVAL", startMs: 2000 }),
          shot({ shotId: "c", status: "COMPLETED", startMs: 3000 }),
        ]}
        onGenerate={onGenerate}
        onApprove={() => {}}
        onReject={async () => true}
        onRefine={async () => null}
      />,
    );
    const actions = (id: string) => Array.from(row(id).querySelectorAll<HTMLElement>("[data-action]"), (b) => b.dataset.action);
    expect(actions("d")).toEqual(["generate"]);
    expect(actions("f")).toEqual(["generate"]);
    expect(actions("a")).toEqual(["approve", "reject", "refine"]);
    expect(actions("c")).toEqual([]);
    expect(within(row("f")).getByRole("button", { name: "יצירה" }).title).toBe("יצירת התמונה מחדש אחרי הכישלון");
    fireEvent.click(within(row("f")).getByRole("button", { name: "יצירה" }));
    expect(onGenerate).toHaveBeenCalledWith("f");
  });

  it("refines with a required edit command, shows the server's refusal in the form and closes once accepted", async () => {
    const onRefine = vi.fn(async (_shotId: string, command: string) =>
      command.startsWith("the") ? "an edit command starts with a verb: Change, Remove, Add…" : null,
    );
    render(<ShotsTable shots={[shot({ shotId: "a", status: "AWAITING_APPROVAL" })]} onRefine={onRefine} onReject={async () => true} />);
    const open = within(row("a")).getByRole("button", { name: "שיפור" }) as HTMLButtonElement;
    fireEvent.click(open);
    expect(open.disabled).toBe(true);
    expect(screen.getByText(/שינוי אחד שמתחיל בפועל, עד 15 מילים/)).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "שיפור התמונה" }));
    expect(screen.getByRole("alert").textContent).toBe("יש לכתוב את פקודת העריכה");
    expect(onRefine).not.toHaveBeenCalled();

    const field = screen.getByLabelText("פקודת העריכה לתמונה");
    fireEvent.change(field, { target: { value: "the sky, but orange" } });
    fireEvent.click(screen.getByRole("button", { name: "שיפור התמונה" }));
    expect(await screen.findByText("an edit command starts with a verb: Change, Remove, Add…")).toBeTruthy();
    expect(onRefine).toHaveBeenCalledWith("a", "the sky, but orange");
    expect(screen.getByLabelText("פקודת העריכה לתמונה")).toBe(field);

    // Rejecting instead swaps the forms; refining again starts afresh.
    fireEvent.click(within(row("a")).getByRole("button", { name: "דחייה" }));
    expect(screen.queryByLabelText("פקודת העריכה לתמונה")).toBeNull();
    expect(screen.getByLabelText("סיבת הדחייה")).toBeTruthy();
    fireEvent.click(within(row("a")).getByRole("button", { name: "שיפור" }));
    fireEvent.change(screen.getByLabelText("פקודת העריכה לתמונה"), { target: { value: "  Change the sky to dusk orange " } });
    fireEvent.click(screen.getByRole("button", { name: "שיפור התמונה" }));
    expect(onRefine).toHaveBeenLastCalledWith("a", "Change the sky to dusk orange");
    await waitFor(() => expect(screen.queryByLabelText("פקודת העריכה לתמונה")).toBeNull());
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("disables the buttons of a row with a request running", () => {
    render(
      <ShotsTable
        shots={[shot({ shotId: "a", status: "AWAITING_APPROVAL" })]}
        pending={new Set(["a"])}
        onApprove={() => {}}
        onReject={async () => true}
        onRefine={async () => null}
      />,
    );
    for (const button of within(row("a")).getAllByRole("button")) {
      expect((button as HTMLButtonElement).disabled).toBe(true);
    }
  });
});
