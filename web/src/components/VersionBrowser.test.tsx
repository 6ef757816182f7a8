import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../api";
import {
  authHeader,
  errorResponse,
  fakeObjectUrls,
  jsonResponse,
  mediaResponse,
  routedFetch,
  type RouteHandler,
} from "../test/fakes";
import { VersionBrowser } from "./VersionBrowser";

const VERSIONS = "GET /api/shots/s1/versions";

/** The FLUX request of the still's prompt, as core's FluxRequest serialises it. */
const FLUX_REQUEST = {
  tag: "[shot:s1 v:v1 m:f2]",
  lora: "miri-lora",
  seed: 11,
  prompt: { scene: "a small bedroom at dusk", subjects: [{ type: "miri", description: "hex #A7C7E7 dress", pose: "sitting" }] },
};

function version(overrides: Record<string, unknown> & { versionId: string; kind: string }): Record<string, unknown> {
  return { shotId: "s1", author: "system", createdAt: "2025-01-01T10:00:00Z", ...overrides };
}

/** A shot's history as the gateway lists it, newest first: a clip, an edit, a still, its prompt's translation and the prompt. */
const HISTORY = [
  version({
    versionId: "v5-clip",
    kind: "video",
    parent: "v4-clip-prompt",
    modelCode: "fal-ai/kling-video/v3/standard/image-to-video",
    cost: { usdMicros: 448_000, estimated: false },
    media: { key: "sha256/clip.mp4", sha256: "cc", size: 10, contentType: "video/mp4" },
    mediaUrl: "/api/media/sha256/clip.mp4",
    createdAt: "2025-01-01T10:05:00Z",
  }),
  version({
    versionId: "v4-edit",
    kind: "edit",
    parent: "v2-still",
    author: "user",
    reason: "refined by dana: Change the sky to dusk orange",
    prompt: "Change the sky to dusk orange",
    request: { tag: "[shot:s1 v:v4 m:f2e]", seed: 11, imageUrls: ["https://fal.media/still.png"], prompt: "Change the sky to dusk orange" },
    createdAt: "2025-01-01T10:04:00Z",
  }),
  version({
    versionId: "v2-still",
    kind: "image",
    parent: "v1-prompt",
    seed: 11,
    cost: { usdMicros: 30_000, estimated: true },
    mediaUrl: "/api/media/sha256/still.png",
    createdAt: "2025-01-01T10:02:00Z",
  }),
  version({
    versionId: "v3-translation",
    kind: "translation",
    parent: "v1-prompt",
    author: "llm",
    modelCode: "gemini-2.5-flash",
    reason: "the prompt in Hebrew",
    prompt: "מירי יושבת בחדר שינה קטן בשעת בין ערביים",
    createdAt: "2025-01-01T10:01:30Z",
  }),
  version({
    versionId: "v1-prompt",
    kind: "prompt",
    modelCode: "fal-ai/flux-2/lora",
    seed: 11,
    reason: "still prompt from the shot description",
    prompt: "[shot:s1 v:v1 m:f2] {...}",
    request: FLUX_REQUEST,
    createdAt: "2025-01-01T10:01:00Z",
  }),
];

function setup(routes: Record<string, RouteHandler> = {}) {
  const fetch = routedFetch({
    [VERSIONS]: () => jsonResponse(HISTORY),
    "GET /api/media/sha256/still.png": () => mediaResponse("png-bytes"),
    "GET /api/media/sha256/clip.mp4": () => mediaResponse("mp4-bytes"),
    ...routes,
  });
  const api = createApiClient({ getToken: () => "tok-1", fetch });
  const urls = fakeObjectUrls();
  const onClose = vi.fn();
  render(<VersionBrowser api={api} shotId="s1" shotLabel="שוט 1" onClose={onClose} objectUrls={urls} />);
  return { fetch, urls, onClose };
}

const dialog = () => screen.getByRole("dialog", { name: "גרסאות — שוט 1" });
const listed = () =>
  Array.from(dialog().querySelectorAll<HTMLElement>(".versions__item")).map((b) => b.dataset.versionId);
