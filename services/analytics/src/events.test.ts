// POST /api/analytics/events: batches, bounds, times, who may send them and which views count.

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
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
let db: D1Database;
let creator: TestUser;
let viewer: TestUser;
let published: string;
let draft: string;

const post = (body: unknown, as: TestUser | null = viewer, headers?: Record<string, string>) =>
  call(app, { DB: db, JWT_SECRET: TEST_JWT_SECRET }, "POST", "/api/analytics/events", {
    body,
    ...(as ? { as } : {}),
    ...(headers ? { headers } : {}),
  });

async function eventCount(pitchId: string): Promise<number> {
  const row = await db
    .prepare("SELECT COUNT(*) AS n FROM events WHERE pitch_id = ?")
    .bind(pitchId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  creator = await insertUser(db, "creator");
  viewer = await insertUser(db, "investor");
  published = await insertPitch(db, creator);
  draft = await insertPitch(db, creator, { status: "draft" });
});
afterAll(() => test.dispose());

const HOUR_MS = 3_600_000;
const hoursAgo = (n: number) => new Date(Date.now() - n * HOUR_MS).toISOString();

/** `date` written with the +02:00 offset, e.g. `2025-03-04T23:30:00.000+02:00`. */
const inPlusTwo = (date: Date) =>
  `${new Date(date.getTime() + 2 * HOUR_MS).toISOString().slice(0, -1)}+02:00`;

const stats = async (pitchId: string) =>
  (
    await call(app, { DB: db }, "GET", `/api/analytics/pitches/${pitchId}/stats?days=3`, {
      as: creator,
    })
  ).json as {
    totalViews: number;
    uniqueViewers: number;
    days: { day: string; views: number; uniqueViewers: number }[];
  };

afterEach(() => vi.useRealTimers());

