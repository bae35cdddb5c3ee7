// The per-user ingestion limit, counted by workerd's rate limiting binding (Miniflare) on a real
// local D1: a user over it gets 429 with Retry-After and nothing of the batch is stored.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import {
  call,
  insertPitch,
  insertUser,
  TEST_JWT_SECRET,
  type TestUser,
} from "../../../test/support/rows.ts";
import app from "./index.ts";

let test: TestDatabase;
let viewer: TestUser;
let other: TestUser;
const pitches: string[] = [];

beforeAll(async () => {
  test = await createTestDatabase({ events: { limit: 2, period: 10 } });
  const creator = await insertUser(test.db, "creator");
  viewer = await insertUser(test.db, "investor");
  other = await insertUser(test.db, "investor");
  for (let i = 0; i < 3; i++) pitches.push(await insertPitch(test.db, creator));
});
afterAll(() => test.dispose());

const send = (as: TestUser, pitchId: string) =>
  call(
    app,
    { DB: test.db, JWT_SECRET: TEST_JWT_SECRET, ...test.rateLimits },
    "POST",
    "/api/analytics/events",
    { body: { events: [{ pitchId, kind: "view" }] }, as },
  );

async function storedViews(pitchId: string): Promise<number> {
  const row = await test.db
    .prepare("SELECT COUNT(*) AS n FROM events WHERE pitch_id = ?")
    .bind(pitchId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("POST /api/analytics/events, per user", () => {
  it("refuses a user's third batch in the period with 429 and stores none of it", async () => {
    expect((await send(viewer, pitches[0] as string)).status).toBe(202);
    expect((await send(viewer, pitches[1] as string)).status).toBe(202);
    const refused = await send(viewer, pitches[2] as string);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(refused.json).toEqual({
      error: {
        code: "rate_limited",
        message: "Too many event batches from this user; try again in 10 seconds.",
        requestId: expect.any(String),
      },
    });
    expect(await storedViews(pitches[2] as string)).toBe(0);
  });

  it("counts each user apart", async () => {
    expect((await send(other, pitches[2] as string)).status).toBe(202);
    expect(await storedViews(pitches[2] as string)).toBe(1);
  });
});