/** "גרסה n מתוך N", without the isolates around its numbers. */
const position = () => dialog().querySelector(".versions__position")?.textContent?.replace(/[\u2066-\u2069]/g, "");
const ready = () => waitFor(() => expect(position()).toBe(`גרסה ${HISTORY.length - 1} מתוך ${HISTORY.length - 1}`));
const selectedItem = () => within(dialog()).getByRole("button", { pressed: true });
const shown = () => dialog().querySelector<HTMLElement>("article.version")!;
const field = (name: string) => shown().querySelector<HTMLElement>(`[data-field="${name}"] dd`)!.textContent;
const older = () => within(dialog()).getByRole("button", { name: "ישנה יותר" }) as HTMLButtonElement;
const newer = () => within(dialog()).getByRole("button", { name: "חדשה יותר" }) as HTMLButtonElement;

function mediaCalls(fetch: ReturnType<typeof routedFetch>, url: string) {
  return fetch.mock.calls.filter(([u]) => u === url);
}

describe("VersionBrowser", () => {
  it("lists every version newest first, the translation folded into its prompt, and shows the newest with who made it", async () => {
    const { fetch } = setup();
    await ready();
    expect(listed()).toEqual(["v5-clip", "v4-edit", "v2-still", "v1-prompt"]);
    expect(selectedItem().dataset.versionId).toBe("v5-clip");
    expect(selectedItem().textContent).toContain("קליפ");
    expect(shown().dataset.versionId).toBe("v5-clip");
    expect(field("who")).toBe("המערכת · fal-ai/kling-video/v3/standard/image-to-video");
    expect(field("why")).toBe("לא נרשמה סיבה");
    expect(field("cost")).toBe("$0.45");
    expect(authHeader(fetch.mock.calls[0]![1])).toBe("Bearer tok-1");
    expect(newer().disabled).toBe(true);
  });

  it("plays the clip from its media fetched with the token", async () => {
    const { fetch, urls } = setup();
    const video = await waitFor(() => {
      const el = shown().querySelector("video");
      expect(el).not.toBeNull();
      return el!;
    });
    expect(video.getAttribute("src")).toBe("blob:fake/1");
    expect(await urls.blobs[0]!.text()).toBe("mp4-bytes");
    const calls = mediaCalls(fetch, "/api/media/sha256/clip.mp4");
    expect(calls).toHaveLength(1);
    expect(authHeader(calls[0]![1])).toBe("Bearer tok-1");
  });

  it("pages to older versions: the user's edit with why, then the still fetched with the token", async () => {
    const { fetch, urls } = setup();
    await waitFor(() => expect(shown().querySelector("video")).not.toBeNull());

    fireEvent.click(older());
    expect(position()).toBe("גרסה 3 מתוך 4");
    expect(shown().dataset.versionId).toBe("v4-edit");
    expect(field("who")).toBe("משתמש");
    expect(field("why")).toBe("refined by dana: Change the sky to dusk orange");
    // An edit is a prompt too: its request, and no translation was made for it.
    expect(within(shown()).getByText("אין תרגום לעברית")).toBeTruthy();
    expect(shown().querySelector("pre")!.textContent).toContain('"prompt": "Change the sky to dusk orange"');

    fireEvent.click(older());
    expect(shown().dataset.versionId).toBe("v2-still");
    expect(field("seed")).toBe("11");
    expect(field("cost")).toBe("\u2066$0.03\u2069 (הערכה)");
    const img = await within(shown()).findByRole("img", { name: /^סטיל/ });
    expect(img.getAttribute("src")).toBe(urls.made[urls.made.length - 1]);
    expect(await urls.blobs[urls.blobs.length - 1]!.text()).toBe("png-bytes");
    const calls = mediaCalls(fetch, "/api/media/sha256/still.png");
    expect(calls).toHaveLength(1);
    expect(authHeader(calls[0]![1])).toBe("Bearer tok-1");
    // The clip's object URL is let go once another version is shown.
    expect(urls.revoked).toContain("blob:fake/1");
  });

  it("shows a prompt's FLUX request pretty-printed beside its Hebrew translation", async () => {
    setup();
    await ready();
    for (let i = 0; i < 3; i++) fireEvent.click(older());
    expect(shown().dataset.versionId).toBe("v1-prompt");
    expect(older().disabled).toBe(true);
    expect(position()).toBe("גרסה 1 מתוך 4");
    expect(field("why")).toBe("still prompt from the shot description");
    const json = shown().querySelector("pre")!;
    expect(json.textContent).toBe(JSON.stringify(FLUX_REQUEST, null, 2));
    expect(json.getAttribute("dir")).toBe("ltr");
    const hebrew = within(shown()).getByText("מירי יושבת בחדר שינה קטן בשעת בין ערביים");
    expect(hebrew.getAttribute("lang")).toBe("he");

    fireEvent.click(newer());
    expect(shown().dataset.versionId).toBe("v2-still");
  });

  it("goes to the version a version was made from, and picks any version from the list", async () => {
    setup();
    await ready();
    fireEvent.click(dialog().querySelector<HTMLElement>('.versions__item[data-version-id="v2-still"]')!);
    expect(selectedItem().dataset.versionId).toBe("v2-still");
    fireEvent.click(within(shown()).getByRole("button", { name: "v1-promp" }));
    expect(shown().dataset.versionId).toBe("v1-prompt");
    // The clip's prompt is not in the history: no link to follow.
    fireEvent.click(dialog().querySelector<HTMLElement>('.versions__item[data-version-id="v5-clip"]')!);
    expect(shown().querySelector('[data-field="parent"]')).toBeNull();
  });

  it("keeps a translation whose prompt is not listed as a version of its own, its text as the Hebrew", async () => {
    setup({
      [VERSIONS]: () =>
        jsonResponse([version({ versionId: "t9", kind: "translation", parent: "gone", author: "llm", prompt: "מירי בחדר" })]),
    });
    await waitFor(() => expect(position()).toBe("גרסה 1 מתוך 1"));
    expect(field("who")).toBe("מודל שפה");
    expect(within(shown()).getByText("מירי בחדר")).toBeTruthy();
    expect(shown().querySelector("pre")).toBeNull();
  });

  it("says so when the shot has no versions yet", async () => {
    setup({ [VERSIONS]: () => jsonResponse([]) });
    expect(await within(dialog()).findByText("לשוט הזה אין עדיין גרסאות")).toBeTruthy();
    expect(dialog().querySelector("article")).toBeNull();
  });

  it("shows the server's message when the shot is not found", async () => {
    setup({ [VERSIONS]: () => errorResponse(404, "not_found", "shot s1 does not exist") });
    expect((await within(dialog()).findByRole("alert")).textContent).toBe("shot s1 does not exist");
  });

  it("closes on its button and on Escape", async () => {
    const { onClose } = setup();
    await ready();
    fireEvent.click(within(dialog()).getByRole("button", { name: "סגירה" }));
    expect(onClose).toHaveBeenCalledTimes(1);
    fireEvent.keyDown(older(), { key: "Escape" });
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it("keeps Tab inside the dialog and gives focus back to its opener when it closes", async () => {
    const opener = document.createElement("button");
    document.body.appendChild(opener);
    opener.focus();
    const fetch = routedFetch({ [VERSIONS]: () => jsonResponse(HISTORY) });
    const api = createApiClient({ getToken: () => "tok-1", fetch });
    const { unmount } = render(<VersionBrowser api={api} shotId="s1" shotLabel="שוט 1" onClose={() => {}} objectUrls={fakeObjectUrls()} />);
    await ready();
    const controls = Array.from(dialog().querySelectorAll<HTMLElement>("button:not([disabled]), a[href], video[controls]"));
    const first = controls[0]!;
    const last = controls[controls.length - 1]!;
    expect(document.activeElement).toBe(first);
    last.focus();
    fireEvent.keyDown(last, { key: "Tab" });
    expect(document.activeElement).toBe(first);
    fireEvent.keyDown(first, { key: "Tab", shiftKey: true });
    expect(document.activeElement).toBe(last);
    unmount();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });
});
