import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import App from "./App";
import { analysisJson } from "./test/analysisFakes";
import { fakeXhrFactory, mp3File } from "./test/fakeXhr";
import { errorResponse, fakeSocketFactory, jsonResponse, routedFetch } from "./test/fakes";

const EXISTING = { projectId: "p1", name: "שיר ראשון", createdAt: "2025-01-01T00:00:00Z" };
const MADE = {
  projectId: "p9",
  name: "שיר ערש",
  createdAt: "2025-03-02T09:00:00Z",
  songUrl: "/api/media/sha256/song.mp3",
};

function renderApp() {
  window.localStorage.setItem("miri.token", "tok-1");
  window.history.replaceState(null, "", "/");
  const server = { projects: [EXISTING] as object[] };
  const fetch = routedFetch({
    "GET /api/projects": () => jsonResponse(server.projects),
    "GET /api/projects/p9/shots": () => jsonResponse([]),
    "GET /api/projects/p9/renders": () => jsonResponse({ renders: [] }),
    "GET /api/projects/p9/analysis": () => errorResponse(404, "not_found", "project p9 has no analysis yet"),
    "POST /api/projects/p9/analyses": () => jsonResponse({ analysisId: "a1", workflowId: "analysis:p9:a1" }, 202),
    "GET /api/projects/p9/analyses/a1": () =>
      jsonResponse({ status: "completed", analysisId: "a1", analysis: analysisJson({ analysisId: "a1", projectId: "p9" }) }),
  });
  const xhr = fakeXhrFactory();
  render(<App fetch={fetch} xhr={xhr.factory} socketFactory={fakeSocketFactory().factory} />);
  return { fetch, xhr, server };
}

function callsTo(fetch: ReturnType<typeof routedFetch>, method: string, url: string) {
  return fetch.mock.calls.filter(([u, init]) => u === url && (init?.method ?? "GET") === method);
}

async function upload(xhr: ReturnType<typeof fakeXhrFactory>, server: { projects: object[] }, analyse: boolean) {
  fireEvent.click(await screen.findByRole("button", { name: "פרויקט חדש" }));
  expect(screen.getByRole("form", { name: "פרויקט חדש: העלאת שיר" })).toBeTruthy();
  fireEvent.change(screen.getByLabelText("שם הפרויקט"), { target: { value: "שיר ערש" } });
  fireEvent.change(screen.getByLabelText("קובץ השיר (MP3)"), { target: { files: [mp3File()] } });
  if (!analyse) fireEvent.click(screen.getByLabelText("להתחיל את ניתוח השיר מיד אחרי ההעלאה"));
  fireEvent.click(screen.getByRole("button", { name: "העלאה ויצירת הפרויקט" }));
  act(() => xhr.last.progress(4096, 4096));
  server.projects = [EXISTING, MADE];
  await act(async () => xhr.last.respond(201, { projectId: "p9" }));
}

describe("App: a new project", () => {
  it("selects the project it made, closes the form and starts its analysis", async () => {
    const { fetch, xhr, server } = renderApp();
    await upload(xhr, server, true);

    await screen.findByText("שיר ערש", { selector: "h2" });
    expect(new URLSearchParams(window.location.search).get("project")).toBe("p9");
    expect(callsTo(fetch, "GET", "/api/projects")).toHaveLength(2);
    expect(screen.queryByRole("form", { name: "פרויקט חדש: העלאת שיר" })).toBeNull();
    expect((screen.getByRole("combobox", { name: "פרויקט" }) as HTMLSelectElement).value).toBe("p9");

    // The analysis is followed at the panel's own pace (a poll every 1.5 s).
    await screen.findByRole("table", { name: "חלקי השיר והרגעים בכל חלק" }, { timeout: 4000 });
    expect(callsTo(fetch, "POST", "/api/projects/p9/analyses")).toHaveLength(1);
  });

  it("leaves the analysis to be offered when its box was cleared", async () => {
    const { fetch, xhr, server } = renderApp();
    await upload(xhr, server, false);
    await screen.findByText("שיר ערש", { selector: "h2" });
    await screen.findByRole("button", { name: "התחלת ניתוח השיר" });
    await waitFor(() => expect(callsTo(fetch, "GET", "/api/projects/p9/analysis")).toHaveLength(1));
    expect(callsTo(fetch, "POST", "/api/projects/p9/analyses")).toHaveLength(0);
  });
});
