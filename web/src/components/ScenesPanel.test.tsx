import { render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
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
import { ScenesPanel } from "./ScenesPanel";

const SCENES = "GET /api/projects/p1/scenes";

/** A reference as gateway/src/scenes.rs lists it beside its scene. */
function reference(assetId: string, role: string, name: string, made = true): Record<string, unknown> {
  return {
    assetId,
    role,
    name,
    seed: 11,
    prompt: `[scene:sc1 a:${assetId}] {...}`,
    hebrew: null,
    mediaUrl: made ? `/api/media/sha256/${assetId}.png` : null,
    cost: null,
  };
}

/** Two scenes of the newest breakdown, as core's Scene serialises them with their references. */
const BREAKDOWN = {
  scenes: [
    {
      sceneId: "sc1",
      projectId: "p1",
      index: 0,
      timestamps: { startMs: 0, endMs: 12_500 },
      location: "חדר שינה קטן",
      background: "a small bedroom at dusk, hex #2B2D42 walls",
      outfit: { description: "a hex #A7C7E7 linen dress", colours: [{ name: "sky blue", hex: "#A7C7E7" }] },
      props: [{ name: "umbrella", description: "a folded umbrella", colour: "#D62828" }],
      seed: 11,
      createdAt: "2025-01-01T09:00:00Z",
      references: [
        reference("a-bg", "background", "background"),
        reference("a-outfit", "outfit", "outfit"),
        reference("a-umbrella", "prop", "umbrella", false),
      ],
    },
    {
      sceneId: "sc2",
      projectId: "p1",
      index: 1,
      timestamps: { startMs: 12_500, endMs: 30_000 },
      location: "גג בלילה",
      background: "a rooftop at night",
      outfit: { description: "a hex #000000 coat", colours: [] },
      props: [],
      seed: 22,
      createdAt: "2025-01-01T09:00:00Z",
      references: [],
    },
  ],
};

function setup(routes: Record<string, RouteHandler> = {}) {
  const fetch = routedFetch({
    [SCENES]: () => jsonResponse(BREAKDOWN),
    "GET /api/media/sha256/a-bg.png": () => mediaResponse("bg"),
    "GET /api/media/sha256/a-outfit.png": () => mediaResponse("outfit"),
    ...routes,
  });
  const api = createApiClient({ getToken: () => "tok-1", fetch });
  const urls = fakeObjectUrls();
  render(<ScenesPanel api={api} projectId="p1" objectUrls={urls} />);
  return { fetch, urls };
}

const panel = () => screen.getByRole("region", { name: "סצנות" });
const card = (sceneId: string) => panel().querySelector<HTMLElement>(`article[data-scene-id="${sceneId}"]`)!;

describe("ScenesPanel", () => {
  it("shows each scene as a card: number, time, seed, place, outfit with its colours and props", async () => {
    const { fetch } = setup();
    await waitFor(() => expect(card("sc1")).not.toBeNull());
    const first = within(card("sc1"));
    expect(first.getByRole("heading", { name: "סצנה 1" })).toBeTruthy();
    expect(card("sc1").textContent).toContain("0:00.0–0:12.5");
    expect(card("sc1").querySelector(".scene__seed")!.textContent).toBe("Seed 11");
    expect(first.getByText("חדר שינה קטן")).toBeTruthy();
    expect(first.getByText("a small bedroom at dusk, hex #2B2D42 walls")).toBeTruthy();
    expect(first.getByText("a hex #A7C7E7 linen dress")).toBeTruthy();
    expect(first.getByText("sky blue").parentElement!.textContent).toBe("sky blue#A7C7E7");
    expect(first.getByText("umbrella").parentElement!.textContent).toBe("umbrella a folded umbrella#D62828");

    const second = within(card("sc2"));
    expect(second.getByRole("heading", { name: "סצנה 2" })).toBeTruthy();
    expect(card("sc2").querySelector(".scene__seed")!.textContent).toBe("Seed 22");
    expect(second.getByText("אין אביזרים")).toBeTruthy();
    expect(second.getByText("עדיין אין תמונות ייחוס")).toBeTruthy();
    expect(authHeader(fetch.mock.calls[0]![1])).toBe("Bearer tok-1");
  });

  it("shows the background, outfit and prop references, fetched with the token, and says which are not made yet", async () => {
    const { fetch, urls } = setup();
    const background = await screen.findByRole("img", { name: "רקע" });
    const outfit = await screen.findByRole("img", { name: "תלבושת" });
    const byUrl = new Map(urls.made.map((url, i) => [url, urls.blobs[i]!]));
    expect(await byUrl.get(background.getAttribute("src")!)!.text()).toBe("bg");
    expect(await byUrl.get(outfit.getAttribute("src")!)!.text()).toBe("outfit");
    for (const key of ["a-bg", "a-outfit"]) {
      const calls = fetch.mock.calls.filter(([u]) => u === `/api/media/sha256/${key}.png`);
      expect(calls).toHaveLength(1);
      expect(authHeader(calls[0]![1])).toBe("Bearer tok-1");
    }
    const prop = card("sc1").querySelector<HTMLElement>('li[data-role="prop"]')!;
    expect(within(prop).getByText("אביזר: umbrella")).toBeTruthy();
    expect(within(prop).getByText("עדיין לא נוצרה")).toBeTruthy();
    expect(within(prop).queryByRole("img")).toBeNull();
    expect(fetch.mock.calls.some(([u]) => u.includes("a-umbrella"))).toBe(false);
  });

  it("explains where scenes come from before any breakdown", async () => {
    setup({ [SCENES]: () => jsonResponse({ scenes: [] }) });
    expect(await within(panel()).findByText(/עדיין אין פירוק לסצנות/)).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("reads a 404 as no breakdown yet", async () => {
    setup({ [SCENES]: () => errorResponse(404, "not_found", "no route") });
    expect(await within(panel()).findByText(/עדיין אין פירוק לסצנות/)).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows the server's message when the scenes cannot be read", async () => {
    setup({ [SCENES]: () => errorResponse(500, "internal", "the store is unavailable") });
    expect((await within(panel()).findByRole("alert")).textContent).toBe("the store is unavailable");
  });

  it("shows an error, not an empty breakdown, when the answer is malformed", async () => {
    setup({ [SCENES]: () => jsonResponse({ scenes: [{ index: 0 }] }) });
    expect((await within(panel()).findByRole("alert")).textContent).toBe("התקבלה תשובה לא תקינה מהשרת");
  });
});
