// The shots page in real Chromium (Debian's, never a downloaded browser) against a running Miri:
// log in with a token, open the project, see the shot awaiting approval, approve it from the
// page, and watch COMPLETED arrive live over Socket.IO without a reload.
// Env: MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT, MIRI_SCREENSHOT (a PNG path).
import { env, openDashboard } from "./dashboard.mjs";

const { MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT } = env("MIRI_URL", "MIRI_TOKEN", "MIRI_PROJECT", "MIRI_SHOT");
const { MIRI_SCREENSHOT } = process.env;

// Generous: on a loaded CI machine the clip (ffmpeg in the simulator) and its prompt's translation
// come after the approval, with other suites running beside this one.
const { browser, page } = await openDashboard({ url: MIRI_URL, token: MIRI_TOKEN, project: MIRI_PROJECT, timeoutMs: 150_000 });
try {
  const row = page.locator(`tr[data-shot-id="${MIRI_SHOT}"]`);
  await row.locator('[data-status="AWAITING_APPROVAL"]').waitFor();
  const dir = await page.evaluate(() => document.documentElement.dir);
  if (dir !== "rtl") throw new Error(`the page is not right-to-left (dir=${dir})`);
  await row.locator("button.btn--approve").click();
  // No reload: the status changes only through SHOT_UPDATED events.
  await row.locator('[data-status="COMPLETED"]').waitFor();
  // The row keeps what it showed: the approve answer and the events only add to it.
  const time = await row.locator(".shots__time").innerText();
  const description = await row.locator(".shots__description").innerText();
  if (!time.includes("00:03.000")) throw new Error(`the row lost its timestamps: ${time}`);
  if (!description.trim()) throw new Error("the row lost its description");
  if (MIRI_SCREENSHOT) await page.screenshot({ path: MIRI_SCREENSHOT, fullPage: true });
  console.log("shots page: approved from the dashboard, COMPLETED arrived live");
} finally {
  await browser.close();
}
