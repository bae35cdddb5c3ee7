// Relevance pages stop after MAX_RELEVANCE_RESULTS matches, so offsets never grow unbounded.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { decodeCursor, encodeCursor } from "../../../shared/http/paging.ts";
import type { Pitch } from "../../../shared/pitches.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import app from "./index.ts";
import { MAX_RELEVANCE_RESULTS, relevancePosition } from "./schemas.ts";

const MATCHES = MAX_RELEVANCE_RESULTS + 5;

let testDb: TestDatabase;
let db: D1Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  const creator = crypto.randomUUID();
  await db
    .prepare(
      "INSERT INTO users (id, email, name, role, password_hash, password_salt, password_iterations, created_at) VALUES (?, 'c@example.com', 'C', 'creator', 'x', 'x', 1, '2024-01-01T00:00:00.000Z')",
    )
    .bind(creator)
    .run();
  const insert = db.prepare(
    "INSERT INTO pitches (id, creator_id, title, logline, genre, budget_min, budget_max, status, created_at, updated_at, published_at) VALUES (?, ?, ?, 'Same words.', 'drama', 1, 2, 'published', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z')",
  );
  await db.batch(
    Array.from({ length: MATCHES }, (_, i) =>
      insert.bind(crypto.randomUUID(), creator, `Common ${i}`),
    ),
  );
});

afterAll(() => testDb.dispose());

async function page(offset: number, limit: number) {
  const cursor = encodeCursor({ offset });
  const res = await app.request(
    `/api/browse/pitches?q=common&limit=${limit}&cursor=${cursor}`,
    {},
    { DB: db },
  );
  expect(res.status).toBe(200);
  return (await res.json()) as { items: Pitch[]; nextCursor: string | null };
}

describe(`relevance paging past ${MAX_RELEVANCE_RESULTS} results`, () => {
  it("points the cursor at the next offset while under the cap", async () => {
    const { items, nextCursor } = await page(980, 10);
    expect(items).toHaveLength(10);
    expect(decodeCursor(nextCursor!, relevancePosition)).toEqual({ offset: 990 });
  });

  it("ends at the cap though more pitches match", async () => {
    const last = await page(990, 10);
    expect(last.items).toHaveLength(10);
    expect(last.nextCursor).toBeNull();
    const short = await page(995, 10);
    expect(short.items).toHaveLength(5);
    expect(short.nextCursor).toBeNull();
  });
});
