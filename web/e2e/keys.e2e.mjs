// Project keys in real Chromium against a running Miri: the project's owner issues a viewer key
// from the keys panel and reads its secret once (a dialog with a warning; gone when closed);
// then a fresh browser logs in with that key: its picker holds this one project only, and
// approving the shot awaiting approval is refused — the row shows the gateway's reason and the
// shot stays AWAITING_APPROVAL. Last, the owner revokes the key and the row is marked revoked.
// Env: MIRI_URL, MIRI_TOKEN (the owner), MIRI_PROJECT, MIRI_SHOT (awaiting approval),
// MIRI_SCREENSHOT (a PNG path).
import { env, openDashboard } from "./dashboard.mjs";

const { MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT, MIRI_SCREENSHOT } = env(
  "MIRI_URL",
  "MIRI_TOKEN",
  "MIRI_PROJECT",
  "MIRI_SHOT",
  "MIRI_SCREENSHOT",
);
const LABEL = "מסך סקירה";
const viewport = { width: 1400, height: 1100 };

const owner = await openDashboard({ url: MIRI_URL, token: MIRI_TOKEN, project: MIRI_PROJECT, timeoutMs: 30_000, viewport });
let viewer;
try {
  const panel = owner.page.locator("section.keys");
  await panel.waitFor();
  await panel.getByLabel("תיאור המפתח (למה הוא משמש)").fill(LABEL);
  await panel.getByLabel("תפקיד המפתח").selectOption("viewer");
  await panel.getByRole("button", { name: "הנפקת מפתח" }).click();
  const dialog = owner.page.getByRole("dialog");
  await dialog.waitFor();
  const secret = await dialog.getByLabel("המפתח הסודי").inputValue();
  if (!/^[0-9a-f]{64}$/.test(secret)) throw new Error(`the dialog shows no secret: ${JSON.stringify(secret)}`);
  await dialog.getByRole("button", { name: "שמרתי את המפתח, סגירה" }).click();
  await dialog.waitFor({ state: "detached" });
  if ((await owner.page.content()).includes(secret)) throw new Error("the secret is still on the page after the dialog closed");
  const stored = await owner.page.evaluate(() => JSON.stringify({ ...localStorage }));
  if (stored.includes(secret)) throw new Error("the secret was kept in localStorage");
  const row = panel.locator("tr", { hasText: LABEL });
  await row.waitFor();

  // The key signs a fresh browser in: one project, and the viewer cannot approve.
  viewer = await openDashboard({ url: MIRI_URL, token: secret, timeoutMs: 30_000, viewport });
  const options = viewer.page.locator(".picker select option:not([disabled])");
  await options.first().waitFor({ state: "attached" });
  const offered = await options.evaluateAll((os) => os.map((o) => o.value));
  if (offered.length !== 1 || offered[0] !== MIRI_PROJECT) throw new Error(`the key is offered ${JSON.stringify(offered)}`);
  await viewer.page.locator(".picker select").selectOption(MIRI_PROJECT);
  const shot = viewer.page.locator(`tr[data-shot-id="${MIRI_SHOT}"]`);
  await shot.locator('[data-status="AWAITING_APPROVAL"]').waitFor();
  const answer = viewer.page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/shots/${MIRI_SHOT}/approve`));
  await shot.locator('[data-action="approve"]').click();
  const refused = await answer;
  if (refused.status() !== 403) throw new Error(`a viewer's approve answered ${refused.status()}`);
  await viewer.page.getByText("cannot change it", { exact: false }).first().waitFor();
  await shot.locator('[data-status="AWAITING_APPROVAL"]').waitFor();

  // Revoked by the owner: marked so in the panel.
  await row.getByRole("button", { name: "שלילת המפתח" }).click();
  await panel.getByRole("button", { name: "כן, לשלול את המפתח" }).click();
  await panel.locator(`tr[data-state="revoked"]`, { hasText: LABEL }).waitFor();
  await owner.page.screenshot({ path: MIRI_SCREENSHOT, fullPage: true });
  console.log(`issued, signed in with and revoked the viewer key; the approve was refused`);
} finally {
  await owner.browser.close();
  if (viewer) await viewer.browser.close();
}
