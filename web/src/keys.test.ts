import { describe, expect, it } from "vitest";
import { ApiError, createApiClient } from "./api";
import { checkLabel, isProjectOwner, parseIssuedKey, parseKeys, parseMe, parseTokenIdInput, type Me, type Member } from "./keys";
import { authHeader, errorResponse, jsonResponse, routedFetch } from "./test/fakes";

const ID = "0123456789abcdef".repeat(4);
const studio: Me = { label: "דנה", role: "editor", tokenId: ID, projectId: null, admin: false };
const grant = (tokenId: string, role: Member["role"]): Member => ({ projectId: "p1", tokenId, role, grantedBy: "x", grantedAt: "" });

describe("keys", () => {
  it("makes owners of the studio's owner, an owner key for this project and an owner member only", () => {
    expect(isProjectOwner({ ...studio, role: "owner", admin: true }, "p1", [])).toBe(true);
    expect(isProjectOwner({ ...studio, role: "owner", projectId: "p1" }, "p1", [])).toBe(true);
    expect(isProjectOwner({ ...studio, role: "owner", projectId: "p2" }, "p1", [])).toBe(false);
    expect(isProjectOwner({ ...studio, role: "editor", projectId: "p1" }, "p1", [])).toBe(false);
    expect(isProjectOwner(studio, "p1", [grant(ID, "owner")])).toBe(true);
    expect(isProjectOwner(studio, "p1", [grant(ID, "editor"), grant("f".repeat(64), "owner")])).toBe(false);
    expect(isProjectOwner(null, "p1", [grant(ID, "owner")])).toBe(false);
  });

  it("holds a label to the gateway's limits, counting characters as it does", () => {
    expect(checkLabel("  CI  ")).toEqual({ label: "CI" });
    expect(checkLabel(" \t ")).toEqual({ error: "blank" });
    expect(checkLabel("א".repeat(100))).toEqual({ label: "א".repeat(100) });
    expect(checkLabel("א".repeat(101))).toEqual({ error: "long" });
    // 100 emoji are 200 UTF-16 units but 100 characters to the gateway.
    expect(checkLabel("🎬".repeat(100))).toEqual({ label: "🎬".repeat(100) });
  });

  it("reads a token id as 64 hex digits, lower-cased", () => {
    expect(parseTokenIdInput(` ${ID.toUpperCase()} `)).toBe(ID);
    expect(parseTokenIdInput(ID.slice(1))).toBeNull();
    expect(parseTokenIdInput(`${ID.slice(1)}g`)).toBeNull();
  });

  it("refuses malformed answers", () => {
    expect(parseMe({ label: "x", role: "boss", tokenId: ID, projectId: null, admin: false })).toBeNull();
    expect(parseKeys({ keys: [{ tokenId: ID, role: "viewer" }, { role: "viewer" }] })).toBeNull();
    expect(parseIssuedKey({ token: "", key: { tokenId: ID, role: "viewer" } })).toBeNull();
  });

  it("calls the gateway's key and member routes with the bearer token", async () => {
    const key = { tokenId: ID, role: "editor", label: "CI", createdAt: "2025-01-01T00:00:00Z", createdBy: "דנה", revokedAt: null, revokedBy: null };
    const fetch = routedFetch({
      "GET /api/me": () => jsonResponse({ ...studio, extra: 1 }),
      "GET /api/projects/a%2Fb/keys": () => jsonResponse({ keys: [key] }),
      "POST /api/projects/a%2Fb/keys": () => jsonResponse({ token: "secret", key }, 201),
      [`POST /api/projects/a%2Fb/keys/${ID}/revoke`]: () => jsonResponse({ key: { ...key, revokedAt: "2025-01-02T00:00:00Z", revokedBy: "דנה" } }),
      "GET /api/projects/a%2Fb/members": () => jsonResponse({ members: [grant(ID, "owner")] }),
      "POST /api/projects/a%2Fb/members": () => errorResponse(404, "not_found", `there is no token ${ID}`),
    });
    const api = createApiClient({ getToken: () => "tok", fetch });
    await expect(api.getMe()).resolves.toEqual(studio);
    await expect(api.listKeys("a/b")).resolves.toEqual([key]);
    await expect(api.issueKey("a/b", { role: "editor", label: "CI" })).resolves.toEqual({ token: "secret", key });
    expect(JSON.parse(fetch.mock.calls[2]![1]!.body as string)).toEqual({ role: "editor", label: "CI" });
    await expect(api.revokeKey("a/b", ID)).resolves.toMatchObject({ revokedAt: "2025-01-02T00:00:00Z" });
    await expect(api.listMembers("a/b")).resolves.toEqual([grant(ID, "owner")]);
    const refused = await api.addMember("a/b", { tokenId: ID, role: "viewer" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(404);
    expect((refused as ApiError).message).toBe(`there is no token ${ID}`);
    expect(JSON.parse(fetch.mock.calls[5]![1]!.body as string)).toEqual({ tokenId: ID, role: "viewer" });
    for (const [, init] of fetch.mock.calls) expect(authHeader(init)).toBe("Bearer tok");
  });
});
