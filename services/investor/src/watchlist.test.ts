// The watchlist: add (201, then 200), list with paging, remove (idempotent), and the refusals.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import {
  type CallOptions,
  call,
  insertPitch,
  insertUser,
  type TestUser,
} from "../../../test/support/rows.ts";
import app from "./index.ts";

let test: TestDatabase;
let db: D1Database;
let creator: TestUser;
let investor: TestUser;

const request = (method: string, path: string, options: CallOptions = {}) =>
  call(app, { DB: db }, method, path, options);
const watch = (as: TestUser, pitchId: unknown) =>
  request("POST", "/api/investor/watchlist", { as, body: { pitchId } });
const ids = (answer: { json: { items: { pitch: { id: string } }[] } }) =>
  answer.json.items.map((item) => item.pitch.id);

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  creator = await insertUser(db, "creator");
  investor = await insertUser(db, "investor");
});
afterAll(() => test.dispose());

describe("POST /api/investor/watchlist", () => {
  it("adds a published pitch once: 201, then 200 with the first addedAt", async () => {
    const pitch = await insertPitch(db, creator, { title: "Night Shift" });
    const first = await watch(investor, pitch);
    expect(first.status).toBe(201);
    expect(first.json.entry.pitch).toMatchObject({
      id: pitch,
      title: "Night Shift",
      status: "published",
    });
    expect(first.json.entry.addedAt).toEqual(expect.any(String));
    const again = await watch(investor, pitch);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
  });

  it("answers 404 for drafts and unknown pitches", async () => {
    const draft = await insertPitch(db, creator, { status: "draft" });
    for (const pitchId of [draft, crypto.randomUUID()]) {
      const answer = await watch(investor, pitchId);
      expect(answer.status).toBe(404);
      expect(answer.json.error.code).toBe("not_found");
    }
  });

  it("validates the body and the caller", async () => {
    expect((await watch(investor, "nope")).json.error.message).toBe(
      "body.pitchId must be a valid uuid",
    );
    expect((await watch(investor, 5)).json.error.message).toBe("body.pitchId must be a string");
    const extra = await request("POST", "/api/investor/watchlist", {
      as: investor,
      body: { pitchId: crypto.randomUUID(), note: "x" },
    });
    expect(extra.json.error.message).toBe("body.note is not a known field");
    const pitch = await insertPitch(db, creator);
    expect((await watch(creator, pitch)).status).toBe(403);
    expect(
      (await request("POST", "/api/investor/watchlist", { body: { pitchId: pitch } })).status,
    ).toBe(401);
    const text = await request("POST", "/api/investor/watchlist", { as: investor, raw: "{}" });
    expect(text.status).toBe(415);
    const huge = await request("POST", "/api/investor/watchlist", {
      as: investor,
      raw: JSON.stringify({ pitchId: pitch, pad: "x".repeat(65 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    expect(huge.status).toBe(413);
  });
});

describe("GET and DELETE /api/investor/watchlist", () => {
  it("pages through the caller's entries, newest first, and removes one", async () => {
    const reader = await insertUser(db, "investor");
    const pitches: string[] = [];
    for (let i = 0; i < 3; i++) {
      pitches.push(await insertPitch(db, creator));
      expect((await watch(reader, pitches[i])).status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const newest = [...pitches].reverse();
    const first = await request("GET", "/api/investor/watchlist?limit=2", { as: reader });
    expect(first.status).toBe(200);
    expect(ids(first)).toEqual(newest.slice(0, 2));
    const rest = await request(
      "GET",
      `/api/investor/watchlist?limit=2&cursor=${first.json.nextCursor}`,
      {
        as: reader,
      },
    );
    expect(ids(rest)).toEqual(newest.slice(2));
    expect(rest.json.nextCursor).toBeNull();

    const removed = await request("DELETE", `/api/investor/watchlist/${pitches[1]}`, {
      as: reader,
    });
    expect(removed.status).toBe(204);
    expect(removed.text).toBe("");
    const twice = await request("DELETE", `/api/investor/watchlist/${pitches[1]}`, { as: reader });
    expect(twice.status).toBe(204);
    const after = await request("GET", "/api/investor/watchlist", { as: reader });
    expect(ids(after)).toEqual([pitches[2], pitches[0]]);
    expect(after.json.nextCursor).toBeNull();
  });

  it("shows nobody else's entries and refuses other roles and bad paging", async () => {
    const empty = await request("GET", "/api/investor/watchlist", {
      as: await insertUser(db, "investor"),
    });
    expect(empty.json).toEqual({ items: [], nextCursor: null });
    expect((await request("GET", "/api/investor/watchlist", { as: creator })).status).toBe(403);
    expect((await request("GET", "/api/investor/watchlist")).status).toBe(401);
    expect((await request("DELETE", `/api/investor/watchlist/${crypto.randomUUID()}`)).status).toBe(
      401,
    );
    const prod = await insertUser(db, "production");
    expect(
      (await request("DELETE", `/api/investor/watchlist/${crypto.randomUUID()}`, { as: prod }))
        .status,
    ).toBe(403);
    const bad = await request("GET", "/api/investor/watchlist?limit=abc", { as: investor });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe("query.limit must be a number");
  });
});