describe("POST /api/analytics/events", () => {
  it("records a view with the viewer's id as key and the given or current time", async () => {
    const [given, current] = [await insertPitch(db, creator), await insertPitch(db, creator)];
    const at = hoursAgo(3);
    const before = Date.now();
    const answer = await post({
      events: [
        { pitchId: given, kind: "view", at },
        { pitchId: current, kind: "view" },
      ],
    });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ accepted: 2, counted: 2 });
    const rows = await db
      .prepare("SELECT pitch_id, viewer_key, day, occurred_at FROM events WHERE pitch_id IN (?, ?)")
      .bind(given, current)
      .all<{ pitch_id: string; viewer_key: string; day: string; occurred_at: string }>();
    const byPitch = new Map(rows.results.map((row) => [row.pitch_id, row]));
    expect(byPitch.get(given)).toEqual({
      pitch_id: given,
      viewer_key: viewer.id,
      day: at.slice(0, 10),
      occurred_at: at,
    });
    expect(byPitch.get(current)?.viewer_key).toBe(viewer.id);
    expect(Date.parse(byPitch.get(current)!.occurred_at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("stores times given with an offset in UTC", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2025-03-05T06:00:00Z") });
    const pitch = await insertPitch(db, creator);
    const answer = await post({
      events: [{ pitchId: pitch, kind: "view", at: inPlusTwo(new Date("2025-03-04T21:30:00Z")) }],
    });
    expect(answer.status).toBe(202);
    const row = await db
      .prepare("SELECT day, occurred_at FROM events WHERE pitch_id = ?")
      .bind(pitch)
      .first();
    expect(row).toEqual({ day: "2025-03-04", occurred_at: "2025-03-04T21:30:00.000Z" });
  });

  it("counts only views of published pitches as accepted", async () => {
    const unknown = crypto.randomUUID();
    const pitch = await insertPitch(db, creator);
    const answer = await post({
      events: [
        { pitchId: draft, kind: "view" },
        { pitchId: unknown, kind: "view" },
        { pitchId: pitch, kind: "view" },
      ],
    });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ accepted: 1, counted: 1 });
    expect(await eventCount(draft)).toBe(0);
    expect(await eventCount(unknown)).toBe(0);
  });

  it("takes 100 events and refuses 0 or 101", async () => {
    const pitches = await Promise.all(Array.from({ length: 100 }, () => insertPitch(db, creator)));
    const hundred = await post({ events: pitches.map((pitchId) => ({ pitchId, kind: "view" })) });
    expect(hundred.status).toBe(202);
    expect(hundred.json).toEqual({ accepted: 100, counted: 100 });

    const event = { pitchId: pitches[0], kind: "view" };
    const none = await post({ events: [] });
    expect(none.status).toBe(400);
    expect(none.json.error.message).toBe("body.events must have at least 1 item");
    const tooMany = await post({ events: Array.from({ length: 101 }, () => event) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toBe("body.events must have at most 100 items");
    expect(await eventCount(pitches[0]!)).toBe(1);
  });
});

describe("which views count", () => {
  it("counts a viewer's views of a pitch once per UTC day, however many are sent", async () => {
    const pitch = await insertPitch(db, creator);
    const hundred = {
      events: Array.from({ length: 100 }, () => ({ pitchId: pitch, kind: "view" })),
    };
    const answers = [await post(hundred), await post(hundred), await post(hundred)];
    expect(answers.map((a) => [a.status, a.json])).toEqual([
      [202, { accepted: 100, counted: 1 }],
      [202, { accepted: 100, counted: 0 }],
      [202, { accepted: 100, counted: 0 }],
    ]);
    expect(await eventCount(pitch)).toBe(1);

    const other = await insertUser(db, "production");
    expect((await post(hundred, other)).json).toEqual({ accepted: 100, counted: 1 });
    const answer = await stats(pitch);
    expect(answer).toMatchObject({ totalViews: 2, uniqueViewers: 2 });
    expect(answer.days.at(-1)).toMatchObject({ views: 2, uniqueViewers: 2 });
  });

  it("counts the same viewer again on the next UTC day, and a late view on its own day", async () => {
    const pitch = await insertPitch(db, creator);
    const view = (at?: string) => ({
      events: [{ pitchId: pitch, kind: "view", ...(at ? { at } : {}) }],
    });
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2025-03-04T23:50:00Z") });
    expect((await post(view())).json).toEqual({ accepted: 1, counted: 1 });
    vi.setSystemTime(new Date("2025-03-05T00:10:00Z"));
    expect((await post(view())).json).toEqual({ accepted: 1, counted: 1 });
    // Sent after midnight, seen before it: a repeat of the 4th.
    expect((await post(view("2025-03-04T23:55:00Z"))).json).toEqual({ accepted: 1, counted: 0 });

    const answer = await stats(pitch);
    expect(answer).toMatchObject({ totalViews: 2, uniqueViewers: 1 });
    expect(answer.days).toEqual([
      { day: "2025-03-03", views: 0, uniqueViewers: 0 },
      { day: "2025-03-04", views: 1, uniqueViewers: 1 },
      { day: "2025-03-05", views: 1, uniqueViewers: 1 },
    ]);
  });

  it("accepts the owner's views of their own pitch but never counts them", async () => {
    const pitch = await insertPitch(db, creator);
    const own = await post({ events: [{ pitchId: pitch, kind: "view" }] }, creator);
    expect([own.status, own.json]).toEqual([202, { accepted: 1, counted: 0 }]);
    expect(await eventCount(pitch)).toBe(0);
    expect(await stats(pitch)).toMatchObject({ totalViews: 0, uniqueViewers: 0 });
  });
});

describe("event times", () => {
  it("takes an `at` up to 24 hours old or 5 minutes ahead", async () => {
    const pitches = [await insertPitch(db, creator), await insertPitch(db, creator)];
    const answer = await post({
      events: [
        {
          pitchId: pitches[0],
          kind: "view",
          at: new Date(Date.now() - 23.9 * HOUR_MS).toISOString(),
        },
        { pitchId: pitches[1], kind: "view", at: new Date(Date.now() + 4 * 60_000).toISOString() },
      ],
    });
    expect([answer.status, answer.json]).toEqual([202, { accepted: 2, counted: 2 }]);
  });

  it("refuses a whole batch with an old or a future event, naming the event", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2025-03-05T12:00:00Z") });
    const pitch = await insertPitch(db, creator);
    const outside = [
      "0001-01-01T00:00:00Z",
      "2025-03-04T11:59:59Z",
      "2025-03-05T12:05:01Z",
      "2025-03-05T13:05:01+01:00",
    ];
    for (const at of outside) {
      const answer = await post({
        events: [
          { pitchId: pitch, kind: "view" },
          { pitchId: published, kind: "view", at: "2025-03-05T11:00:00Z" },
          { pitchId: pitch, kind: "view", at },
        ],
      });
      expect(answer.status, at).toBe(400);
      expect(answer.json.error.code).toBe("invalid_request");
      expect(answer.json.error.message).toBe(
        `body.events.2.at must be within the last 24 hours and at most 5 minutes in the future; found ${at}`,
      );
    }
    expect(await eventCount(pitch)).toBe(0);
    const stored = await db
      .prepare("SELECT COUNT(*) AS n FROM events WHERE pitch_id = ? AND day = '2025-03-05'")
      .bind(published)
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });
});

