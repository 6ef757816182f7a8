// The render panel in real Chromium against a running Miri: ask for an animatic with the
// burned-in overlay from the dashboard, watch the progress bar move, play the film the panel
// fetched and read its report beside it (the gap after the project's only shot is listed).
// Env: MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SONG_SECS, MIRI_SCREENSHOT (a PNG path).
import { env, openDashboard } from "./dashboard.mjs";

const { MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SONG_SECS } = env("MIRI_URL", "MIRI_TOKEN", "MIRI_PROJECT", "MIRI_SONG_SECS");
const { MIRI_SCREENSHOT } = process.env;

const viewport = { width: 1400, height: 1000 };
const { browser, page } = await openDashboard({ url: MIRI_URL, token: MIRI_TOKEN, project: MIRI_PROJECT, timeoutMs: 120_000, viewport });
try {
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
