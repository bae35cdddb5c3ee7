// POST /api/analytics/events: batches, bounds, times and who may send them.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("POST /api/analytics/events", () => {
  it("records a batch with the viewer's id as key and the given or current time", async () => {
    const at = "2025-03-04T05:06:07.000Z";
    const before = Date.now();
    const answer = await post({
      events: [
        { pitchId: published, kind: "view", at },
        { pitchId: published, kind: "view" },
      ],
    });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ accepted: 2 });
    const rows = await db
      .prepare("SELECT viewer_key, day, occurred_at FROM events WHERE pitch_id = ? ORDER BY id")
      .bind(published)
      .all<{ viewer_key: string; day: string; occurred_at: string }>();
    expect(rows.results[0]).toEqual({ viewer_key: viewer.id, day: "2025-03-04", occurred_at: at });
    expect(rows.results[1]?.viewer_key).toBe(viewer.id);
    expect(Date.parse(rows.results[1]!.occurred_at)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("stores times given with an offset in UTC", async () => {
    const pitch = await insertPitch(db, creator);
    const answer = await post({
      events: [{ pitchId: pitch, kind: "view", at: "2025-03-04T23:30:00+02:00" }],
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
    const answer = await post({
      events: [
        { pitchId: draft, kind: "view" },
        { pitchId: unknown, kind: "view" },
        { pitchId: published, kind: "view" },
      ],
    });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ accepted: 1 });
    expect(await eventCount(draft)).toBe(0);
    expect(await eventCount(unknown)).toBe(0);
  });

  it("takes 100 events and refuses 0 or 101", async () => {
    const pitch = await insertPitch(db, creator);
    const event = { pitchId: pitch, kind: "view" };
    const hundred = await post({ events: Array.from({ length: 100 }, () => event) });
    expect(hundred.status).toBe(202);
    expect(hundred.json).toEqual({ accepted: 100 });
    expect(await eventCount(pitch)).toBe(100);

    const none = await post({ events: [] });
    expect(none.status).toBe(400);
    expect(none.json.error.message).toBe("body.events must have at least 1 item");
    const tooMany = await post({ events: Array.from({ length: 101 }, () => event) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toBe("body.events must have at most 100 items");
    expect(await eventCount(pitch)).toBe(100);
  });

  it("takes an `at` up to a minute ahead and refuses one further in the future", async () => {
    const soon = new Date(Date.now() + 30_000).toISOString();
    expect((await post({ events: [{ pitchId: published, kind: "view", at: soon }] })).status).toBe(
      202,
    );
    const later = new Date(Date.now() + 120_000).toISOString();
    const answer = await post({
      events: [
        { pitchId: published, kind: "view" },
        { pitchId: published, kind: "view", at: later },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toBe(
      "body.events.1.at must not be more than a minute in the future",
    );
  });

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