describe("refusals", () => {
  it("names each bad field", async () => {
    const cases: [unknown, string][] = [
      [{}, "body.events is required"],
      [{ events: "x" }, "body.events must be an array"],
      [
        { events: [{ pitchId: "nope", kind: "view" }] },
        "body.events.0.pitchId must be a valid uuid",
      ],
      [
        { events: [{ pitchId: published, kind: "click" }] },
        'body.events.0.kind must be one of "view"',
      ],
      [
        { events: [{ pitchId: published, kind: "view", at: "yesterday" }] },
        "body.events.0.at must be a valid datetime",
      ],
      // ISO-8601 in form, but not a time Date can read: refused, never a 500 when stored.
      [
        { events: [{ pitchId: published, kind: "view", at: "2026-11-29T10:00:00+01" }] },
        "body.events.0.at must be a valid datetime",
      ],
      [
        { events: [{ pitchId: published, kind: "view", viewer: "x" }] },
        "body.events.0.viewer is not a known field",
      ],
      [
        { events: [{ pitchId: published, kind: "view" }], extra: 1 },
        "body.extra is not a known field",
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await post(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error.code).toBe("invalid_request");
      expect(answer.json.error.message).toBe(message);
    }
  });

  it("refuses requests without a signed-in user, non-JSON, bad JSON and oversized bodies", async () => {
    const body = { events: [{ pitchId: published, kind: "view" }] };
    const anonymous = await post(body, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe("unauthenticated");

    const asText = await call(app, { DB: db }, "POST", "/api/analytics/events", {
      as: viewer,
      raw: JSON.stringify(body),
      headers: { "content-type": "text/plain" },
    });
    expect(asText.status).toBe(415);
    expect(asText.json.error.code).toBe("unsupported_media_type");

    const broken = await call(app, { DB: db }, "POST", "/api/analytics/events", {
      as: viewer,
      raw: "{",
      headers: { "content-type": "application/json" },
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe("invalid_json");

    const huge = await call(app, { DB: db }, "POST", "/api/analytics/events", {
      as: viewer,
      raw: JSON.stringify({ ...body, padding: "x".repeat(70_000) }),
      headers: { "content-type": "application/json" },
    });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe("payload_too_large");
  });

  it("answers every error with the request id it was given", async () => {
    const answer = await post({ events: [] }, viewer, { "x-request-id": "req-12345678" });
    expect(answer.headers.get("x-request-id")).toBe("req-12345678");
    expect(answer.json.error.requestId).toBe("req-12345678");
  });
});
