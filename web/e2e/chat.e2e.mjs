// The chat in real Chromium against a running Miri: start a story interview from the page, send
// the director's Hebrew message (Enter), see the typing dots while the DIRECTOR answers, and see
// its Hebrew reply with at least one question arrive live — announced by a CHAT_MESSAGE frame on
// the project's socket, not found by a reload — then screenshot the chat.
// Env: MIRI_URL, MIRI_TOKEN, MIRI_PROJECT (a project whose song is analysed), MIRI_SCREENSHOT (a
// PNG path).
import { env, openDashboard } from "./dashboard.mjs";

const { MIRI_URL, MIRI_TOKEN, MIRI_PROJECT, MIRI_SCREENSHOT } = env("MIRI_URL", "MIRI_TOKEN", "MIRI_PROJECT", "MIRI_SCREENSHOT");

const SAID = "קראתי שוב את העלילה. מה חסר בה?";
const HEBREW = /[\u05D0-\u05EA]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const viewport = { width: 1400, height: 1000 };
// The simulated DIRECTOR answers within 90 s on a loaded machine (tests/tests/story.rs).
const { browser, page } = await openDashboard({ url: MIRI_URL, token: MIRI_TOKEN, project: MIRI_PROJECT, timeoutMs: 120_000, viewport });
try {
  // Every CHAT_MESSAGE the project's socket receives; the socket is opened again by the reload,
  // after this listener is in place.
  const announced = [];
  page.on("websocket", (ws) =>
    ws.on("framereceived", ({ payload }) => {
      const text = String(payload);
      const at = text.indexOf('["CHAT_MESSAGE",');
      if (at >= 0) announced.push(JSON.parse(text.slice(at))[1]);
    }),
  );
  await page.reload();

  const chat = page.locator("section.chat");
  await chat.waitFor();
  const dir = await chat.getAttribute("dir");
  if (dir !== "rtl") throw new Error(`the chat is not right-to-left (dir=${dir})`);
  await page.locator('.conn[data-state="connected"]').waitFor();

  // A new story interview, under a title no earlier run used.
  const title = `ראיון ${new Date().toLocaleString("he-IL")}`;
  await chat.getByRole("button", { name: "שיחה חדשה" }).click();
  await chat.getByLabel("נושא").selectOption("story");
  await chat.getByLabel("כותרת (לא חובה)").fill(title);
  const created = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith(`/api/projects/${MIRI_PROJECT}/conversations`));
  await chat.getByRole("button", { name: "פתיחת השיחה" }).click();
  const made = await created;
  if (made.status() !== 201) throw new Error(`creating the conversation answered ${made.status()}`);
  const { conversationId, topic } = await made.json();
  if (topic !== "story") throw new Error(`the conversation's topic is ${topic}`);
  const column = chat.locator(`article.chat-col[data-conversation-id="${conversationId}"]`);
  await column.waitFor();

  // The dots may come and go between two polls of the page: a MutationObserver records them.
  await page.evaluate((id) => {
    window.__sawTyping = false;
    const seen = () => {
      if (document.querySelector(`article[data-conversation-id="${id}"] .chat-typing .chat-typing__dots`)) window.__sawTyping = true;
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true });
  }, conversationId);

  const composer = column.getByRole("textbox", { name: "הודעה" });
  await composer.fill(SAID);
  const sent = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith(`/api/conversations/${conversationId}/messages`));
  await composer.press("Enter");
  const request = await sent;
  const body = JSON.parse(request.postData() ?? "{}");
  if (body.content !== SAID || !UUID.test(body.clientMessageId ?? "")) throw new Error(`the page sent ${JSON.stringify(body)}`);
  const answer = await request.response();
  if (answer?.status() !== 202) throw new Error(`sending answered ${answer?.status()}: ${await answer?.text()}`);

  await page.waitForFunction(() => window.__sawTyping === true);
  const reply = column.locator('ol.chat-log > li[data-speaker="assistant"]').first();
  await reply.waitFor();
  const words = await reply.locator(".chat-msg__text").innerText();
  if (!HEBREW.test(words)) throw new Error(`the reply is not Hebrew: ${words}`);
  const questions = await reply.locator(".chat-questions li").allInnerTexts();
  if (questions.length === 0 || !questions.every((q) => HEBREW.test(q))) throw new Error(`the reply asks no Hebrew question: ${questions}`);
  const replyId = await reply.getAttribute("data-message-id");
  // The page also reads the conversation every few seconds while the model answers, so the
  // reply may be on screen a moment before its frame: give the frame a few seconds.
  const live = () => announced.some((e) => e.conversationId === conversationId && e.speaker === "assistant" && e.messageId === replyId);
  for (let waited = 0; !live() && waited < 10_000; waited += 250) await page.waitForTimeout(250);
  if (!live()) throw new Error(`no CHAT_MESSAGE announced reply ${replyId}: ${JSON.stringify(announced)}`);
  await column.locator(".chat-typing").waitFor({ state: "detached" });
  // The director's message is shown first, as sent.
  const first = column.locator("ol.chat-log > li").first();
  if ((await first.getAttribute("data-speaker")) !== "user" || (await first.locator(".chat-msg__text").innerText()) !== SAID) {
    throw new Error("the director's message is not the first one shown");
  }

  await chat.scrollIntoViewIfNeeded();
  await chat.screenshot({ path: MIRI_SCREENSHOT });
  console.log(`chat: story interview ${conversationId} answered live in Hebrew with ${questions.length} question(s)`);
} finally {
  await browser.close();
}
