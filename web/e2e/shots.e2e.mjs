// The shots page in real Chromium (Debian's, never a downloaded browser) against a running Miri:
// log in with a token, open the project, see the shot awaiting approval, approve it from the
// page, and watch COMPLETED arrive live over Socket.IO without a reload; then page through
// every version the shot had, newest first, in the version browser.
// Env: MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT, MIRI_SCREENSHOT (a PNG path; the version
// browser's is written beside it as versions.png).
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

  // The version browser lists what the API holds, newest first, and pages through all of it.
  const held = await page.evaluate(
    async ({ shot, token }) => {
      const r = await fetch(`/api/shots/${shot}/versions`, { headers: { Authorization: `Bearer ${token}` } });
      return r.json();
    },
    { shot: MIRI_SHOT, token: MIRI_TOKEN },
  );
  // A translation is shown as its prompt's Hebrew, not as a version of its own.
  const all = held.versions ?? held;
  const present = new Set(all.map((v) => v.versionId));
  const translated = new Set(all.filter((v) => v.kind === "translation" && present.has(v.parent)).map((v) => v.parent));
  const ids = all.filter((v) => !(v.kind === "translation" && present.has(v.parent))).map((v) => v.versionId);
  await row.locator("button", { hasText: "גרסאות" }).click();
  const dialog = page.locator('section.versions[role="dialog"]');
  await dialog.locator("ol.versions__list").waitFor();
  const listed = await dialog.locator("button.versions__item").evaluateAll((items) => items.map((b) => b.dataset.versionId));
  if (JSON.stringify(listed) !== JSON.stringify(ids)) throw new Error(`the browser lists ${listed}, the API ${ids}`);
  const kinds = new Set();
  for (const [i, id] of ids.entries()) {
    const detail = dialog.locator(`article.version[data-version-id="${id}"]`);
    await detail.waitFor();
    const kind = (await detail.locator(".version__head .badge").getAttribute("class")).replace(/.*badge--kind-/, "");
    kinds.add(kind);
    if (translated.has(id)) {
      const hebrew = await detail.locator(".version__hebrew").innerText();
      if (!/[\u0590-\u05FF]/.test(hebrew)) throw new Error(`prompt ${id} shows no Hebrew translation: ${hebrew}`);
    }
    if (kind === "image") {
      await page.waitForFunction((v) => {
        const img = document.querySelector(`article.version[data-version-id="${v}"] .version__still img`);
        return img !== null && img.complete && img.naturalWidth > 0;
      }, id);
    }
    if (i < ids.length - 1) await dialog.getByRole("button", { name: "ישנה יותר", exact: true }).click();
  }
  for (const kind of ["prompt", "image", "video"]) {
    if (!kinds.has(kind)) throw new Error(`no ${kind} version among ${[...kinds]}`);
  }
  if (MIRI_SCREENSHOT) await page.screenshot({ path: MIRI_SCREENSHOT.replace(/[^/]*$/, "versions.png") });
  console.log(`shots page: approved from the dashboard, COMPLETED arrived live; paged through ${ids.length} versions`);
} finally {
  await browser.close();
}
