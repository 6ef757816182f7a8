// The shots page in real Chromium (Debian's, never a downloaded browser) against a running Miri:
// log in with a token, open the project, see the shot awaiting approval, approve it from the
// page, and watch COMPLETED arrive live over Socket.IO without a reload.
// Env: MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT, MIRI_SCREENSHOT (a PNG path).
import { chromium } from "playwright-core";

const { MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT, MIRI_SCREENSHOT } = process.env;
for (const [k, v] of Object.entries({ MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT })) {
  if (!v) throw new Error(`${k} is not set`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  // Generous: on a loaded CI machine the clip (ffmpeg in the simulator) and its prompt's translation
  // come after the approval, with other suites running beside this one.
  page.setDefaultTimeout(150_000);
  // What the page met on the way, printed for the test's failure message.
  page.on("response", (r) => r.status() >= 400 && console.log(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  page.on("console", (m) => m.type() === "error" && console.log(`console: ${m.text()}`));
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  await page.goto(MIRI_URL);
  await page.evaluate((token) => localStorage.setItem("miri.token", token), MIRI_TOKEN);
  await page.goto(`${MIRI_URL}/?project=${MIRI_PROJECT}`);

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
