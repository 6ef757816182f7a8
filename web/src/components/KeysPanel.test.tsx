import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApiClient } from "../api";
import { authHeader, errorResponse, jsonResponse, routedFetch, type RouteHandler } from "../test/fakes";
import { KeysPanel } from "./KeysPanel";
import { formatUpdatedAt } from "./ShotsTable";

/** Token ids are the tokens' SHA-256: 64 lower-case hex digits. */
const ME_ID = "a".repeat(64);
const OTHER_ID = "b".repeat(64);
const CI_ID = "c".repeat(64);
const OLD_ID = "d".repeat(64);
const NEW_ID = "e".repeat(64);
const SECRET = "miri_pk_0123456789abcdefSECRET";

const ME = "GET /api/me";
const KEYS = "GET /api/projects/p1/keys";
const ISSUE = "POST /api/projects/p1/keys";
const MEMBERS = "GET /api/projects/p1/members";
const ADD_MEMBER = "POST /api/projects/p1/members";
const revokeRoute = (id: string) => `POST /api/projects/p1/keys/${id}/revoke`;

function me(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { label: "דנה", role: "editor", tokenId: ME_ID, projectId: null, admin: false, ...overrides };
}

function member(tokenId: string, role: string): Record<string, unknown> {
  return { projectId: "p1", tokenId, role, grantedBy: "studio-owner", grantedAt: "2025-01-01T09:00:00Z" };
}

function key(tokenId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tokenId,
    role: "viewer",
    label: "גלריה",
    createdAt: "2025-01-02T10:00:00Z",
    createdBy: "דנה",
    revokedAt: null,
    revokedBy: null,
    ...overrides,
  };
}

const OWNER_MEMBERS = [member(ME_ID, "owner"), member(OTHER_ID, "viewer")];
const KEY_LIST = [key(OLD_ID, { label: "ישן", revokedAt: "2025-01-03T08:00:00Z", revokedBy: "דנה" }), key(CI_ID, { label: "CI", role: "editor" })];

function setup(routes: Record<string, RouteHandler> = {}) {
  const fetch = routedFetch({
    [ME]: () => jsonResponse(me()),
    [MEMBERS]: () => jsonResponse({ members: OWNER_MEMBERS }),
    [KEYS]: () => jsonResponse({ keys: KEY_LIST }),
    ...routes,
  });
  const api = createApiClient({ getToken: () => "tok-1", fetch });
  render(<KeysPanel api={api} projectId="p1" />);
  return { fetch };
}

const panel = () => screen.getByRole("region", { name: "מפתחות וחברים" });
const keysGroup = () => within(panel()).getByRole("group", { name: "מפתחות API" });
const membersGroup = () => within(panel()).getByRole("group", { name: "חברי הפרויקט" });
const keyRow = (id: string) => {
  const row = panel().querySelector<HTMLElement>(`tr[data-token-id="${id}"]`);
  if (!row) throw new Error(`no row for key ${id}`);
  return row;
};
const issueForm = () => panel().querySelector<HTMLFormElement>('form[data-form="issue-key"]')!;
const labelInput = () => within(panel()).getByLabelText("תיאור המפתח (למה הוא משמש)") as HTMLInputElement;
const keyRole = () => within(panel()).getByLabelText("תפקיד המפתח") as HTMLSelectElement;
const issueButton = () => within(panel()).getByRole("button", { name: "הנפקת מפתח" }) as HTMLButtonElement;
const plain = (text: string | null | undefined) => text?.replace(/[\u2066-\u2069]/g, "");
const calls = (fetch: ReturnType<typeof routedFetch>, method: string, url: string) =>
  fetch.mock.calls.filter(([u, init]) => u === url && (init?.method ?? "GET") === method);

