// The creator's two lists: its own pitches and the offers on one of them, with cursor paging.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { type Role, USER_ID_HEADER, USER_ROLE_HEADER } from "../../../shared/identity.ts";
import type { Offer } from "../../../shared/offers.ts";
import type { Pitch } from "../../../shared/pitches.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import app from "./index.ts";

const REQUEST_ID = "creator-list-request";
const BAD_CURSOR = {
  error: {
    code: "invalid_request",
    message:
      "query.cursor is not a cursor this list gave out; drop it to start from the first page.",
    requestId: REQUEST_ID,
  },
};

let testDb: TestDatabase;
let db: D1Database;
let ana: string;
let bob: string;
let studio: string;
/** ana's pitches, newest first: two share a created_at, so the id decides between them. */
let anaPitchIds: string[];
let offeredPitch: string;
/** Offers on offeredPitch, newest first. */
let offerIds: string[];

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  ana = await insertUser("creator");
  bob = await insertUser("creator");
  studio = await insertUser("production");
  const times = ["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-03", "2025-01-04"];
  const inserted: { id: string; at: string }[] = [];
  for (const [index, day] of times.entries()) {
    const at = `${day}T00:00:00.000Z`;
    inserted.push({ id: await insertPitch(ana, at, index % 2 === 0 ? "draft" : "published"), at });
  }
  await insertPitch(bob, "2025-02-01T00:00:00.000Z", "published");
  anaPitchIds = inserted
    .sort((a, b) => (a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at)))
    .map((pitch) => pitch.id);
  offeredPitch = anaPitchIds[0]!;
  offerIds = [];
  for (const day of ["2025-03-03", "2025-03-02", "2025-03-01"]) {
    offerIds.push(await insertOffer(offeredPitch, `${day}T00:00:00.000Z`));
  }
});

afterAll(() => testDb.dispose());

async function insertUser(role: Role): Promise<string> {
  const id = crypto.randomUUID();
  await db
    .prepare(
      "INSERT INTO users (id, email, name, role, password_hash, password_salt, password_iterations, created_at) VALUES (?, ?, 'Test', ?, 'x', 'x', 1, '2025-01-01T00:00:00.000Z')",
    )
    .bind(id, `${id}@example.com`, role)
    .run();
  return id;
}

async function insertPitch(owner: string, at: string, status: string): Promise<string> {
  const id = crypto.randomUUID();
  await db
    .prepare(
      "INSERT INTO pitches (id, creator_id, title, logline, genre, budget_min, budget_max, status, created_at, updated_at, published_at) VALUES (?, ?, 'T', 'L', 'drama', 1, 2, ?, ?, ?, ?)",
    )
    .bind(id, owner, status, at, at, status === "published" ? at : null)
    .run();
  return id;
}

async function insertOffer(pitchId: string, at: string): Promise<string> {
  const id = crypto.randomUUID();
  await db
    .prepare(
      "INSERT INTO offers (id, pitch_id, production_id, amount, terms, status, created_at) VALUES (?, ?, ?, 5000, 'Option for 18 months.', 'pending', ?)",
    )
    .bind(id, pitchId, studio, at)
    .run();
  return id;
}

async function get(path: string, as: string) {
  return app.request(
    path,
    {
      headers: {
        [USER_ID_HEADER]: as,
        [USER_ROLE_HEADER]: "creator",
        "x-request-id": REQUEST_ID,
      },
    },
    { DB: db },
  );
}

type List<T> = { items: T[]; nextCursor: string | null };

/** Follows nextCursor from `path` to the end; returns every page. */
async function allPages<T>(path: string, as: string): Promise<List<T>[]> {
  const pages: List<T>[] = [];
  let url = path;
  for (;;) {
    const res = await get(url, as);
    expect(res.status).toBe(200);
    const page = (await res.json()) as List<T>;
    pages.push(page);
    if (page.nextCursor === null) return pages;
    url = `${path}&cursor=${page.nextCursor}`;
  }
}

describe("GET /api/creator/pitches", () => {
  it("lists only the caller's pitches, drafts too, newest first", async () => {
    const res = await get("/api/creator/pitches", ana);
    expect(res.status).toBe(200);
    const page = (await res.json()) as List<Pitch>;
    expect(page.items.map((pitch) => pitch.id)).toEqual(anaPitchIds);
    expect(page.items.map((pitch) => pitch.status)).toContain("draft");
    expect(page.nextCursor).toBeNull();
  });

  it("pages one at a time through every pitch, ending with nextCursor null", async () => {
    const pages = await allPages<Pitch>("/api/creator/pitches?limit=1", ana);
    expect(pages).toHaveLength(5);
    expect(pages.flatMap((page) => page.items.map((pitch) => pitch.id))).toEqual(anaPitchIds);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages.slice(0, -1).every((page) => page.nextCursor !== null)).toBe(true);
  });

  it("has no next page when the limit is exactly the count", async () => {
    const res = await get("/api/creator/pitches?limit=5", ana);
    expect(((await res.json()) as List<Pitch>).nextCursor).toBeNull();
  });

  it("answers an empty list for a creator without pitches", async () => {
    const newcomer = await insertUser("creator");
    const res = await get("/api/creator/pitches", newcomer);
    expect(await res.json()).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ["limit=0", "query.limit must be at least 1"],
    ["limit=51", "query.limit must be at most 50"],
    ["limit=two", "query.limit must be a number"],
  ])("refuses %s", async (query, message) => {
    const res = await get(`/api/creator/pitches?${query}`, ana);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "invalid_request", message, requestId: REQUEST_ID },
    });
  });

  it.each(["garbage!", "eyJub3QiOiJvdXJzIn0", btoa("[1,2]")])("refuses cursor %s", async (c) => {
    const res = await get(`/api/creator/pitches?cursor=${encodeURIComponent(c)}`, ana);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(BAD_CURSOR);
  });
});

describe("GET /api/creator/pitches/:id/offers", () => {
  it("lists the offers on the caller's pitch, newest first", async () => {
    const res = await get(`/api/creator/pitches/${offeredPitch}/offers`, ana);
    expect(res.status).toBe(200);
    const page = (await res.json()) as List<Offer>;
    expect(page.items.map((offer) => offer.id)).toEqual(offerIds);
    expect(page.items[0]).toEqual({
      id: offerIds[0],
      pitchId: offeredPitch,
      productionId: studio,
      amount: 5000,
      terms: "Option for 18 months.",
      status: "pending",
      createdAt: "2025-03-03T00:00:00.000Z",
      decidedAt: null,
    });
    expect(page.nextCursor).toBeNull();
  });

  it("pages through the offers", async () => {
    const pages = await allPages<Offer>(`/api/creator/pitches/${offeredPitch}/offers?limit=2`, ana);
    expect(pages.map((page) => page.items.length)).toEqual([2, 1]);
    expect(pages.flatMap((page) => page.items.map((offer) => offer.id))).toEqual(offerIds);
  });

  it("answers an empty list for a pitch without offers", async () => {
    const res = await get(`/api/creator/pitches/${anaPitchIds[1]}/offers`, ana);
    expect(await res.json()).toEqual({ items: [], nextCursor: null });
  });

  it("is a 404 for another creator's pitch", async () => {
    const res = await get(`/api/creator/pitches/${offeredPitch}/offers`, bob);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        code: "not_found",
        message: "No pitch of yours has this id.",
        requestId: REQUEST_ID,
      },
    });
  });

  it("refuses a bad cursor", async () => {
    const res = await get(`/api/creator/pitches/${offeredPitch}/offers?cursor=%25%25`, ana);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(BAD_CURSOR);
  });
});
