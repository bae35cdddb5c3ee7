// Messaging on the monolith: sending, conversations with paging, and read receipts.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import { standInMonolith } from "../../../test/support/monolith.ts";
import {
  type CallOptions,
  call,
  insertPitch,
  insertUser,
  TEST_JWT_SECRET,
  type TestUser,
} from "../../../test/support/rows.ts";

const app = await standInMonolith();

let test: TestDatabase;
let db: D1Database;
let creator: TestUser;
let investor: TestUser;
let studio: TestUser;

const request = (method: string, path: string, options: CallOptions = {}) =>
  call(app, { DB: db, JWT_SECRET: TEST_JWT_SECRET }, method, path, options);
const send = (as: TestUser, body: unknown) => request("POST", "/api/messages", { as, body });
const ids = (answer: { json: { items: { id: string }[] } }) => answer.json.items.map((m) => m.id);

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  creator = await insertUser(db, "creator");
  investor = await insertUser(db, "investor");
  studio = await insertUser(db, "production");
});
afterAll(() => test.dispose());

describe("POST /api/messages", () => {
  it("sends a message, optionally about a pitch", async () => {
    const pitch = await insertPitch(db, creator, { status: "draft" });
    const answer = await send(investor, { recipientId: creator.id, body: "Hello", pitchId: pitch });
    expect(answer.status).toBe(201);
    expect(answer.json.message).toEqual({
      id: expect.any(String),
      senderId: investor.id,
      recipientId: creator.id,
      pitchId: pitch,
      body: "Hello",
      createdAt: expect.any(String),
      readAt: null,
    });
    const plain = await send(creator, { recipientId: investor.id, body: "Hi" });
    expect(plain.json.message.pitchId).toBeNull();
  });

  it("refuses unknown recipients and pitches, yourself, and bad bodies", async () => {
    expect((await send(investor, { recipientId: crypto.randomUUID(), body: "x" })).status).toBe(
      404,
    );
    const noPitch = await send(investor, {
      recipientId: creator.id,
      body: "x",
      pitchId: crypto.randomUUID(),
    });
    expect(noPitch.status).toBe(404);
    const self = await send(investor, { recipientId: investor.id, body: "x" });
    expect(self.status).toBe(400);
    expect(self.json.error.message).toBe("body.recipientId must be someone other than you");
    const cases: [unknown, string][] = [
      [{ recipientId: creator.id, body: "" }, "body.body must be at least 1 character"],
      [
        { recipientId: creator.id, body: "x".repeat(5001) },
        "body.body must be at most 5000 characters",
      ],
      [{ body: "x" }, "body.recipientId is required"],
      [{ recipientId: creator.id, body: "x", urgent: true }, "body.urgent is not a known field"],
    ];
    for (const [body, message] of cases) {
      const answer = await send(investor, body);
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toBe(message);
    }
    expect(
      (await request("POST", "/api/messages", { body: { recipientId: creator.id, body: "x" } }))
        .status,
    ).toBe(401);
    const huge = await request("POST", "/api/messages", {
      as: investor,
      raw: JSON.stringify({ recipientId: creator.id, body: "x".repeat(70_000) }),
      headers: { "content-type": "application/json" },
    });
    expect(huge.status).toBe(413);
  });
});

describe("GET /api/messages", () => {
  it("lists the caller's messages newest first, narrowed by ?with=", async () => {
    const a = await insertUser(db, "creator");
    const b = await insertUser(db, "investor");
    const c = await insertUser(db, "production");
    const m1 = (await send(a, { recipientId: b.id, body: "1" })).json.message.id;
    const m2 = (await send(b, { recipientId: a.id, body: "2" })).json.message.id;
    const m3 = (await send(c, { recipientId: a.id, body: "3" })).json.message.id;
    await send(b, { recipientId: c.id, body: "not a's" });

    expect(ids(await request("GET", "/api/messages", { as: a }))).toEqual([m3, m2, m1]);
    expect(ids(await request("GET", `/api/messages?with=${b.id}`, { as: a }))).toEqual([m2, m1]);
    const page = await request("GET", "/api/messages?limit=2", { as: a });
    expect(ids(page)).toEqual([m3, m2]);
    const rest = await request("GET", `/api/messages?limit=2&cursor=${page.json.nextCursor}`, {
      as: a,
    });
    expect(ids(rest)).toEqual([m1]);
    expect(rest.json.nextCursor).toBeNull();

    const bad = await request("GET", "/api/messages?with=someone", { as: a });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe("query.with must be a valid uuid");
    expect((await request("GET", "/api/messages?limit=51", { as: a })).status).toBe(400);
    expect((await request("GET", "/api/messages")).status).toBe(401);
  });
});

describe("POST /api/messages/:id/read", () => {
  it("marks a message read for its recipient only, keeping the first readAt", async () => {
    const id = (await send(studio, { recipientId: investor.id, body: "Read me" })).json.message.id;
    expect((await request("POST", `/api/messages/${id}/read`, { as: studio })).status).toBe(404);
    expect((await request("POST", `/api/messages/${id}/read`, { as: creator })).status).toBe(404);
    expect((await request("POST", `/api/messages/${id}/read`)).status).toBe(401);
    const read = await request("POST", `/api/messages/${id}/read`, { as: investor });
    expect(read.status).toBe(200);
    expect(read.json.message.readAt).toEqual(expect.any(String));
    const again = await request("POST", `/api/messages/${id}/read`, { as: investor });
    expect(again.json.message.readAt).toBe(read.json.message.readAt);
  });
});
