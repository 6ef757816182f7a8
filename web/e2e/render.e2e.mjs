// The render panel in real Chromium against a running Miri: ask for an animatic with the
// burned-in overlay from the dashboard, watch the progress bar move, play the film the panel
// fetched and read its report beside it (the gap after the project's only shot is listed).
// Env: MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SONG_SECS, MIRI_SCREENSHOT (a PNG path).
import { chromium } from "playwright-core";

const { MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SONG_SECS, MIRI_SCREENSHOT } = process.env;
for (const [k, v] of Object.entries({ MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SONG_SECS })) {
  if (!v) throw new Error(`${k} is not set`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(120_000);
  page.on("response", (r) => r.status() >= 400 && console.log(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  page.on("console", (m) => m.type() === "error" && console.log(`console: ${m.text()}`));
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  await page.goto(MIRI_URL);
  await page.evaluate((token) => localStorage.setItem("miri.token", token), MIRI_TOKEN);
  await page.goto(`${MIRI_URL}/?project=${MIRI_PROJECT}`);

  const panel = page.locator("section.render");
  await panel.getByRole("checkbox", { name: "שכבת מידע צרובה (עותק לבדיקה)" }).check();
  const started = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith(`/api/projects/${MIRI_PROJECT}/renders`));
  await panel.getByRole("button", { name: "אנימטיק", exact: true }).click();
  const body = JSON.parse((await started).postData() ?? "{}");
  if (body.mode !== "animatic" || body.overlay !== true) throw new Error(`the panel asked for ${JSON.stringify(body)}`);
  // The bar stays at its last stage once the render is done.
  await panel.locator('.render-progress[data-stage="done"] [role="progressbar"][aria-valuenow="100"]').waitFor();

  // The film, fetched with the token, plays in the panel at the song's length.
  const video = panel.locator("video.render-player__video");
  await video.waitFor();
  await page.waitForFunction(() => document.querySelector("video.render-player__video")?.readyState >= 1);
  const duration = await video.evaluate((v) => v.duration);
  if (Math.abs(duration - Number(MIRI_SONG_SECS)) > 0.1) throw new Error(`the film is ${duration} s, the song ${MIRI_SONG_SECS} s`);

  const report = panel.locator("aside.report");
  await report.locator('[data-badge="overlay"].badge--overlay').waitFor();
  const gaps = await report.locator('[data-list="gaps"] li').count();
  if (gaps !== 1) throw new Error(`the report lists ${gaps} gaps, not the one after the shot`);
  const buttons = await panel.getByRole("button", { name: "אנימטיק", exact: true }).isEnabled();
  if (!buttons) throw new Error("the buttons stay disabled after the render finished");
  if (MIRI_SCREENSHOT) await page.screenshot({ path: MIRI_SCREENSHOT, fullPage: true });
  console.log(`render panel: animatic with overlay played (${duration.toFixed(2)} s) with its report`);
} finally {
  await browser.close();
}
