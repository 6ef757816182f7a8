import { describe, expect, it, vi } from "vitest";
import { ApiError, createApiClient } from "./api";
import { authHeader, errorResponse, historyEntryJson, jsonResponse, mediaResponse, routedFetch } from "./test/fakes";

const shotJson = {
  shotId: "s1",
  projectId: "p1",
  status: "AWAITING_APPROVAL",
  startMs: 1000,
  endMs: 2500,
  lyricsSnippet: "לילה",
  description: "קלוז-אפ",
  updatedAt: "2025-01-01T10:00:00Z",
  revision: 3,
  extra: "ignored",
};

describe("api client", () => {
  it("lists projects with the bearer token", async () => {
    const fetch = routedFetch({
      "GET /api/projects": () => jsonResponse([{ projectId: "p1", name: "שיר", createdAt: "2025-01-01T00:00:00Z" }]),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.listProjects()).resolves.toEqual([
      { projectId: "p1", name: "שיר", createdAt: "2025-01-01T00:00:00Z" },
    ]);
    expect(authHeader(fetch.mock.calls[0]![1])).toBe("Bearer tok");
  });

  it("lists a project's shots, encoding the id", async () => {
    const fetch = routedFetch({ "GET /api/projects/a%2Fb/shots": () => jsonResponse([shotJson]) });
    const api = createApiClient({ getToken: () => "tok", fetch });
    const shots = await api.listShots("a/b");
    expect(shots).toHaveLength(1);
    expect(shots[0]).toMatchObject({ shotId: "s1", status: "AWAITING_APPROVAL", startMs: 1000, revision: 3 });
  });

  it("approves with POST and the bearer token, returning the shot it gets back", async () => {
    const fetch = routedFetch({
      "POST /api/shots/s1/approve": () => jsonResponse({ ...shotJson, status: "GENERATING_VIDEO", revision: 4 }),
    });
    const api = createApiClient({ getToken: () => "secret-token", fetch });
    const result = await api.approveShot("s1");
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe("/api/shots/s1/approve");
    expect(init?.method).toBe("POST");
    expect(authHeader(init)).toBe("Bearer secret-token");
    expect(init?.body).toBeUndefined();
    expect(result).toMatchObject({ status: "GENERATING_VIDEO", revision: 4 });
  });

  it("rejects with a JSON reason; an empty answer gives null", async () => {
    const fetch = routedFetch({ "POST /api/shots/s1/reject": () => new Response(null, { status: 204 }) });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.rejectShot("s1", "הפנים מטושטשות")).resolves.toBeNull();
    const init = fetch.mock.calls[0]![1]!;
    expect(JSON.parse(init.body as string)).toEqual({ reason: "הפנים מטושטשות" });
    expect((init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
    expect(authHeader(init)).toBe("Bearer tok");
  });

  it("generates a shot's still with POST {shotId}, and throws the 409 of a shot that is neither DRAFT nor FAILED", async () => {
    const fetch = routedFetch({
      "POST /api/shots/generate": (init) => {
        const { shotId } = JSON.parse(init!.body as string) as { shotId: string };
        return shotId === "s1"
          ? jsonResponse({ shotId: "s1", workflowId: "shot-s1" }, 202)
          : errorResponse(409, "invalid_transition", "shot s2 is COMPLETED; generating needs DRAFT or FAILED");
      },
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.generateShot("s1")).resolves.toBeUndefined();
    const init = fetch.mock.calls[0]![1]!;
    expect(fetch.mock.calls[0]![0]).toBe("/api/shots/generate");
    expect(init.method).toBe("POST");
    expect(JSON.parse(init.body as string)).toEqual({ shotId: "s1" });
    expect(authHeader(init)).toBe("Bearer tok");
    await expect(api.generateShot("s2")).rejects.toMatchObject({ status: 409, message: "shot s2 is COMPLETED; generating needs DRAFT or FAILED" });
  });

  it("refines with a JSON command, returning the shot it gets back (or null), and throws the 422's reason", async () => {
    const fetch = routedFetch({
      "POST /api/shots/s%2F1/refine": () => jsonResponse({ ...shotJson, status: "REFINING", revision: 4 }, 202),
      "POST /api/shots/s2/refine": () => new Response(null, { status: 202 }),
      "POST /api/shots/s3/refine": () => errorResponse(422, "invalid_command", "an edit command starts with a verb"),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.refineShot("s/1", "Change the sky to dusk orange")).resolves.toMatchObject({ status: "REFINING", revision: 4 });
    expect(JSON.parse(fetch.mock.calls[0]![1]!.body as string)).toEqual({ command: "Change the sky to dusk orange" });
    expect(authHeader(fetch.mock.calls[0]![1])).toBe("Bearer tok");
    await expect(api.refineShot("s2", "Remove the bench")).resolves.toBeNull();
    const err = await api.refineShot("s3", "the sky").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: "invalid_command", message: "an edit command starts with a verb" });
  });

  it("throws the server's error message", async () => {
    const fetch = routedFetch({
      "POST /api/shots/s1/approve": () => errorResponse(409, "invalid_transition", "השוט אינו ממתין לאישור"),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    const err = await api.approveShot("s1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: "invalid_transition", message: "השוט אינו ממתין לאישור" });
  });

  it("falls back to a Hebrew message when the error body is not the API's", async () => {
    const fetch = vi.fn(async () => new Response("<html>bad gateway</html>", { status: 502 }));
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.listProjects()).rejects.toMatchObject({ status: 502, message: "שגיאת שרת (502)" });
  });

  it("calls onUnauthorized on 401", async () => {
    const onUnauthorized = vi.fn();
    const fetch = routedFetch({ "GET /api/projects": () => errorResponse(401, "unauthorized", "bad token") });
    const api = createApiClient({ getToken: () => "tok", fetch, onUnauthorized });
    const err = await api.listProjects().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).unauthorized).toBe(true);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("reports a network failure as status 0", async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.listProjects()).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("rejects a malformed list", async () => {
    const fetch = routedFetch({ "GET /api/projects": () => jsonResponse({ projects: [] }) });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.listProjects()).rejects.toMatchObject({ code: "bad_response" });
  });
});

describe("api client: renders", () => {
  it("starts an animatic with its overlay flag and a final render without one", async () => {
    const fetch = routedFetch({
      "POST /api/projects/p1/renders": () => jsonResponse({ renderId: "r1", workflowId: "render-p1-r1", mode: "animatic" }, 202),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.startRender("p1", { mode: "animatic", overlay: true })).resolves.toEqual({
      renderId: "r1",
      workflowId: "render-p1-r1",
      mode: "animatic",
    });
    await api.startRender("p1", { mode: "animatic" });
    await api.startRender("p1", { mode: "final", overlay: true });
    const bodies = fetch.mock.calls.map(([, init]) => JSON.parse(init!.body as string));
    expect(bodies).toEqual([{ mode: "animatic", overlay: true }, { mode: "animatic", overlay: false }, { mode: "final" }]);
    expect(authHeader(fetch.mock.calls[0]![1])).toBe("Bearer tok");
  });

  it("throws a refused render's message", async () => {
    const fetch = routedFetch({
      "POST /api/projects/p1/renders": () => errorResponse(409, "missing_clips", "shots 2, 5 have no clip"),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.startRender("p1", { mode: "final" })).rejects.toMatchObject({ status: 409, message: "shots 2, 5 have no clip" });
  });

  it("reads a render's status", async () => {
    const fetch = routedFetch({
      "GET /api/renders/r%201": () =>
        jsonResponse({ status: "running", renderId: "r 1", progress: { stage: "conforming", done: 2, total: 9 } }),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.getRender("r 1")).resolves.toEqual({
      status: "running",
      renderId: "r 1",
      progress: { stage: "conforming", done: 2, total: 9 },
    });
  });

  it("lists the render history, and reads a 404 as no history", async () => {
    const fetch = routedFetch({
      "GET /api/projects/p1/renders": () => jsonResponse({ renders: [historyEntryJson({ renderId: "r2" }), historyEntryJson({ renderId: "r1" })] }),
      "GET /api/projects/p2/renders": () => new Response(null, { status: 404 }),
      "GET /api/projects/p3/renders": () => errorResponse(500, "internal", "store down"),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    const list = await api.listRenders("p1");
    expect(list.map((e) => [e.render.renderId, e.mediaUrl])).toEqual([
      ["r2", "/api/media/sha256/r2.mp4"],
      ["r1", "/api/media/sha256/r1.mp4"],
    ]);
    await expect(api.listRenders("p2")).resolves.toEqual([]);
    await expect(api.listRenders("p3")).rejects.toMatchObject({ status: 500, message: "store down" });
  });

  it("fetches media with the bearer token as a blob", async () => {
    const fetch = routedFetch({ "GET /api/media/sha256/ab.mp4": () => mediaResponse("bytes") });
    const api = createApiClient({ getToken: () => "tok", fetch });
    const blob = await api.fetchMedia("/api/media/sha256/ab.mp4");
    expect(await blob.text()).toBe("bytes");
    expect(authHeader(fetch.mock.calls[0]![1])).toBe("Bearer tok");
    const missing = await api.fetchMedia("/api/media/nope").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).status).toBe(404);
  });
});
