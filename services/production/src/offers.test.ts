// Offers: making them, listing your own with paging, and the creator's accept/decline.

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
let studio: TestUser;
let pitch: string;

const request = (method: string, path: string, options: CallOptions = {}) =>
  call(app, { DB: db }, method, path, options);
const offer = (as: TestUser, body: unknown) =>
  request("POST", "/api/production/offers", { as, body });

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  creator = await insertUser(db, "creator");
  studio = await insertUser(db, "production");
  pitch = await insertPitch(db, creator);
});
afterAll(() => test.dispose());

describe("POST /api/production/offers", () => {
  it("records a pending offer on a published pitch", async () => {
    const answer = await offer(studio, {
      pitchId: pitch,
      amount: 250_000,
      terms: "Option, 18 months.",
    });
    expect(answer.status).toBe(201);
    expect(answer.json.offer).toEqual({
      id: expect.any(String),
      pitchId: pitch,
      productionId: studio.id,
      amount: 250_000,
      terms: "Option, 18 months.",
      status: "pending",
      createdAt: expect.any(String),
      decidedAt: null,
    });
  });

  it("refuses drafts and unknown pitches with 404", async () => {
    const draft = await insertPitch(db, creator, { status: "draft" });
    for (const pitchId of [draft, crypto.randomUUID()]) {
      const answer = await offer(studio, { pitchId, amount: 1, terms: "t" });
      expect(answer.status).toBe(404);
      expect(answer.json.error.code).toBe("not_found");
    }
  });

  it("names each bad field", async () => {
    const cases: [unknown, string][] = [
      [{ amount: 1, terms: "t" }, "body.pitchId is required"],
      [[{ pitchId: pitch, amount: 1, terms: "t" }], "body must be an object"],
      [{ pitchId: pitch, amount: 0, terms: "t" }, "body.amount must be at least 1"],
      [{ pitchId: pitch, amount: 1.5, terms: "t" }, "body.amount must be an integer"],
      [{ pitchId: pitch, amount: "5", terms: "t" }, "body.amount must be a number"],
      [{ pitchId: pitch, amount: 1e10, terms: "t" }, "body.amount must be at most 1000000000"],
      [{ pitchId: pitch, amount: 1, terms: "" }, "body.terms must be at least 1 character"],
      [{ pitchId: pitch, amount: 1, terms: " \n " }, "body.terms must be at least 1 character"],
      [
        { pitchId: pitch, amount: 1, terms: "x".repeat(2001) },
        "body.terms must be at most 2000 characters",
      ],
      [
        { pitchId: pitch, amount: 1, terms: "t", status: "accepted" },
        "body.status is not a known field",
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await offer(studio, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error.message).toBe(message);
    }
  });

  it("is for production companies only, with JSON bodies", async () => {
    const body = { pitchId: pitch, amount: 1, terms: "t" };
    expect((await offer(creator, body)).status).toBe(403);
    expect((await offer(await insertUser(db, "investor"), body)).status).toBe(403);
    expect((await request("POST", "/api/production/offers", { body })).status).toBe(401);
    const asForm = await request("POST", "/api/production/offers", {
      as: studio,
      raw: "pitchId=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(asForm.status).toBe(415);
    const huge = await request("POST", "/api/production/offers", {
      as: studio,
      raw: JSON.stringify({ ...body, terms: "x".repeat(70_000) }),
      headers: { "content-type": "application/json" },
    });
    expect(huge.status).toBe(413);
  });
});

describe("GET /api/production/offers", () => {
  it("pages through the caller's offers, newest first", async () => {
    const other = await insertUser(db, "production");
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        (await offer(other, { pitchId: pitch, amount: i + 1, terms: `t${i}` })).json.offer.id,
      );
    }
    await offer(studio, { pitchId: pitch, amount: 9, terms: "not theirs" });
    const newestFirst = [...made].reverse();

    const first = await request("GET", "/api/production/offers?limit=2", { as: other });
    expect(first.status).toBe(200);
    expect(first.json.items.map((o: { id: string }) => o.id)).toEqual(newestFirst.slice(0, 2));
    const second = await request(
      "GET",
      `/api/production/offers?limit=2&cursor=${first.json.nextCursor}`,
      { as: other },
    );
    expect(second.json.items.map((o: { id: string }) => o.id)).toEqual(newestFirst.slice(2, 4));
    const last = await request(
      "GET",
      `/api/production/offers?limit=2&cursor=${second.json.nextCursor}`,
      { as: other },
    );
    expect(last.json.items.map((o: { id: string }) => o.id)).toEqual(newestFirst.slice(4));
    expect(last.json.nextCursor).toBeNull();

    const exact = await request("GET", "/api/production/offers?limit=5", { as: other });
    expect(exact.json.items).toHaveLength(5);
    expect(exact.json.nextCursor).toBeNull();
    const all = await request("GET", "/api/production/offers", { as: other });
    expect(all.json.items).toHaveLength(5);
  });

  it("refuses bad paging and other roles", async () => {
    for (const [query, message] of [
      ["?limit=0", "query.limit must be at least 1"],
      ["?limit=51", "query.limit must be at most 50"],
      ["?cursor=%21%21", "query.cursor is not a cursor this list gave out"],
    ]) {
      const answer = await request("GET", `/api/production/offers${query}`, { as: studio });
      expect(answer.status, query).toBe(400);
      expect(answer.json.error.message).toContain(message);
    }
    expect((await request("GET", "/api/production/offers", { as: creator })).status).toBe(403);
    expect((await request("GET", "/api/production/offers")).status).toBe(401);
  });
});

describe("POST /api/production/offers/:id/accept|decline", () => {
  it("lets the pitch's creator accept a pending offer once", async () => {
    const id = (await offer(studio, { pitchId: pitch, amount: 10, terms: "t" })).json.offer.id;
    const accepted = await request("POST", `/api/production/offers/${id}/accept`, { as: creator });
    expect(accepted.status).toBe(200);
    expect(accepted.json.offer).toMatchObject({
      id,
      status: "accepted",
      decidedAt: expect.any(String),
    });
    for (const action of ["accept", "decline"]) {
      const again = await request("POST", `/api/production/offers/${id}/${action}`, {
        as: creator,
      });
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe("conflict");
      expect(again.json.error.message).toContain("already accepted");
    }
    const mine = await request("GET", "/api/production/offers?limit=50", { as: studio });
    expect(mine.json.items.find((o: { id: string }) => o.id === id).status).toBe("accepted");
  });

  it("lets the pitch's creator decline a pending offer", async () => {
    const id = (await offer(studio, { pitchId: pitch, amount: 10, terms: "t" })).json.offer.id;
    const declined = await request("POST", `/api/production/offers/${id}/decline`, { as: creator });
    expect(declined.status).toBe(200);
    expect(declined.json.offer.status).toBe("declined");
  });

  it("hides other creators' offers and unknown ids, and is for creators only", async () => {
    const id = (await offer(studio, { pitchId: pitch, amount: 10, terms: "t" })).json.offer.id;
    const stranger = await insertUser(db, "creator");
    expect(
      (await request("POST", `/api/production/offers/${id}/accept`, { as: stranger })).status,
    ).toBe(404);
    expect(
      (
        await request("POST", `/api/production/offers/${crypto.randomUUID()}/accept`, {
          as: creator,
        })
      ).status,
    ).toBe(404);
    expect(
      (await request("POST", `/api/production/offers/${id}/accept`, { as: studio })).status,
    ).toBe(403);
    expect((await request("POST", `/api/production/offers/${id}/decline`)).status).toBe(401);
    const still = await db.prepare("SELECT status FROM offers WHERE id = ?").bind(id).first();
    expect(still).toEqual({ status: "pending" });
  });
});
