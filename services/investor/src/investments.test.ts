// Investments (interest, commitments) and the portfolio that sums them per pitch.

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
let pitch: string;

const request = (method: string, path: string, options: CallOptions = {}) =>
  call(app, { DB: db }, method, path, options);
const invest = (as: TestUser, body: unknown) =>
  request("POST", "/api/investor/investments", { as, body });

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  creator = await insertUser(db, "creator");
  investor = await insertUser(db, "investor");
  pitch = await insertPitch(db, creator);
});
afterAll(() => test.dispose());

describe("POST /api/investor/investments", () => {
  it("records interest and commitments", async () => {
    const interest = await invest(investor, { pitchId: pitch, kind: "interest", note: "Love it" });
    expect(interest.status).toBe(201);
    expect(interest.json.investment).toEqual({
      id: expect.any(String),
      investorId: investor.id,
      pitchId: pitch,
      kind: "interest",
      amount: null,
      note: "Love it",
      createdAt: expect.any(String),
    });
    const commitment = await invest(investor, { pitchId: pitch, kind: "commitment", amount: 5000 });
    expect(commitment.status).toBe(201);
    expect(commitment.json.investment).toMatchObject({
      kind: "commitment",
      amount: 5000,
      note: null,
    });
  });

  it("needs a positive whole amount for a commitment and none for interest", async () => {
    const cases: [unknown, string][] = [
      [{ pitchId: pitch, kind: "commitment" }, "body.amount is required when kind is commitment"],
      [{ pitchId: pitch, kind: "commitment", amount: 0 }, "body.amount must be at least 1"],
      [{ pitchId: pitch, kind: "commitment", amount: -5 }, "body.amount must be at least 1"],
      [{ pitchId: pitch, kind: "commitment", amount: 2.5 }, "body.amount must be an integer"],
      [
        { pitchId: pitch, kind: "interest", amount: 10 },
        "body.amount is only for commitments; leave it out when kind is interest",
      ],
      [{ pitchId: pitch, kind: "pledge" }, 'body.kind must be one of "interest", "commitment"'],
      [{ pitchId: pitch }, "body.kind is required"],
      [{ pitchId: pitch, kind: "interest", note: "" }, "body.note must be at least 1 character"],
      [{ pitchId: pitch, kind: "interest", share: 1 }, "body.share is not a known field"],
    ];
    for (const [body, message] of cases) {
      const answer = await invest(investor, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error.message).toBe(message);
    }
  });

  it("refuses drafts, unknown pitches, other roles and anonymous callers", async () => {
    const draft = await insertPitch(db, creator, { status: "draft" });
    expect((await invest(investor, { pitchId: draft, kind: "interest" })).status).toBe(404);
    expect(
      (await invest(investor, { pitchId: crypto.randomUUID(), kind: "interest" })).status,
    ).toBe(404);
    const studio = await insertUser(db, "production");
    expect((await invest(studio, { pitchId: pitch, kind: "interest" })).status).toBe(403);
    expect(
      (
        await request("POST", "/api/investor/investments", {
          body: { pitchId: pitch, kind: "interest" },
        })
      ).status,
    ).toBe(401);
  });
});

describe("GET /api/investor/investments", () => {
  it("pages through the caller's investments, newest first", async () => {
    const saver = await insertUser(db, "investor");
    const made: string[] = [];
    for (let i = 1; i <= 3; i++) {
      made.push(
        (await invest(saver, { pitchId: pitch, kind: "commitment", amount: i })).json.investment.id,
      );
    }
    const first = await request("GET", "/api/investor/investments?limit=2", { as: saver });
    expect(first.json.items.map((i: { id: string }) => i.id)).toEqual([made[2], made[1]]);
    const rest = await request(
      "GET",
      `/api/investor/investments?limit=2&cursor=${first.json.nextCursor}`,
      {
        as: saver,
      },
    );
    expect(rest.json.items.map((i: { id: string }) => i.id)).toEqual([made[0]]);
    expect(rest.json.nextCursor).toBeNull();
    expect((await request("GET", "/api/investor/investments", { as: creator })).status).toBe(403);
    expect((await request("GET", "/api/investor/investments?limit=0", { as: saver })).status).toBe(
      400,
    );
  });
});

describe("GET /api/investor/portfolio", () => {
  it("sums commitments per pitch with the interest flag and the grand total", async () => {
    const backer = await insertUser(db, "investor");
    const a = await insertPitch(db, creator, { title: "A" });
    const b = await insertPitch(db, creator, { title: "B" });
    await invest(backer, { pitchId: a, kind: "interest" });
    await invest(backer, { pitchId: a, kind: "commitment", amount: 100 });
    await invest(backer, { pitchId: a, kind: "commitment", amount: 250 });
    await invest(backer, { pitchId: b, kind: "interest" });
    await invest(investor, { pitchId: b, kind: "commitment", amount: 999 });

    const answer = await request("GET", "/api/investor/portfolio", { as: backer });
    expect(answer.status).toBe(200);
    expect(answer.json.totalCommitted).toBe(350);
    expect(
      answer.json.items.map(
        (i: { pitch: { id: string }; interest: boolean; committed: number }) => [
          i.pitch.id,
          i.interest,
          i.committed,
        ],
      ),
    ).toEqual([
      [b, true, 0],
      [a, true, 350],
    ]);
    expect(answer.json.items[1].pitch).toMatchObject({ id: a, title: "A", creatorId: creator.id });
  });

  it("is empty for a new investor and refused to others", async () => {
    const fresh = await insertUser(db, "investor");
    const committedOnly = await insertPitch(db, creator);
    expect((await request("GET", "/api/investor/portfolio", { as: fresh })).json).toEqual({
      items: [],
      totalCommitted: 0,
    });
    await invest(fresh, { pitchId: committedOnly, kind: "commitment", amount: 7 });
    const answer = await request("GET", "/api/investor/portfolio", { as: fresh });
    expect(answer.json.items[0]).toMatchObject({ interest: false, committed: 7 });
    expect((await request("GET", "/api/investor/portfolio", { as: creator })).status).toBe(403);
    expect((await request("GET", "/api/investor/portfolio")).status).toBe(401);
  });
});
