import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { createApiClient } from "../api";
import { createRenderProgressHub } from "../realtime";
import {
  authHeader,
  errorResponse,
  fakeObjectUrls,
  historyEntryJson,
  jsonResponse,
  mediaResponse,
  renderJson,
  reportJson,
  routedFetch,
  shot,
  type RouteHandler,
} from "../test/fakes";
import { RenderPanel } from "./RenderPanel";

const START = "POST /api/projects/p1/renders";
const HISTORY = "GET /api/projects/p1/renders";

interface Options {
  routes?: Record<string, RouteHandler>;
  pollIntervalMs?: number;
  now?: () => number;
}

function setup({ routes = {}, pollIntervalMs = 5, now }: Options = {}) {
  const fetch = routedFetch({
    [HISTORY]: () => jsonResponse({ renders: [] }),
    [START]: () => jsonResponse({ renderId: "r1", workflowId: "render-p1-r1", mode: "animatic" }, 202),
    "GET /api/renders/r1": () => jsonResponse({ status: "running", renderId: "r1", progress: { stage: "planning", done: 0, total: 0 } }),
    ...routes,
  });
  const api = createApiClient({ getToken: () => "tok-1", fetch });
  const hub = createRenderProgressHub();
  const urls = fakeObjectUrls();
  const shots = [shot({ shotId: "s1" }), shot({ shotId: "s2", startMs: 5000 }), shot({ shotId: "s3", startMs: 12_000 })];
  const view = render(
    <RenderPanel
      api={api}
      projectId="p1"
      progressSource={hub}
      shots={shots}
      objectUrls={urls}
      pollIntervalMs={pollIntervalMs}
      now={now}
    />,
  );
  return { fetch, hub, urls, view };
}

/** Answers the calls to one route from a list, repeating the last answer. */
function sequence(...answers: (() => Response)[]): RouteHandler {
  let i = 0;
  return () => answers[Math.min(i++, answers.length - 1)]!();
}

function callsTo(fetch: ReturnType<typeof routedFetch>, key: string) {
  const [method, url] = key.split(" ");
  return fetch.mock.calls.filter(([u, init]) => u === url && (init?.method ?? "GET") === method);
}

function bodyOf(fetch: ReturnType<typeof routedFetch>, key: string, n = 0): unknown {
  return JSON.parse(callsTo(fetch, key)[n]![1]!.body as string);
}

const animatic = () => screen.getByRole("button", { name: "אנימטיק" }) as HTMLButtonElement;
const finalRender = () => screen.getByRole("button", { name: "רינדור סופי" }) as HTMLButtonElement;
const overlayBox = () => screen.getByLabelText("שכבת מידע צרובה (עותק לבדיקה)") as HTMLInputElement;
const bar = () => screen.getByRole("progressbar", { name: "התקדמות הרינדור" });
const percentOf = () => Number(bar().getAttribute("aria-valuenow"));
const report = () => screen.getByRole("complementary", { name: "דוח הרינדור" });
const kpi = (name: string) => report().querySelector<HTMLElement>(`[data-kpi="${name}"] dd`)!.textContent;

const completed = (renderId = "r1", overrides: Record<string, unknown> = {}) =>
  jsonResponse({
    status: "completed",
    renderId,
    render: renderJson({ renderId, ...overrides }),
    mediaUrl: `/api/media/sha256/${renderId}.mp4`,
  });

