// The dashboard's numbers (issue 8, `make bench`), in Debian's Chromium against a running stack:
// the first load of a project with many shots — cold, a new browser context each time — until
// every row is on screen and until the main thread is quiet (time to interactive: the later of
// the rows and the end of the last long task), and the latency from a shot's status being
// written (its `updatedAt`) to the status on screen, for shots generated while the page is open.
// Prints one JSON document; the bench writes it under bench/results/.
import { chromium } from "playwright-core";
import { env } from "./dashboard.mjs";

const { MIRI_URL: url, MIRI_TOKEN: token, MIRI_PROJECT: project, MIRI_SHOTS } = env(
  "MIRI_URL",
  "MIRI_TOKEN",
  "MIRI_PROJECT",
  "MIRI_SHOTS",
);
const shots = Number(MIRI_SHOTS);
const loads = Number(process.env.MIRI_LOADS ?? 5);
const changes = Number(process.env.MIRI_CHANGES ?? 20);
/** How long the main thread must stay free of long tasks after the rows before it counts as quiet. */
const QUIET_MS = 2000;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** A fresh context (empty cache) logged in before any of the page's scripts run. */
async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript((t) => {
    localStorage.setItem("miri.token", t);
    window.__longTaskEnds = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTaskEnds.push(e.startTime + e.duration);
    }).observe({ type: "longtask", buffered: true });
  }, token);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  return { context, page };
}

/** One cold load: ms from navigation start to all rows, to quiet, and the scripts it fetched. */
async function load(page) {
  await page.goto(`${url}/?project=${project}`);
  await page.waitForFunction((n) => document.querySelectorAll("tr[data-shot-id]").length >= n, shots, { polling: "raf" });
  const rowsMs = await page.evaluate(() => performance.now());
  await page.waitForTimeout(QUIET_MS);
  return page.evaluate((rows) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const ends = window.__longTaskEnds.filter((t) => t <= rows + 60_000);
    const scripts = performance.getEntriesByType("resource").filter((r) => r.initiatorType === "script");
    return {
      rowsMs: rows,
      ttiMs: Math.max(rows, ...ends),
      domContentLoadedMs: nav.domContentLoadedEventEnd,
      longTasks: ends.length,
      scriptTransferBytes: scripts.reduce((sum, r) => sum + r.transferSize, 0),
      scriptDecodedBytes: scripts.reduce((sum, r) => sum + r.decodedBodySize, 0),
    };
  }, rowsMs);
}

async function api(path, init = {}) {
  const r = await fetch(`${url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
  const body = await r.text();
  if (!r.ok) throw new Error(`${init.method ?? "GET"} ${path} answered ${r.status}: ${body}`);
  return body ? JSON.parse(body) : null;
}

const firstLoads = [];
let open = null;
for (let i = 0; i < loads; i++) {
  const fresh = await freshPage();
  firstLoads.push(await load(fresh.page));
  if (i < loads - 1) await fresh.context.close();
  else open = fresh;
}

// Status to screen: every row's badge watched from inside the page (the browser's clock, which
// is the server's: one machine), then shots generated one by one.
const { page } = open;
await page.evaluate(() => {
  window.__seen = [];
  const look = () => {
    for (const badge of document.querySelectorAll("tr[data-shot-id] [data-status]")) {
      const row = badge.closest("tr");
      const key = `${row.dataset.shotId} ${badge.dataset.status}`;
      if (!window.__seenKeys?.has(key)) {
        (window.__seenKeys ??= new Set()).add(key);
        window.__seen.push({ shotId: row.dataset.shotId, status: badge.dataset.status, at: Date.now() });
      }
    }
  };
  look();
  new MutationObserver(look).observe(document.querySelector("tbody"), { subtree: true, childList: true, attributes: true, characterData: true });
});
const listed = await api(`/api/projects/${project}/shots`);
const drafts = listed.filter((s) => s.status === "DRAFT").slice(0, changes);
for (const shot of drafts) {
  await api("/api/shots/generate", { method: "POST", body: JSON.stringify({ shotId: shot.shotId }) });
  await new Promise((r) => setTimeout(r, 200));
}
const ids = new Set(drafts.map((s) => s.shotId));
await page.waitForFunction(
  (want) => window.__seen.filter((s) => want.includes(s.shotId) && s.status === "AWAITING_APPROVAL").length >= want.length,
  [...ids],
  { timeout: 180_000, polling: 100 },
);
const seen = await page.evaluate(() => window.__seen);
const latencies = [];
for (const id of ids) {
  const shot = await api(`/api/shots/${id}`);
  if (shot.status !== "AWAITING_APPROVAL") throw new Error(`shot ${id} moved on to ${shot.status} before it was read`);
  const onScreen = seen.find((s) => s.shotId === id && s.status === "AWAITING_APPROVAL").at;
  latencies.push({ shotId: id, ms: onScreen - Date.parse(shot.updatedAt) });
}
await browser.close();
console.log(JSON.stringify({ shots, firstLoads, statusToScreen: latencies }));
