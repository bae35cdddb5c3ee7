import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { encodeCursor } from "../../../shared/http/paging.ts";
import { USER_ID_HEADER, USER_ROLE_HEADER } from "../../../shared/identity.ts";
import type { Pitch } from "../../../shared/pitches.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import app from "./index.ts";

const REQUEST_ID = "browse-test-request";
const FILLERS = 25;

let testDb: TestDatabase;
let db: D1Database;
let creator: string;
const ids: Record<string, string> = {};
/** Every published pitch, newest published first (ties broken by id, descending). */
let publishedIds: string[];

interface Seed {
  title: string;
  logline: string;
  genre: string;
  publishedAt: string | null;
}

const SEEDS: Record<string, Seed> = {
  heist: {
    title: "Ocean Heist",
    logline: "A crew robs a floating casino.",
    genre: "thriller",
    publishedAt: "2025-01-01T00:00:00.000Z",
  },
  farm: {
    title: "Quiet Farm",
    logline: "An ocean of wheat hides a secret.",
    genre: "drama",
    publishedAt: "2025-01-05T00:00:00.000Z",
  },
  robots: {
    title: "Robot Love",
    logline: "Two robots running a bakery fall in love.",
    genre: "sci-fi",
    publishedAt: "2025-01-03T00:00:00.000Z",
  },
  runner: {
    title: "Running Man",
    logline: "He runs from the ocean.",
    genre: "action",
    publishedAt: "2025-01-03T00:00:00.000Z",
  },
  draft: {
    title: "Ocean Draft",
    logline: "Unfinished robots and heists.",
    genre: "thriller",
    publishedAt: null,
  },
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  creator = crypto.randomUUID();
  await db
    .prepare(
      "INSERT INTO users (id, email, name, role, password_hash, password_salt, password_iterations, created_at) VALUES (?, 'c@example.com', 'C', 'creator', 'x', 'x', 1, '2024-01-01T00:00:00.000Z')",
    )
    .bind(creator)
    .run();
  const seeds: [string, Seed][] = Object.entries(SEEDS);
  for (let i = 0; i < FILLERS; i++) {
    seeds.push([
      `filler${i}`,
      {
        title: `Filler ${i}`,
        logline: "A filler story.",
        genre: "other",
        publishedAt: `2024-06-${String(i + 1).padStart(2, "0")}T00:00:00.000Z`,
      },
    ]);
  }
  const insert = db.prepare(
    "INSERT INTO pitches (id, creator_id, title, logline, genre, budget_min, budget_max, status, created_at, updated_at, published_at) VALUES (?, ?, ?, ?, ?, 10, 20, ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', ?)",
  );
  await db.batch(
    seeds.map(([key, seed]) => {
      ids[key] = crypto.randomUUID();
      const status = seed.publishedAt ? "published" : "draft";
      return insert.bind(
        ids[key],
        creator,
        seed.title,
        seed.logline,
        seed.genre,
        status,
        seed.publishedAt,
      );
    }),
  );
  publishedIds = seeds
    .filter(([, seed]) => seed.publishedAt !== null)
    .map(([key, seed]) => ({ id: ids[key]!, at: seed.publishedAt! }))
    .sort((a, b) => (a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at)))
    .map((pitch) => pitch.id);
});

afterAll(() => testDb.dispose());

type List = { items: Pitch[]; nextCursor: string | null };

function get(path: string, headers: Record<string, string> = {}) {
  return app.request(path, { headers: { "x-request-id": REQUEST_ID, ...headers } }, { DB: db });
}

