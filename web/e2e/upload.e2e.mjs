// The song upload and its analysis in real Chromium against a running Miri: make a project
// from the dashboard with the demo song, see the upload bar climb to 100 %, let the analysis
// start by itself (its box is ticked by default) and see the table of Parts and Moments fill
// in with what the API holds, then play the song from a Moment.
// Env: MIRI_URL, MIRI_TOKEN, MIRI_SONG (an MP3's path, e.g. `miri demo-song --out DIR` ->
// DIR/song.mp3), MIRI_LYRICS (optional: the lyrics file, e.g. DIR/lyrics.txt; with it the table
// must have Moments), MIRI_SCREENSHOT (optional: a PNG path).
import { readFileSync } from "node:fs";
import { env, openDashboard } from "./dashboard.mjs";

const { MIRI_URL, MIRI_TOKEN, MIRI_SONG } = env("MIRI_URL", "MIRI_TOKEN", "MIRI_SONG");
const { MIRI_LYRICS, MIRI_SCREENSHOT } = process.env;
const name = `שיר ערש ${Date.now()}`;

const viewport = { width: 1400, height: 1000 };
const { browser, page } = await openDashboard({ url: MIRI_URL, token: MIRI_TOKEN, timeoutMs: 180_000, viewport });
try {
  await page.getByRole("button", { name: "פרויקט חדש", exact: true }).click();
  const form = page.locator("form.new-project");
  await form.getByLabel("שם הפרויקט").fill(name);
  await form.locator('input[type="file"]').setInputFiles(MIRI_SONG);
  if (MIRI_LYRICS) await form.getByLabel("מילות השיר").fill(readFileSync(MIRI_LYRICS, "utf8"));
  await form.getByLabel("עלילה").fill("ילדה נרדמת, והחדר מתמלא כוכבים");

  // Every value the bar takes, recorded as it changes: it leaves the page once the project is made.
  await page.evaluate(() => {
    const seen = (window.__uploadPercents = []);
    new MutationObserver(() => {
      const value = document.querySelector('form.new-project [role="progressbar"]')?.getAttribute("aria-valuenow");
      if (value != null && seen.at(-1) !== Number(value)) seen.push(Number(value));
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow"] });
  });
  const created = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/projects");
  const analysed = page.waitForRequest((r) => r.method() === "POST" && /\/api\/projects\/[^/]+\/analyses$/.test(new URL(r.url()).pathname));
  await form.getByRole("button", { name: "העלאה ויצירת הפרויקט" }).click();

  const response = await created;
  if (response.status() !== 201) throw new Error(`POST /api/projects answered ${response.status()}: ${await response.text()}`);
  const { projectId } = await response.json();
  const percents = await page.evaluate(() => window.__uploadPercents);
  if (percents.at(-1) !== 100) throw new Error(`the upload bar stopped at ${percents.at(-1)} % (it showed ${percents.join(", ")})`);
  if (percents.some((p, i) => i > 0 && p < percents[i - 1])) throw new Error(`the upload bar went back: ${percents.join(", ")}`);

  // The new project is the one shown, and its analysis was started for it.
  await page.locator("section.app__shots h2", { hasText: name }).waitFor();
  if (new URL(page.url()).searchParams.get("project") !== projectId) throw new Error(`the page shows ${page.url()}, not ${projectId}`);
  const started = new URL((await analysed).url()).pathname;
  if (started !== `/api/projects/${projectId}/analyses`) throw new Error(`the analysis was started at ${started}`);

  // The table fills in with what the API holds.
  const panel = page.locator("section.analysis");
  await panel.locator("table.analysis__table").waitFor();
  const held = await page.evaluate(
    async ({ projectId, token }) => {
      const r = await fetch(`/api/projects/${projectId}/analysis`, { headers: { Authorization: `Bearer ${token}` } });
      return r.json();
    },
    { projectId, token: MIRI_TOKEN },
  );
  const parts = await panel.locator("tbody.analysis__part").count();
  const moments = panel.locator("tr.analysis__moment[data-moment-start]");
  if (parts === 0 || parts !== held.parts.length) throw new Error(`the table shows ${parts} Parts, the API has ${held.parts.length}`);
  if ((await moments.count()) !== held.moments.length) {
    throw new Error(`the table shows ${await moments.count()} Moments, the API has ${held.moments.length}`);
  }
  if (MIRI_LYRICS && held.moments.length === 0) throw new Error("the analysis of a song with lyrics has no Moments");

  // Play from a Moment: the song is fetched with the token and moved to the Moment's start.
  if (held.moments.length > 0) {
    const moment = moments.nth(Math.min(2, held.moments.length - 1));
    const startMs = Number(await moment.getAttribute("data-moment-start"));
    await moment.locator("button.analysis__time").click();
    await page.waitForFunction((ms) => {
      const audio = document.querySelector("audio.song-player__audio");
      return audio !== null && audio.readyState >= 1 && audio.currentTime * 1000 >= ms - 50 && audio.currentTime * 1000 < ms + 5000;
    }, startMs);
  }
  if (MIRI_SCREENSHOT) await page.screenshot({ path: MIRI_SCREENSHOT, fullPage: true });
  console.log(`upload: project ${projectId} made (bar ${percents.join(" → ")} %), analysed into ${parts} Parts and ${held.moments.length} Moments`);
} finally {
  await browser.close();
}
