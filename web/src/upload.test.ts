import { describe, expect, it, vi } from "vitest";
import { ApiError, createApiClient } from "./api";
import { fakeXhrFactory, mp3File } from "./test/fakeXhr";
import { routedFetch } from "./test/fakes";
import { formatBytes, sendForm } from "./upload";

describe("uploads", () => {
  it("sends nothing when cancelled before it starts", async () => {
    const xhr = fakeXhrFactory();
    const controller = new AbortController();
    controller.abort();
    const sent = sendForm(xhr.factory, { url: "/x", headers: {}, form: new FormData(), signal: controller.signal });
    await expect(sent).rejects.toMatchObject({ name: "AbortError" });
    expect(xhr.made).toHaveLength(0);
  });

  it("reports progress without a total as unknown (0)", () => {
    const xhr = fakeXhrFactory();
    const onProgress = vi.fn();
    void sendForm(xhr.factory, { url: "/x", headers: {}, form: new FormData(), onProgress });
    xhr.last.upload.onprogress!(new ProgressEvent("progress", { loaded: 10, total: 0, lengthComputable: false }));
    expect(onProgress).toHaveBeenCalledWith({ loaded: 10, total: 0 });
  });

  it("refuses a 2xx answer that names no project", async () => {
    const xhr = fakeXhrFactory();
    const api = createApiClient({ getToken: () => "tok", fetch: routedFetch({}), xhr: xhr.factory, baseUrl: "http://gw" });
    const made = api.createProject({ name: "שיר", song: mp3File(), lyrics: "", plot: "" });
    expect(xhr.last.url).toBe("http://gw/api/projects");
    xhr.last.respond(201, { id: "p9" });
    const error = await made.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "bad_response" });
  });

  it("writes sizes in the units of the server's limit (MiB)", () => {
    expect(formatBytes(812 * 1024)).toBe("812 KB");
    expect(formatBytes(100)).toBe("1 KB");
    expect(formatBytes(0)).toBe("0 KB");
    expect(formatBytes(3.4 * 1024 * 1024)).toBe("3.4 MB");
  });
});