async function list(query: string): Promise<List> {
  const res = await get(`/api/browse/pitches?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as List;
}

async function idsOf(query: string): Promise<string[]> {
  return (await list(query)).items.map((pitch) => pitch.id);
}

/** Follows nextCursor to the end; returns each page's ids. */
async function pagesOf(query: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const page = await list(cursor ? `${query}&cursor=${cursor}` : query);
    pages.push(page.items.map((pitch) => pitch.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return pages;
}

function invalid(message: string) {
  return { error: { code: "invalid_request", message, requestId: REQUEST_ID } };
}

const BAD_CURSOR = invalid(
  "query.cursor is not a cursor this list gave out; drop it to start from the first page.",
);

describe("GET /api/browse/pitches without words", () => {
  it("lists published pitches newest first, 20 by default, never drafts", async () => {
    const page = await list("");
    expect(page.items.map((pitch) => pitch.id)).toEqual(publishedIds.slice(0, 20));
    expect(page.items.every((pitch) => pitch.status === "published")).toBe(true);
    expect(page.nextCursor).not.toBeNull();
  });

  it("pages one at a time through every published pitch and ends with nextCursor null", async () => {
    const pages = await pagesOf("limit=1");
    expect(pages.flat()).toEqual(publishedIds);
    expect(pages.every((page) => page.length === 1)).toBe(true);
    expect(pages.flat()).not.toContain(ids.draft);
  });

  it("filters by genre", async () => {
    expect(await idsOf("genre=sci-fi")).toEqual([ids.robots]);
    expect(await idsOf("genre=horror")).toEqual([]);
  });

  it("answers the same with a signed-in caller", async () => {
    const res = await get("/api/browse/pitches?genre=drama", {
      [USER_ID_HEADER]: crypto.randomUUID(),
      [USER_ROLE_HEADER]: "investor",
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as List).items.map((pitch) => pitch.id)).toEqual([ids.farm]);
  });

  it("treats sort=relevance without words as recency", async () => {
    expect(await idsOf("sort=relevance&limit=3")).toEqual(publishedIds.slice(0, 3));
  });
});

describe("GET /api/browse/pitches?q=", () => {
  it("ranks a title match above logline-only matches, even newer ones", async () => {
    // Both others mention "ocean" only in the logline; the shorter logline ranks higher (bm25).
    expect(await idsOf("q=ocean")).toEqual([ids.heist, ids.runner, ids.farm]);
    expect(await idsOf("q=ocean&sort=relevance&limit=1")).toEqual([ids.heist]);
  });

  it("orders by recency when asked", async () => {
    expect(await idsOf("q=ocean&sort=recent")).toEqual([ids.farm, ids.runner, ids.heist]);
  });

  it("matches word starts, stems and any case; drafts never", async () => {
    expect(await idsOf("q=OCEA&sort=recent")).toEqual([ids.farm, ids.runner, ids.heist]);
    expect(new Set(await idsOf("q=running"))).toEqual(new Set([ids.robots, ids.runner]));
    expect(await idsOf("q=ocean%20heis")).toEqual([ids.heist]);
    expect(await idsOf("q=draft")).toEqual([]);
    expect(await idsOf("q=unfinished")).toEqual([]);
  });

  it("needs every word to match", async () => {
    expect(await idsOf("q=ocean%20wheat")).toEqual([ids.farm]);
    expect(await idsOf("q=ocean%20robots")).toEqual([]);
  });

  it("combines words with a genre", async () => {
    expect(await idsOf("q=ocean&genre=drama")).toEqual([ids.farm]);
  });

  it.each([
    '"',
    "*",
    "OR",
    "-",
    "(",
    ")",
    "ocean OR",
    'ocean"',
    "-ocean",
    "title:ocean",
    "^ocean",
    "NEAR(ocean",
    "ocean AND NOT heist",
    "'; DROP TABLE pitches; --",
    "\u0000",
    "🙂",
    "e\u0301",
  ])("never fails on %j", async (q) => {
    const res = await get(`/api/browse/pitches?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as List;
    expect(page.items.every((pitch) => pitch.status === "published")).toBe(true);
  });

  it("reads FTS syntax as plain words", async () => {
    expect(await idsOf(`q=${encodeURIComponent('"ocean" AND (heist*')}`)).toEqual([]);
    expect(await idsOf(`q=${encodeURIComponent('heist" OR "farm')}`)).toEqual([]);
    expect(await idsOf(`q=${encodeURIComponent("(ocean) -heist*")}`)).toEqual([ids.heist]);
  });

  it("pages by relevance without repeats and ends with nextCursor null", async () => {
    const pages = await pagesOf("q=filler&limit=10");
    expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
    expect(new Set(pages.flat()).size).toBe(FILLERS);
  });
});

describe("GET /api/browse/pitches refusals", () => {
  it.each([
    ["limit=0", "query.limit must be at least 1"],
    ["limit=51", "query.limit must be at most 50"],
    ["genre=western", "query.genre must be one of"],
    ["sort=popular", 'query.sort must be one of "relevance", "recent"'],
    [`q=${"a".repeat(201)}`, "query.q must be at most 200 characters"],
  ])("refuses %s naming the field", async (query, message) => {
    const res = await get(`/api/browse/pitches?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ReturnType<typeof invalid>;
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.message).toContain(message);
    expect(body.error.requestId).toBe(REQUEST_ID);
  });

  it.each([
    ["a broken cursor", "", "!!"],
    ["a relevance cursor on a recency list", "", encodeCursor({ offset: 10 })],
    ["a recency cursor on a relevance list", "q=ocean&", encodeCursor(["2025-01-01", "x"])],
    ["an offset past the relevance limit", "q=ocean&", encodeCursor({ offset: 1000 })],
    ["a bad cursor with words that cannot match", "q=%22&", "!!"],
  ])("refuses %s", async (_, query, cursor) => {
    const res = await get(`/api/browse/pitches?${query}cursor=${cursor}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(BAD_CURSOR);
  });
});

describe("GET /api/browse/pitches/:id", () => {
  it("answers a published pitch", async () => {
    const res = await get(`/api/browse/pitches/${ids.heist}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      pitch: {
        id: ids.heist,
        creatorId: creator,
        ...SEEDS.heist,
        genre: "thriller",
        budgetMin: 10,
        budgetMax: 20,
        status: "published",
        createdAt: "2024-01-01T00:00:00.000Z",
        updatedAt: "2024-01-01T00:00:00.000Z",
        archivedAt: null,
      },
    });
  });

  it("hides an archived pitch from search and detail, even one still marked published", async () => {
    // An old monolith may republish an archived pitch: archived_at alone must hide it.
    const id = crypto.randomUUID();
    await db
      .prepare(
        "INSERT INTO pitches (id, creator_id, title, logline, genre, budget_min, budget_max, status, created_at, updated_at, published_at, archived_at) VALUES (?, ?, 'Zeppelin Archive', 'Shelved.', 'drama', 10, 20, 'published', '2023-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z', '2023-01-01T00:00:00.000Z', '2023-06-01T00:00:00.000Z')",
      )
      .bind(id, creator)
      .run();
    expect(await idsOf("q=zeppelin")).toEqual([]);
    expect(await idsOf("q=zeppelin&sort=recent")).toEqual([]);
    expect(await idsOf("genre=drama&limit=50")).not.toContain(id);
    expect((await get(`/api/browse/pitches/${id}`)).status).toBe(404);
  });

  it.each([
    ["a draft", () => ids.draft!],
    ["an unknown id", () => crypto.randomUUID()],
  ])("is a 404 for %s", async (_, idOf) => {
    const res = await get(`/api/browse/pitches/${idOf()}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: {
        code: "not_found",
        message: "No published pitch has this id.",
        requestId: REQUEST_ID,
      },
    });
  });
});
