import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createApiClient } from "../api";
import { analysisJson } from "../test/analysisFakes";
import { authHeader, errorResponse, fakeObjectUrls, jsonResponse, routedFetch, type RouteHandler } from "../test/fakes";
import { AnalysisPanel } from "./AnalysisPanel";

const NEWEST = "GET /api/projects/p1/analysis";
const START = "POST /api/projects/p1/analyses";
const RUN = "GET /api/projects/p1/analyses/a1";
const SONG = "/api/media/sha256/song.mp3";

interface Options {
  routes?: Record<string, RouteHandler>;
  songUrl?: string | null;
  autoStart?: boolean;
  onAutoStarted?: () => void;
}

function setup({ routes = {}, songUrl = SONG, autoStart, onAutoStarted }: Options = {}) {
  const fetch = routedFetch({
    [NEWEST]: () => jsonResponse(analysisJson()),
    [START]: () => jsonResponse({ analysisId: "a1", workflowId: "analysis:p1:a1" }, 202),
    [`GET ${SONG}`]: () => new Response("mp3-bytes", { status: 200, headers: { "Content-Type": "audio/mpeg" } }),
    ...routes,
  });
  const api = createApiClient({ getToken: () => "tok-1", fetch });
  const urls = fakeObjectUrls();
  const view = render(
    <AnalysisPanel
      api={api}
      projectId="p1"
      songUrl={songUrl}
      autoStart={autoStart}
      onAutoStarted={onAutoStarted}
      objectUrls={urls}
      pollIntervalMs={5}
    />,
  );
  return { fetch, urls, view };
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

const table = () => screen.getByRole("table", { name: "חלקי השיר והרגעים בכל חלק" });
const partGroup = (i: number) => table().querySelector<HTMLElement>(`tbody[data-part="${i}"]`)!;
const cells = (row: Element) => [...row.querySelectorAll("td, th")].map((c) => c.textContent);
const momentRow = (startMs: number) => table().querySelector<HTMLElement>(`tr[data-moment-start="${startMs}"]`)!;
const running = (progress: unknown) => () => jsonResponse({ status: "running", analysisId: "a1", progress });

describe("AnalysisPanel", () => {
  let play: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    // jsdom cannot play media; the element's play() is what the panel calls.
    play = vi.fn(() => Promise.resolve());
    vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(play as () => Promise<void>);
  });
  afterEach(() => vi.restoreAllMocks());

  it("shows every Part with its span and measures, and its Moments under it", async () => {
    const { fetch } = setup();
    await screen.findByRole("table", { name: "חלקי השיר והרגעים בכל חלק" });
    expect(authHeader(callsTo(fetch, NEWEST)[0]![1])).toBe("Bearer tok-1");

    // Three row groups in song order, each Part's section name translated (its number kept).
    expect(table().querySelectorAll("tbody")).toHaveLength(3);
    const verse = partGroup(1);
    expect(cells(verse.querySelector("tr.analysis__part-row")!)).toEqual([
      "0:09.600–0:28.800",
      "בית 1",
      "100.0",
      "0.81",
      "2.4",
      "0.35",
      "+0.50",
      "0.42",
      "\u221216.2",
    ]);
    expect(within(partGroup(0)).getByRole("rowheader").textContent).toBe("פתיחה");
    expect(within(partGroup(2)).getByRole("rowheader").textContent).toBe("פזמון");

    // The verse's two Moments, with their words and times to the millisecond.
    const moments = [...verse.querySelectorAll("tr.analysis__moment")];
    expect(moments.map((r) => cells(r).slice(0, 2))).toEqual([
      ["0:09.600–0:10.200", "תודה לך"],
      ["0:10.200–0:13.800", "על היום הזה"],
    ]);
    expect(cells(momentRow(28_800))).toEqual(["0:28.800–0:31.250", "לילה טוב", "100.0", "0.92", "3.0", "0.60", "\u22120.25", "0.50", "\u221212.4"]);

    // The intro has no steady beat and no words.
    const intro = partGroup(0);
    expect(cells(intro.querySelector("tr.analysis__part-row")!)[2]).toBe("–");
    expect(within(intro).getByText("אין מילים מושרות בחלק הזה")).toBeTruthy();

    // Times are laid out left to right inside the Hebrew table.
    expect(within(verse).getByText("0:09.600–0:28.800").closest("bdi")!.getAttribute("dir")).toBe("ltr");
    const facts = [...document.querySelectorAll(".analysis__facts > div")].map((d) => [
      d.querySelector("dt")!.textContent,
      d.querySelector("dd")!.textContent,
    ]);
    expect(facts.slice(0, 3)).toEqual([
      ["חלקים", "3"],
      ["רגעים", "3"],
      ["משך השיר", "1:12.000"],
    ]);
  });

  it("explains a missing analysis and starts one, following its steps until the table fills in", async () => {
    // The run stays at the model's second answer until the test has looked at it: polled every
    // 5 ms, a completion answered on its own schedule could come before a busy machine looks.
    let finished = false;
    const answers = sequence(
      running({ stage: "measuring", answers: 0, refused: [] }),
      running({ stage: "asking", answers: 2, refused: ["moments[3].timestamps.startMs: overlaps the previous Moment"] }),
    );
    const { fetch } = setup({
      routes: {
        [NEWEST]: () => errorResponse(404, "not_found", "project p1 has no analysis yet"),
        [RUN]: () =>
          finished
            ? jsonResponse({ status: "completed", analysisId: "a1", analysis: analysisJson({ analysisId: "a1" }) })
            : answers(undefined),
      },
    });
    await screen.findByText(/לשיר של הפרויקט עדיין אין ניתוח/);
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByRole("table")).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "התחלת ניתוח השיר" }));
    await waitFor(() => expect(callsTo(fetch, START)).toHaveLength(1));
    expect(authHeader(callsTo(fetch, START)[0]![1])).toBe("Bearer tok-1");

    // The model's second answer, after a refusal that is shown with its reason.
    await screen.findByText(/תשובה 2 של המודל/);
    const steps = screen.getByRole("list", { name: "שלבי הניתוח" });
    const state = (step: string) => steps.querySelector(`[data-step="${step}"]`)!.getAttribute("data-state");
    expect([state("measuring"), state("asking"), state("done")]).toEqual(["done", "active", "todo"]);
    expect(screen.getByText(/תשובות שנדחו: 1\. האחרונה: .*overlaps the previous Moment/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "התחלת ניתוח השיר" })).toBeNull();

    finished = true;
    await screen.findByRole("table", { name: "חלקי השיר והרגעים בכל חלק" });
    expect(screen.queryByRole("list", { name: "שלבי הניתוח" })).toBeNull();
    // Polling stops once the run has completed.
    const polls = callsTo(fetch, RUN).length;
    expect(polls).toBeGreaterThanOrEqual(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(callsTo(fetch, RUN)).toHaveLength(polls);
    expect(screen.getByRole("button", { name: "ניתוח מחדש" })).toBeTruthy();
  });

  it("shows why an analysis failed and offers to start again", async () => {
    setup({
      routes: {
        [NEWEST]: () => errorResponse(404, "not_found", "no analysis"),
        [RUN]: () =>
          jsonResponse({
            status: "failed",
            analysisId: "a1",
            error: "the song could not be measured: the song is silent",
            progress: { stage: "failed", answers: 0, refused: [] },
          }),
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "התחלת ניתוח השיר" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("הניתוח נכשל: the song could not be measured: the song is silent");
    const steps = screen.getByRole("list", { name: "שלבי הניתוח" });
    expect(steps.querySelector('[data-step="measuring"]')!.getAttribute("data-state")).toBe("failed");
    expect(screen.getByRole("button", { name: "התחלת ניתוח השיר" })).toBeTruthy();
  });

  it("shows the server's refusal to start", async () => {
    setup({
      routes: {
        [NEWEST]: () => errorResponse(404, "not_found", "no analysis"),
        [START]: () => errorResponse(503, "unavailable", "could not start the analysis workflow: connection refused"),
      },
    });
    fireEvent.click(await screen.findByRole("button", { name: "התחלת ניתוח השיר" }));
    expect((await screen.findByRole("alert")).textContent).toContain("could not start the analysis workflow: connection refused");
  });

  it("plays the song from a Moment's time: fetched once with the token, then each click seeks", async () => {
    const { fetch, urls } = setup();
    await screen.findByRole("table", { name: "חלקי השיר והרגעים בכל חלק" });
    expect(callsTo(fetch, `GET ${SONG}`)).toHaveLength(0);

    fireEvent.click(within(momentRow(10_200)).getByRole("button", { name: "השמעה מ־0:10.200" }));
    const audio = await waitFor(() => {
      const element = document.querySelector("audio");
      if (!element) throw new Error("no audio yet");
      return element;
    });
    expect(authHeader(callsTo(fetch, `GET ${SONG}`)[0]![1])).toBe("Bearer tok-1");
    expect(audio.getAttribute("src")).toBe("blob:fake/1");
    expect(await urls.blobs[0]!.text()).toBe("mp3-bytes");
    await waitFor(() => expect(audio.currentTime).toBe(10.2));
    expect(play).toHaveBeenCalledTimes(1);

    fireEvent.click(within(momentRow(28_800)).getByRole("button", { name: "השמעה מ־0:28.800" }));
    await waitFor(() => expect(audio.currentTime).toBe(28.8));
    expect(play).toHaveBeenCalledTimes(2);
    expect(callsTo(fetch, `GET ${SONG}`)).toHaveLength(1);

    // The playing Moment and its Part are marked as the song goes.
    audio.currentTime = 11.5;
    fireEvent.timeUpdate(audio);
    expect(momentRow(10_200).getAttribute("aria-current")).toBe("true");
    expect(momentRow(9_600).getAttribute("aria-current")).toBeNull();
    expect(partGroup(1).querySelector("tr.analysis__part-row")!.getAttribute("aria-current")).toBe("true");
  });

  it("only shows the times when the project has no song to play", async () => {
    setup({ songUrl: null });
    await screen.findByRole("table", { name: "חלקי השיר והרגעים בכל חלק" });
    expect(within(table()).queryAllByRole("button")).toHaveLength(0);
    expect(within(momentRow(9_600)).getByText("0:09.600–0:10.200")).toBeTruthy();
  });

  it("starts the analysis by itself once when asked to (a project just made)", async () => {
    const onAutoStarted = vi.fn();
    const { fetch, view } = setup({
      autoStart: true,
      onAutoStarted,
      routes: {
        [NEWEST]: () => errorResponse(404, "not_found", "no analysis"),
        [RUN]: running({ stage: "measuring", answers: 0, refused: [] }),
      },
    });
    await screen.findByRole("list", { name: "שלבי הניתוח" });
    // The late 404 of the first load does not bring the start button back over the running one.
    await waitFor(() => expect(callsTo(fetch, NEWEST)).toHaveLength(1));
    await act(async () => {});
    expect(screen.queryByRole("button", { name: "התחלת ניתוח השיר" })).toBeNull();
    view.rerender(
      <AnalysisPanel api={createApiClient({ getToken: () => "tok-1", fetch })} projectId="p1" songUrl={SONG} autoStart onAutoStarted={onAutoStarted} />,
    );
    expect(callsTo(fetch, START)).toHaveLength(1);
    expect(onAutoStarted).toHaveBeenCalledTimes(1);
  });
});