describe("RenderPanel", () => {
  it("starts an animatic without and with the burned-in overlay, and a final render without it", async () => {
    const { fetch } = setup({
      routes: { "GET /api/renders/r1": () => completed("r1") },
    });
    await screen.findByText("אין עדיין רינדורים");

    fireEvent.click(animatic());
    await waitFor(() => expect(callsTo(fetch, START)).toHaveLength(1));
    expect(bodyOf(fetch, START, 0)).toEqual({ mode: "animatic", overlay: false });
    expect(authHeader(callsTo(fetch, START)[0]![1])).toBe("Bearer tok-1");
    await waitFor(() => expect(animatic().disabled).toBe(false));

    fireEvent.click(overlayBox());
    expect(overlayBox().checked).toBe(true);
    fireEvent.click(animatic());
    await waitFor(() => expect(callsTo(fetch, START)).toHaveLength(2));
    expect(bodyOf(fetch, START, 1)).toEqual({ mode: "animatic", overlay: true });
    await waitFor(() => expect(finalRender().disabled).toBe(false));

    // The overlay stays ticked but a final render does not send it.
    fireEvent.click(finalRender());
    await waitFor(() => expect(callsTo(fetch, START)).toHaveLength(3));
    expect(bodyOf(fetch, START, 2)).toEqual({ mode: "final" });
  });

  it("disables both buttons and the overlay while its render runs", async () => {
    const { fetch } = setup({ pollIntervalMs: 60_000 });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(animatic());
    await waitFor(() => expect(animatic().disabled).toBe(true));
    expect(finalRender().disabled).toBe(true);
    expect(overlayBox().disabled).toBe(true);
    fireEvent.click(finalRender());
    expect(callsTo(fetch, START)).toHaveLength(1);
  });

  it("moves the bar and names the stage on RENDER_PROGRESS events for its render only", async () => {
    const { hub } = setup({ pollIntervalMs: 60_000 });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(animatic());
    await screen.findByText("תכנון");
    expect(percentOf()).toBe(0);
    expect(screen.getByText("אנימטיק בעבודה")).toBeTruthy();

    act(() => hub.publish({ projectId: "p1", renderId: "r1", stage: "conforming", done: 3, total: 10 }));
    expect(screen.getByText("הכנת הקטעים")).toBeTruthy();
    expect(screen.getByText("3 מתוך 10")).toBeTruthy();
    const conforming = percentOf();
    expect(conforming).toBe(29);

    // Another render's progress, and a late event, leave the bar alone.
    act(() => hub.publish({ projectId: "p1", renderId: "other", stage: "muxing", done: 0, total: 1 }));
    act(() => hub.publish({ projectId: "p1", renderId: "r1", stage: "conforming", done: 2, total: 10 }));
    expect(percentOf()).toBe(conforming);

    act(() => hub.publish({ projectId: "p1", renderId: "r1", stage: "muxing", done: 0, total: 1 }));
    expect(screen.getByText("שילוב הפסקול")).toBeTruthy();
    expect(percentOf()).toBeGreaterThan(conforming);
    expect(bar().getAttribute("aria-valuetext")).toBe(`שילוב הפסקול ${percentOf()}%`);
  });

  it("uses progress that arrived before the start request was answered", async () => {
    let answer!: () => void;
    const { hub } = setup({
      pollIntervalMs: 60_000,
      routes: {
        [START]: () =>
          new Promise<Response>((resolve) => {
            answer = () => resolve(jsonResponse({ renderId: "r1", workflowId: "w", mode: "animatic" }, 202));
          }),
      },
    });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(animatic());
    await screen.findByText("מתחיל רינדור…");
    act(() => hub.publish({ projectId: "p1", renderId: "r1", stage: "conforming", done: 5, total: 10 }));
    await act(async () => answer());
    expect(await screen.findByText("5 מתוך 10")).toBeTruthy();
  });

  it("keeps polling through early 404s, then shows the finished render in the player and its report", async () => {
    const { fetch, urls } = setup({
      routes: {
        "GET /api/renders/r1": sequence(
          () => errorResponse(404, "not_found", "render r1 does not exist"),
          () => jsonResponse({ status: "running", renderId: "r1", progress: { stage: "joining", done: 0, total: 1 } }),
          () => completed("r1"),
        ),
        "GET /api/media/sha256/r1.mp4": () => mediaResponse(),
      },
    });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(animatic());

    const video = await waitFor(() => {
      const v = document.querySelector("video");
      if (!v) throw new Error("no video yet");
      return v;
    });
    expect(callsTo(fetch, "GET /api/renders/r1")).toHaveLength(3);
    expect(screen.queryByRole("alert")).toBeNull();

    // The media is fetched with the token and played from an object URL.
    const media = callsTo(fetch, "GET /api/media/sha256/r1.mp4");
    expect(media).toHaveLength(1);
    expect(authHeader(media[0]![1])).toBe("Bearer tok-1");
    expect(video.getAttribute("src")).toBe("blob:fake/1");
    expect(video.controls).toBe(true);
    expect(await urls.blobs[0]!.text()).toBe("fake-mp4-bytes");

    expect(screen.getByText("הסתיים")).toBeTruthy();
    expect(percentOf()).toBe(100);
    expect(animatic().disabled).toBe(false);

    // The report: coverage, gaps in m:ss.s, uncovered lyrics, the cost still to come.
    expect(kpi("coverage")).toBe("85%");
    expect(kpi("uncovered-lyrics")).toBe("2");
    expect(kpi("cuts")).toBe("85.7%");
    expect(kpi("estimate")).toBe("$0.90");
    const r = report();
    expect(within(r).getByText("אנימטיק").dataset.badge).toBe("mode");
    expect(within(r).getByText("ללא שכבת מידע").dataset.badge).toBe("overlay");
    const gaps = r.querySelector('[data-list="gaps"]')!;
    expect(gaps.textContent).toContain("0:10.0–0:12.0");
    expect(gaps.textContent).toContain("0:19.0–0:20.0");
    // Shots are named by their row in the shots table; s4 is not in it.
    expect(r.querySelector('[data-list="overlaps"]')!.textContent).toContain("0:14.0–0:15.0");
    expect(r.querySelector('[data-list="overlaps"]')!.textContent).toContain("שוט 3 ו־s4");
    const lyrics = r.querySelectorAll('[data-list="lyrics"] li');
    expect([...lyrics].map((l) => l.getAttribute("data-covered"))).toEqual(["true", "false", "false"]);
    expect(lyrics[2]!.textContent).toContain("הזה");
    expect(lyrics[2]!.textContent).toContain("לא מכוסה: 1.6 ש׳");
    expect(r.querySelector("[data-uncovered]")!.textContent).toBe("2 שורות לא מכוסות");
    expect(r.querySelector('[data-list="unreadable"]')!.textContent).toBe("שוט 2: its still cannot be read");
    const scenes = [...r.querySelectorAll('[data-list="scenes"] tbody tr')].map((tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.textContent),
    );
    expect(scenes).toEqual([
      ["1", "11", "2"],
      ["2", "22", "1"],
    ]);
    expect(r.textContent).toContain("שוטים ללא סצנה: 1");
    const segments = [...r.querySelectorAll('[data-list="segments"] > div')].map((d) => d.textContent);
    expect(segments).toEqual(["קליפים2", "סטילס0", "כרטיסי כותרת2", "מוסתרים0", "כרטיסי פער2"]);
    expect(r.querySelector('[data-list="cost"]')!.textContent).toContain("$1.20");
    expect(r.querySelector('[data-list="cost"]')!.textContent).toContain("$5.00");
    expect(within(r).getByText("בתוך התקרה")).toBeTruthy();
    const models = [...r.querySelectorAll('[data-list="models"] li')].map((li) =>
      [...li.querySelectorAll("bdi")].map((b) => b.textContent),
    );
    expect(models).toEqual([
      ["fal-ai/kling-video/v3/standard/image-to-video", "1"],
      ["unknown", "1"],
    ]);
    expect(gaps.textContent).toContain("(\u20662.0\u2069 ש׳)");

    // The finished render is listed and the history is asked for again.
    await waitFor(() => expect(callsTo(fetch, HISTORY)).toHaveLength(2));
    expect(screen.getByRole("button", { pressed: true }).getAttribute("data-render-id")).toBe("r1");
  });

  it("flags an estimate over the cap with its note, and a song without a beat grid", async () => {
    setup({
      routes: {
        "GET /api/renders/r1": () =>
          completed("r1", {
            overlay: true,
            report: reportJson({
              cuts: { cuts: 3, onBeat: 0, share: null, noGrid: "the song has no analysis", offBeat: [] },
              cost: {
                spentUsdMicros: 0,
                reservedUsdMicros: 0,
                capUsdMicros: 1_000_000,
                videoModel: "fal-ai/kling-video/v3/standard/image-to-video",
                clipsToMake: 1,
                clipSecsToMake: 15,
                estimateUsdMicros: 1_680_000,
                withinCap: false,
                note: "a lower bound: shots s9 are longer than one clip",
              },
            }),
          }),
        "GET /api/media/sha256/r1.mp4": () => mediaResponse(),
      },
    });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(animatic());
    await screen.findByText("חורג מהתקרה");
    expect(kpi("estimate")).toBe("$1.68");
    expect(report().querySelector('[data-kpi="estimate"]')!.className).toContain("kpi--warn");
    expect(within(report()).getByText("a lower bound: shots s9 are longer than one clip")).toBeTruthy();
    expect(kpi("cuts")).toBe("אין רשת פעמות");
    expect(within(report()).getByText("the song has no analysis")).toBeTruthy();
    expect(within(report()).getByText("שכבת מידע צרובה").dataset.badge).toBe("overlay");
  });

  it("shows the gateway's message when a final render is refused", async () => {
    const { fetch } = setup({
      routes: {
        [START]: () => errorResponse(422, "missing_clips", "shots 3, 7 have no approved clip"),
      },
    });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(finalRender());
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("shots 3, 7 have no approved clip");
    expect(finalRender().disabled).toBe(false);
    expect(screen.queryByRole("progressbar")).toBeNull();
    expect(callsTo(fetch, "GET /api/renders/r1")).toHaveLength(0);
  });

  it("reports a failed render with its error", async () => {
    setup({
      routes: { "GET /api/renders/r1": () => jsonResponse({ status: "failed", renderId: "r1", error: "ffmpeg exited 1" }) },
    });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(animatic());
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("הרינדור נכשל: ffmpeg exited 1");
    expect(screen.getByText("נכשל")).toBeTruthy();
    expect(animatic().disabled).toBe(false);
  });

  it("gives up on a render still not found after the grace period", async () => {
    let clock = 0;
    setup({
      now: () => clock,
      routes: { "GET /api/renders/r1": () => errorResponse(404, "not_found", "render r1 does not exist") },
    });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(animatic());
    await waitFor(() => expect(animatic().disabled).toBe(true));
    expect(screen.queryByRole("alert")).toBeNull();
    clock = 31_000;
    expect((await screen.findByRole("alert")).textContent).toContain("הרינדור r1 לא נמצא בשרת");
    expect(animatic().disabled).toBe(false);
  });

  it("asks for the render at once when an event says it is done", async () => {
    const { hub, fetch } = setup({
      pollIntervalMs: 60_000,
      routes: {
        "GET /api/renders/r1": () => completed("r1"),
        "GET /api/media/sha256/r1.mp4": () => mediaResponse(),
      },
    });
    await screen.findByText("אין עדיין רינדורים");
    fireEvent.click(animatic());
    await screen.findByText("תכנון");
    expect(callsTo(fetch, "GET /api/renders/r1")).toHaveLength(0);
    act(() => hub.publish({ projectId: "p1", renderId: "r1", stage: "done", done: 1, total: 1 }));
    await waitFor(() => expect(document.querySelector("video")).not.toBeNull(), { timeout: 5000 });
    expect(callsTo(fetch, "GET /api/renders/r1")).toHaveLength(1);
  });

  it("lists the history; choosing an older render shows its report and plays it", async () => {
    const { fetch, urls, view } = setup({
      routes: {
        [HISTORY]: () =>
          jsonResponse({
            renders: [
              historyEntryJson({ renderId: "new", createdAt: "2025-02-02T10:00:00Z", overlay: true }),
              historyEntryJson({
                renderId: "old",
                mode: "final",
                createdAt: "2025-01-01T10:00:00Z",
                report: reportJson({
                  coverage: { coveredMs: 12_000, share: 0.6, gaps: [{ startMs: 0, endMs: 8_000 }], overlaps: [] },
                  uncoveredLyrics: 0,
                  lyrics: [],
                }),
              }),
            ],
          }),
        "GET /api/media/sha256/old.mp4": () => mediaResponse("old-bytes"),
        "GET /api/media/sha256/new.mp4": () => mediaResponse("new-bytes"),
      },
    });
    const history = await screen.findByRole("region", { name: "היסטוריית רינדורים" });
    const entries = await within(history).findAllByRole("button");
    expect(entries.map((b) => b.getAttribute("data-render-id"))).toEqual(["new", "old"]);
    expect(entries[0]!.textContent).toContain("אנימטיק");
    expect(entries[0]!.textContent).toContain("שכבת מידע צרובה");
    expect(entries[0]!.textContent).toContain("כיסוי 85%");
    expect(entries[1]!.textContent).toContain("רינדור סופי");
    expect(entries[1]!.textContent).toContain("כיסוי 60%");

    // The newest is shown; its video waits to be asked for.
    expect(entries[0]!.getAttribute("aria-pressed")).toBe("true");
    expect(kpi("coverage")).toBe("85%");
    expect(callsTo(fetch, "GET /api/media/sha256/new.mp4")).toHaveLength(0);
    expect(screen.getByRole("button", { name: /^הצגת הווידאו/ })).toBeTruthy();

    fireEvent.click(entries[1]!);
    await waitFor(() => expect(kpi("coverage")).toBe("60%"));
    expect(entries[1]!.getAttribute("aria-pressed")).toBe("true");
    expect(kpi("uncovered-lyrics")).toBe("0");
    expect(report().querySelector('[data-list="gaps"]')!.textContent).toContain("0:00.0–0:08.0");
    expect(within(report()).getByText("רינדור סופי").dataset.badge).toBe("mode");
    await waitFor(() => expect(document.querySelector("video")?.getAttribute("src")).toBe("blob:fake/1"));
    expect(await urls.blobs[0]!.text()).toBe("old-bytes");

    // Back to the newest: the old object URL is let go.
    fireEvent.click(entries[0]!);
    await waitFor(() => expect(document.querySelector("video")?.getAttribute("src")).toBe("blob:fake/2"));
    expect(urls.revoked).toEqual(["blob:fake/1"]);
    view.unmount();
    expect(urls.revoked).toEqual(["blob:fake/1", "blob:fake/2"]);
  });

  it("shows an empty history without an error when the gateway has no history route", async () => {
    const { fetch } = setup({ routes: { [HISTORY]: () => new Response(null, { status: 404 }) } });
    expect(await screen.findByText("אין עדיין רינדורים")).toBeTruthy();
    expect(callsTo(fetch, HISTORY)).toHaveLength(1);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByText("עדיין אין רינדור. התחילו באנימטיק כדי לראות את כל הסרט.")).toBeTruthy();
  });

  it("shows another history failure with a retry", async () => {
    const { fetch } = setup({
      routes: { [HISTORY]: sequence(() => errorResponse(503, "unavailable", "store unavailable"), () => jsonResponse({ renders: [] })) },
    });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("store unavailable");
    fireEvent.click(within(alert).getByRole("button", { name: "לנסות שוב" }));
    expect(await screen.findByText("אין עדיין רינדורים")).toBeTruthy();
    expect(callsTo(fetch, HISTORY)).toHaveLength(2);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
