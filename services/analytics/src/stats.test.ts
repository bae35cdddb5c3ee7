// GET /api/analytics/pitches/:id/stats: totals, per-day views and unique viewers, owner only;
// a viewer counts once a day and the owner never, even in rows stored before that was the rule.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import { call, insertPitch, insertUser, type TestUser } from "../../../test/support/rows.ts";
import app from "./index.ts";
import { windowDays } from "./stats.ts";

let test: TestDatabase;
let db: D1Database;
let owner: TestUser;
let pitch: string;

const DAY_MS = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY_MS).toISOString();
const stats = (as: TestUser | undefined, id: string, query = "") =>
  call(app, { DB: db }, "GET", `/api/analytics/pitches/${id}/stats${query}`, as ? { as } : {});

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  owner = await insertUser(db, "creator");
  pitch = await insertPitch(db, owner);
  const alice = await insertUser(db, "investor");
  const bob = await insertUser(db, "production");
  const view = { pitchId: pitch, kind: "view" };
  // Today, through the API: alice three times, bob once, the owner twice.
  for (const [who, events] of [
    [alice, [view, view, view]],
    [bob, [view]],
    [owner, [view, view]],
  ] as const) {
    const answer = await call(app, { DB: db }, "POST", "/api/analytics/events", {
      as: who,
      body: { events },
    });
    expect(answer.status).toBe(202);
  }
  // Older days, as rows stored before views counted once a day (the API refuses such old times):
  // two days ago alice twice and the owner once, 40 days ago bob once.
  const stored = (who: TestUser, at: string) =>
    db
      .prepare(
        "INSERT INTO events (pitch_id, kind, viewer_key, day, occurred_at) VALUES (?, 'view', ?, ?, ?)",
      )
      .bind(pitch, who.id, at.slice(0, 10), at);
  await db.batch([
    stored(alice, daysAgo(2)),
    stored(alice, daysAgo(2)),
    stored(owner, daysAgo(2)),
    stored(bob, daysAgo(40)),
  ]);
});
afterAll(() => test.dispose());

describe("windowDays", () => {
  it("lists the UTC days ending today, oldest first", () => {
    expect(windowDays(new Date("2025-03-02T23:59:59Z"), 3)).toEqual([
      "2025-02-28",
      "2025-03-01",
      "2025-03-02",
    ]);
  });
});

describe("GET /api/analytics/pitches/:id/stats", () => {
  it("answers all-time totals and 30 zero-filled days by default", async () => {
    const answer = await stats(owner, pitch);
    expect(answer.status).toBe(200);
    expect(answer.json.pitchId).toBe(pitch);
    expect(answer.json.totalViews).toBe(4);
    expect(answer.json.uniqueViewers).toBe(2);
    const days = answer.json.days as { day: string; views: number; uniqueViewers: number }[];
    expect(days).toHaveLength(30);
    expect(days.at(-1)).toEqual({ day: daysAgo(0).slice(0, 10), views: 2, uniqueViewers: 2 });
    expect(days.at(-3)).toEqual({ day: daysAgo(2).slice(0, 10), views: 1, uniqueViewers: 1 });
    expect(days.at(-2)).toEqual({ day: daysAgo(1).slice(0, 10), views: 0, uniqueViewers: 0 });
    expect(days.reduce((sum, d) => sum + d.views, 0)).toBe(3);
  });

  it("narrows or widens the window with ?days=", async () => {
    const one = await stats(owner, pitch, "?days=1");
    expect(one.json.days).toEqual([{ day: daysAgo(0).slice(0, 10), views: 2, uniqueViewers: 2 }]);
    const ninety = await stats(owner, pitch, "?days=90");
    expect(ninety.json.days).toHaveLength(90);
    expect(ninety.json.days[0].day).toBe(daysAgo(89).slice(0, 10));
    expect(ninety.json.days.at(-41)).toEqual({
      day: daysAgo(40).slice(0, 10),
      views: 1,
      uniqueViewers: 1,
    });
  });

  it("agrees with itself: the days of a window holding every view add up to the totals", async () => {
    const ninety = await stats(owner, pitch, "?days=90");
    const days = ninety.json.days as { views: number }[];
    expect(days.reduce((sum, d) => sum + d.views, 0)).toBe(ninety.json.totalViews);
  });

  it("refuses days outside 1-90", async () => {
    for (const [query, message] of [
      ["?days=0", "query.days must be at least 1"],
      ["?days=91", "query.days must be at most 90"],
      ["?days=2.5", "query.days must be an integer"],
      ["?days=many", "query.days must be a number"],
    ]) {
      const answer = await stats(owner, pitch, query);
      expect(answer.status, query).toBe(400);
      expect(answer.json.error.message).toBe(message);
    }
  });

  it("answers a pitch with no views with zeros", async () => {
    const quiet = await insertPitch(db, owner, { status: "draft" });
    const answer = await stats(owner, quiet, "?days=2");
    expect(answer.json).toEqual({
      pitchId: quiet,
      totalViews: 0,
      uniqueViewers: 0,
      days: windowDays(new Date(), 2).map((day) => ({ day, views: 0, uniqueViewers: 0 })),
    });
  });

  it("hides the stats from everyone but the owner", async () => {
    const other = await insertUser(db, "creator");
    expect((await stats(other, pitch)).status).toBe(404);
    expect((await stats(owner, crypto.randomUUID())).status).toBe(404);
    const investor = await insertUser(db, "investor");
    const forbidden = await stats(investor, pitch);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe("forbidden");
    expect((await stats(undefined, pitch)).status).toBe(401);
  });
});
