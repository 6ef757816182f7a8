// What every browser test starts with: Debian's Chromium (never a downloaded browser), a page
// that prints what went wrong on the way (for the test's failure message), logged in with the
// token and opened on the project (or on the bare dashboard without one).
import { chromium } from "playwright-core";

/** Reads the named variables from the environment; throws naming the first missing one. */
export function env(...names) {
  const values = {};
  for (const name of names) {
    if (!process.env[name]) throw new Error(`${name} is not set`);
    values[name] = process.env[name];
  }
  return values;
}

/** Launches Chromium and opens the dashboard at `url` on `project` if given, logged in with `token`. */
export async function openDashboard({ url, token, project, timeoutMs, viewport }) {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage(viewport ? { viewport } : {});
  page.setDefaultTimeout(timeoutMs);
  page.on("response", (r) => r.status() >= 400 && console.log(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  page.on("console", (m) => m.type() === "error" && console.log(`console: ${m.text()}`));
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
  await page.goto(url);
  await page.evaluate((t) => localStorage.setItem("miri.token", t), token);
  await page.goto(project ? `${url}/?project=${project}` : url);
  return { browser, page };
}