/** Every place the secret could linger in the page: text, field values, attributes. */
function pageHolds(secret: string): boolean {
  if (document.body.textContent?.includes(secret)) return true;
  if (document.body.innerHTML.includes(secret)) return true;
  return Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input, textarea")).some((f) =>
    f.value.includes(secret),
  );
}

let writeText: ReturnType<typeof vi.fn<(text: string) => Promise<void>>>;

beforeEach(() => {
  writeText = vi.fn<(text: string) => Promise<void>>(async () => {});
  Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
});

afterEach(() => {
  delete (navigator as { clipboard?: unknown }).clipboard;
});

describe("KeysPanel", () => {
  it("shows an owner the keys, oldest first, with Hebrew roles and the revoked one greyed with its time", async () => {
    const { fetch } = setup();
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());

    const rows = Array.from(keysGroup().querySelectorAll<HTMLElement>("tbody tr[data-token-id]"));
    expect(rows.map((r) => r.dataset.tokenId)).toEqual([OLD_ID, CI_ID]);
    expect(within(keyRow(CI_ID)).getByText("עורך")).toBeTruthy();
    expect(within(keyRow(CI_ID)).getByText("פעיל")).toBeTruthy();
    expect(keyRow(CI_ID).dataset.state).toBe("active");

    const old = keyRow(OLD_ID);
    expect(old.dataset.state).toBe("revoked");
    expect(old.className).toContain("keys__row--revoked");
    expect(within(old).getByText("צופה")).toBeTruthy();
    expect(old.textContent).toContain(`נשלל ${formatUpdatedAt("2025-01-03T08:00:00Z")}`);
    expect(old.querySelector("time[datetime='2025-01-03T08:00:00Z']")).not.toBeNull();
    expect(within(old).queryByRole("button")).toBeNull();
    expect(within(keyRow(CI_ID)).getByRole("button", { name: "שלילת המפתח" })).toBeTruthy();

    expect(plain(panel().querySelector(".keys__me")!.textContent)).toBe("את/ה מחובר/ת כ־„דנה” · עורך");
    expect(within(membersGroup()).getByText("בעלים", { selector: "td" })).toBeTruthy();
    expect(within(membersGroup()).getByText("(האסימון שלך)")).toBeTruthy();
    for (const route of ["/api/me", "/api/projects/p1/members", "/api/projects/p1/keys"]) {
      expect(authHeader(calls(fetch, "GET", route)[0]![1])).toBe("Bearer tok-1");
    }
  });

  it("shows the secret of a new key once, with a warning and a copy button, and forgets it when closed", async () => {
    const issued = key(NEW_ID, { label: "אתר", role: "editor", createdAt: "2025-01-04T12:00:00Z" });
    const { fetch } = setup({ [ISSUE]: () => jsonResponse({ token: SECRET, key: issued }, 201) });
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());

    fireEvent.change(labelInput(), { target: { value: "  אתר  " } });
    fireEvent.change(keyRole(), { target: { value: "editor" } });
    fireEvent.click(issueButton());

    const dialog = await screen.findByRole("dialog", { name: (name) => plain(name) === "המפתח „אתר” הונפק" });
    const posts = calls(fetch, "POST", "/api/projects/p1/keys");
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]![1]!.body as string)).toEqual({ role: "editor", label: "אתר" });
    expect(authHeader(posts[0]![1])).toBe("Bearer tok-1");

    const secret = within(dialog).getByLabelText("המפתח הסודי") as HTMLInputElement;
    expect(secret.value).toBe(SECRET);
    expect(secret.readOnly).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(secret));
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    const warning = document.getElementById(dialog.getAttribute("aria-describedby")!)!;
    expect(warning.textContent).toContain("זו הפעם היחידה שהמפתח הסודי מוצג");
    expect(warning.textContent).toContain("לא ניתן יהיה לראות אותו שוב");

    fireEvent.click(within(dialog).getByRole("button", { name: "העתקה" }));
    await within(dialog).findByText("המפתח הועתק");
    expect(writeText).toHaveBeenCalledWith(SECRET);

    // The new key is listed (without its secret), and the form is ready for another.
    await waitFor(() => expect(keyRow(NEW_ID).textContent).toContain("אתר"));
    expect(keyRow(NEW_ID).textContent).not.toContain(SECRET);
    await waitFor(() => expect(labelInput().value).toBe(""));

    fireEvent.click(within(dialog).getByRole("button", { name: "שמרתי את המפתח, סגירה" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(pageHolds(SECRET)).toBe(false);
    await waitFor(() => expect(document.activeElement).toBe(labelInput()));
    expect(JSON.stringify({ ...window.localStorage })).not.toContain(SECRET);
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain(SECRET);
    expect(keyRow(NEW_ID)).toBeTruthy();
  });

  it("closes the secret dialog with Escape, the secret gone with it", async () => {
    setup({ [ISSUE]: () => jsonResponse({ token: SECRET, key: key(NEW_ID, { label: "אתר" }) }, 201) });
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());
    fireEvent.change(labelInput(), { target: { value: "אתר" } });
    fireEvent.click(issueButton());
    const dialog = await screen.findByRole("dialog");
    expect(pageHolds(SECRET)).toBe(true);
    fireEvent.keyDown(within(dialog).getByLabelText("המפתח הסודי"), { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(pageHolds(SECRET)).toBe(false);
  });

  it("says so when copying fails, leaving the secret selected to copy by hand", async () => {
    writeText.mockRejectedValue(new Error("denied"));
    setup({ [ISSUE]: () => jsonResponse({ token: SECRET, key: key(NEW_ID, { label: "אתר" }) }, 201) });
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());
    fireEvent.change(labelInput(), { target: { value: "אתר" } });
    fireEvent.click(issueButton());
    const dialog = await screen.findByRole("dialog");
    fireEvent.click(within(dialog).getByRole("button", { name: "העתקה" }));
    await within(dialog).findByText("ההעתקה נכשלה; יש לסמן את המפתח ולהעתיק אותו ידנית");
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByLabelText("המפתח הסודי")));
  });

  it("shows the gateway's 400 message when it refuses the label, and opens no dialog", async () => {
    const { fetch } = setup({
      [ISSUE]: () => errorResponse(400, "bad_request", "label must not contain control characters"),
    });
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());
    fireEvent.change(labelInput(), { target: { value: "a\tb" } });
    fireEvent.click(issueButton());

    const alert = await within(issueForm()).findByRole("alert");
    expect(alert.textContent).toBe("המפתח לא הונפק: label must not contain control characters");
    expect(calls(fetch, "POST", "/api/projects/p1/keys")).toHaveLength(1);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(labelInput().value).toBe("a\tb");
    expect(labelInput().getAttribute("aria-invalid")).toBe("true");
    expect(issueButton().disabled).toBe(false);
  });

  it("refuses a blank or too long label before sending it", async () => {
    const { fetch } = setup();
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());
    fireEvent.change(labelInput(), { target: { value: "   " } });
    fireEvent.click(issueButton());
    expect(within(issueForm()).getByRole("alert").textContent).toBe("יש לכתוב תיאור: למה המפתח משמש");

    fireEvent.change(labelInput(), { target: { value: "א".repeat(101) } });
    fireEvent.click(issueButton());
    expect(plain(within(issueForm()).getByRole("alert").textContent)).toBe("התיאור ארוך מדי (עד 100 תווים)");
    expect(calls(fetch, "POST", "/api/projects/p1/keys")).toHaveLength(0);
  });

  it("asks before revoking a key, then greys its row with the revoke time", async () => {
    const revokedAt = "2025-01-05T15:30:00Z";
    const { fetch } = setup({
      [revokeRoute(CI_ID)]: () => jsonResponse({ key: key(CI_ID, { label: "CI", role: "editor", revokedAt, revokedBy: "דנה" }) }),
    });
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());
    const revokes = () => calls(fetch, "POST", `/api/projects/p1/keys/${CI_ID}/revoke`);

    const revokeButton = within(keyRow(CI_ID)).getByRole("button", { name: "שלילת המפתח" });
    fireEvent.click(revokeButton);
    const question = within(keysGroup()).getByRole("group", { name: /לשלול את המפתח/ });
    expect(plain(question.querySelector("p")!.textContent)).toContain("לשלול את המפתח „CI”?");
    expect(revokes()).toHaveLength(0);

    // Cancelling sends nothing and puts focus back on the row's button.
    fireEvent.click(within(question).getByRole("button", { name: "ביטול" }));
    expect(within(keysGroup()).queryByRole("group", { name: /לשלול את המפתח/ })).toBeNull();
    expect(revokes()).toHaveLength(0);
    await waitFor(() => expect(document.activeElement).toBe(revokeButton));

    fireEvent.click(within(keyRow(CI_ID)).getByRole("button", { name: "שלילת המפתח" }));
    const again = within(keysGroup()).getByRole("group", { name: /לשלול את המפתח/ });
    const confirm = within(again).getByRole("button", { name: "כן, לשלול את המפתח" });
    await waitFor(() => expect(document.activeElement).toBe(confirm));
    fireEvent.click(confirm);

    await waitFor(() => expect(keyRow(CI_ID).dataset.state).toBe("revoked"));
    expect(revokes()).toHaveLength(1);
    expect(authHeader(revokes()[0]![1])).toBe("Bearer tok-1");
    expect(keyRow(CI_ID).className).toContain("keys__row--revoked");
    expect(keyRow(CI_ID).textContent).toContain(`נשלל ${formatUpdatedAt(revokedAt)}`);
    expect(within(keyRow(CI_ID)).queryByRole("button")).toBeNull();
    expect(within(keysGroup()).queryByRole("group", { name: /לשלול את המפתח/ })).toBeNull();
    // Still listed, in its place.
    expect(Array.from(keysGroup().querySelectorAll<HTMLElement>("tbody tr[data-token-id]")).map((r) => r.dataset.tokenId)).toEqual([
      OLD_ID,
      CI_ID,
    ]);
  });

  it("keeps the confirmation open with the gateway's message when a revocation is refused", async () => {
    setup({ [revokeRoute(CI_ID)]: () => errorResponse(404, "not_found", `project p1 has no key ${CI_ID}`) });
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());
    fireEvent.click(within(keyRow(CI_ID)).getByRole("button", { name: "שלילת המפתח" }));
    fireEvent.click(within(keysGroup()).getByRole("button", { name: "כן, לשלול את המפתח" }));
    const alert = await within(keysGroup()).findByRole("alert");
    expect(alert.textContent).toBe(`המפתח לא נשלל: project p1 has no key ${CI_ID}`);
    expect(keyRow(CI_ID).dataset.state).toBe("active");
  });

  it("shows a member who is not an owner the members, read-only, without keys or any issue, revoke or add control", async () => {
    const { fetch } = setup({
      [MEMBERS]: () => jsonResponse({ members: [member(OTHER_ID, "owner"), member(ME_ID, "editor")] }),
    });
    await waitFor(() => expect(membersGroup().querySelectorAll("tbody tr")).toHaveLength(2));

    expect(within(membersGroup()).getByText("בעלים")).toBeTruthy();
    expect(within(membersGroup()).getByText("עורך")).toBeTruthy();
    expect(within(panel()).queryByRole("group", { name: "מפתחות API" })).toBeNull();
    expect(within(panel()).queryByRole("button")).toBeNull();
    expect(within(panel()).queryByRole("textbox")).toBeNull();
    expect(panel().querySelector("form")).toBeNull();
    expect(within(panel()).queryByText("שלילת המפתח")).toBeNull();
    expect(within(panel()).queryByText("הנפקת מפתח")).toBeNull();
    expect(calls(fetch, "GET", "/api/projects/p1/keys")).toHaveLength(0);
  });

  it("counts an owner key for this project and the studio's owner as owners", async () => {
    setup({
      [ME]: () => jsonResponse(me({ label: "מפתח בעלים", role: "owner", projectId: "p1", tokenId: NEW_ID })),
      [MEMBERS]: () => jsonResponse({ members: [] }),
    });
    expect(await within(panel()).findByRole("button", { name: "הנפקת מפתח" })).toBeTruthy();
    expect(within(membersGroup()).getByText("אין עדיין חברים בפרויקט")).toBeTruthy();
  });

  it("shows nothing to a token the members list is refused to (403), nor with a gateway without the routes", async () => {
    const { fetch } = setup({
      [MEMBERS]: () => errorResponse(403, "forbidden", "not a member of project p1"),
    });
    await waitFor(() => expect(calls(fetch, "GET", "/api/projects/p1/members")).toHaveLength(1));
    await waitFor(() => expect(screen.queryByText("טוען הרשאות…")).toBeNull());
    expect(screen.queryByRole("region", { name: "מפתחות וחברים" })).toBeNull();
    expect(calls(fetch, "GET", "/api/projects/p1/keys")).toHaveLength(0);
  });

  it("shows the server's message when access cannot be read", async () => {
    setup({ [ME]: () => errorResponse(500, "internal", "store unavailable") });
    expect((await within(panel()).findByRole("alert")).textContent).toBe("store unavailable");
  });

  it("lets an owner add a studio token, showing the gateway's refusal of a project key", async () => {
    const { fetch } = setup({
      [ADD_MEMBER]: (init) => {
        const body = JSON.parse(init!.body as string) as { tokenId: string; role: string };
        if (body.tokenId === CI_ID) {
          return errorResponse(409, "conflict", `token ${CI_ID} is a key for project p1; only studio tokens join projects (issue a key instead)`);
        }
        return jsonResponse({ ...member(body.tokenId, body.role), grantedBy: "דנה" }, 201);
      },
    });
    await waitFor(() => expect(keyRow(CI_ID)).toBeTruthy());
    const form = panel().querySelector<HTMLFormElement>('form[data-form="add-member"]')!;
    const tokenInput = within(form).getByLabelText("מזהה האסימון") as HTMLInputElement;
    const add = within(form).getByRole("button", { name: "צירוף לפרויקט" });
    const adds = () => calls(fetch, "POST", "/api/projects/p1/members");

    fireEvent.change(tokenInput, { target: { value: "not-a-token" } });
    fireEvent.click(add);
    expect(within(form).getByRole("alert").textContent).toBe("מזהה אסימון הוא 64 ספרות הקסדצימליות (0–9, a–f)");
    expect(adds()).toHaveLength(0);

    fireEvent.change(tokenInput, { target: { value: CI_ID } });
    fireEvent.click(add);
    expect((await within(form).findByText(/האסימון לא צורף/)).textContent).toBe(
      `האסימון לא צורף: token ${CI_ID} is a key for project p1; only studio tokens join projects (issue a key instead)`,
    );

    fireEvent.change(tokenInput, { target: { value: ` ${NEW_ID.toUpperCase()} ` } });
    fireEvent.change(within(form).getByLabelText("תפקיד בפרויקט"), { target: { value: "owner" } });
    fireEvent.click(add);
    await within(form).findByText("האסימון צורף לפרויקט בתפקיד בעלים");
    expect(JSON.parse(adds()[1]![1]!.body as string)).toEqual({ tokenId: NEW_ID, role: "owner" });
    const row = membersGroup().querySelector<HTMLElement>(`tr[data-token-id="${NEW_ID}"]`)!;
    expect(within(row).getByText("בעלים")).toBeTruthy();
    expect(tokenInput.value).toBe("");
  });
});
