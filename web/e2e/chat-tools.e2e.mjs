// Chat parity in real Chromium against a running Miri: open a general conversation from the
// chat panel, ask in Hebrew for shot 2 to be approved, see the assistant's reply propose it as a
// tool card ("אישור שוט 2"), run it from the card, and watch the shot's row in the table reach
// COMPLETED live (SHOT_UPDATED over Socket.IO, no reload) — the same approve call the row's own
// button makes — with the card marked done; then screenshot the page.
// Env: MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT (a shot of the project awaiting approval,
// number 2 in the dashboard's order), MIRI_SCREENSHOT (a PNG path).
import { env, openDashboard } from "./dashboard.mjs";

const { MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SHOT, MIRI_SCREENSHOT } = env(
  "MIRI_URL",
  "MIRI_TOKEN",
  "MIRI_PROJECT",
  "MIRI_SHOT",
  "MIRI_SCREENSHOT",
);

const SAID = "אשר את שוט 2";

/** Awaits `promise`; a timeout (or any failure) is reported naming what was waited for. */
async function waitingFor(what, promise) {
  try {
    return await promise;
  } catch (err) {
    throw new Error(`timed out or failed waiting for ${what}: ${err instanceof Error ? err.message.split("\n")[0] : err}`);
  }
}

const viewport = { width: 1400, height: 1000 };
// Generous: the simulated ORCHESTRATOR answers, then the approval's clip (ffmpeg in the
// simulator) and its prompt's translation come before COMPLETED, on a loaded CI machine.
const { browser, page } = await openDashboard({ url: MIRI_URL, token: MIRI_TOKEN, project: MIRI_PROJECT, timeoutMs: 150_000, viewport });
try {
  const dir = await page.evaluate(() => document.documentElement.dir);
  if (dir !== "rtl") throw new Error(`the dashboard is not in Hebrew, right to left (dir=${dir})`);

  const row = page.locator(`tr[data-shot-id="${MIRI_SHOT}"]`);
  await waitingFor(`shot ${MIRI_SHOT} awaiting approval in the shots table`, row.locator('[data-status="AWAITING_APPROVAL"]').waitFor());
  const number = (await row.locator(".shots__index").innerText()).trim();
  if (number !== "2") throw new Error(`shot ${MIRI_SHOT} is number ${number} in the table, not 2`);
  await waitingFor("the project's socket to connect (live updates)", page.locator('.conn[data-state="connected"]').waitFor());

  // From here on the page must not load again: the row changes only through the socket.
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });

  const chat = page.locator("section.chat");
  await waitingFor("the chat panel", chat.waitFor());
  const title = `כללית ${new Date().toLocaleString("he-IL")}`;
  await chat.getByRole("button", { name: "שיחה חדשה" }).click();
  await chat.getByLabel("נושא").selectOption("general");
  await chat.getByLabel("כותרת (לא חובה)").fill(title);
  const created = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/projects/${MIRI_PROJECT}/conversations`));
  await chat.getByRole("button", { name: "פתיחת השיחה" }).click();
  const made = await waitingFor("the answer to creating the general conversation", created);
  if (made.status() !== 201) throw new Error(`creating the conversation answered ${made.status()}: ${await made.text()}`);
  const { conversationId, topic } = await made.json();
  if (topic !== "general") throw new Error(`the conversation's topic is ${topic}, not general`);
  const column = chat.locator(`article.chat-col[data-conversation-id="${conversationId}"]`);
  await waitingFor(`the column of conversation ${conversationId}`, column.waitFor());

  const composer = column.getByRole("textbox", { name: "הודעה" });
  await composer.fill(SAID);
  const sent = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/conversations/${conversationId}/messages`));
  await composer.press("Enter");
  const answer = await waitingFor("the answer to sending the message", sent);
  if (answer.status() !== 202) throw new Error(`sending answered ${answer.status()}: ${await answer.text()}`);

  // The reply, with its tool card for approving shot 2.
  const reply = column.locator('ol.chat-log > li[data-speaker="assistant"]').first();
  await waitingFor("the assistant's reply in the general conversation", reply.waitFor());
  const card = reply.locator('[data-testid="chat-tool-call"]', { has: page.locator('button[data-action="approve"]') }).first();
  await waitingFor('a tool card with a run button of data-action="approve" in the reply', card.waitFor());
  const words = (await card.locator(".chat-tool__words").innerText()).trim();
  if (words !== "אישור שוט 2") throw new Error(`the approve card reads "${words}", not "אישור שוט 2"`);
  await waitingFor("the typing dots to go", column.locator(".chat-typing").waitFor({ state: "detached" }));

  // Run it: the same approve call the row's button makes.
  const approved = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/shots/${MIRI_SHOT}/approve`));
  await card.locator('button[data-action="approve"]').click();
  const approval = await waitingFor(`the card's POST /api/shots/${MIRI_SHOT}/approve`, approved);
  if (!approval.ok()) throw new Error(`approving from the card answered ${approval.status()}: ${await approval.text()}`);

  await waitingFor(`shot ${MIRI_SHOT}'s row to show COMPLETED live`, row.locator('[data-status="COMPLETED"]').waitFor());
  const label = (await row.locator('[data-status="COMPLETED"]').innerText()).trim();
  if (label !== "הושלם") throw new Error(`the row's COMPLETED label reads "${label}", not "הושלם"`);
  if (navigations > 0) throw new Error(`the page loaded again ${navigations} time(s): the row did not change live`);

  const doneCard = reply.locator('[data-testid="chat-tool-call"][data-state="done"]', { has: page.locator('button[data-action="approve"]') }).first();
  await waitingFor("the approve card to show done", doneCard.waitFor());
  const button = card.locator('button[data-action="approve"]');
  const done = (await button.innerText()).trim();
  if (done !== "✓ בוצע" || !(await button.isDisabled())) throw new Error(`the card's button reads "${done}" and is ${(await button.isDisabled()) ? "" : "not "}disabled`);

  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: MIRI_SCREENSHOT, fullPage: true });
  console.log(`chat tools: general conversation ${conversationId} proposed "${words}", run from the card; shot ${MIRI_SHOT} COMPLETED live`);
} finally {
  await browser.close();
}
