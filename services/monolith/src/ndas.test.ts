// NDA requests on the monolith: asking, listing, signing and declining, with every refusal.

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
let pitch: string;

const request = (method: string, path: string, options: CallOptions = {}) =>
  call(app, { DB: db, JWT_SECRET: TEST_JWT_SECRET }, method, path, options);
const ask = (as: TestUser, pitchId: unknown) =>
  request("POST", "/api/nda/requests", { as, body: { pitchId } });

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  creator = await insertUser(db, "creator");
  investor = await insertUser(db, "investor");
  studio = await insertUser(db, "production");
  pitch = await insertPitch(db, creator);
});
afterAll(() => test.dispose());

describe("POST /api/nda/requests", () => {
  it("records a request to the pitch's owner, once per requester", async () => {
    const answer = await ask(investor, pitch);
    expect(answer.status).toBe(201);
    expect(answer.json.nda).toEqual({
      id: expect.any(String),
      pitchId: pitch,
      requesterId: investor.id,
      ownerId: creator.id,
      status: "requested",
      createdAt: expect.any(String),
      decidedAt: null,
    });
    const again = await ask(investor, pitch);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("conflict");
    expect((await ask(studio, pitch)).status).toBe(201);
  });

  it("refuses drafts, unknown pitches, bad bodies, creators and anonymous callers", async () => {
    const draft = await insertPitch(db, creator, { status: "draft" });
    expect((await ask(investor, draft)).status).toBe(404);
    expect((await ask(investor, crypto.randomUUID())).status).toBe(404);
    const bad = await ask(investor, "p1");
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe("body.pitchId must be a valid uuid");
    const extra = await request("POST", "/api/nda/requests", {
      as: investor,
      body: { pitchId: pitch, status: "signed" },
    });
    expect(extra.json.error.message).toBe("body.status is not a known field");
    expect((await ask(creator, pitch)).status).toBe(403);
    expect((await request("POST", "/api/nda/requests", { body: { pitchId: pitch } })).status).toBe(
      401,
    );
    expect((await request("POST", "/api/nda/requests", { as: investor, raw: "{}" })).status).toBe(
      415,
    );
  });
});

describe("GET /api/nda/requests and the owner's decision", () => {
  it("lists requests to the requester and the owner only, newest first", async () => {
    const own = await insertUser(db, "creator");
    const target = await insertPitch(db, own);
    const a = await insertUser(db, "investor");
    const b = await insertUser(db, "production");
    const first = (await ask(a, target)).json.nda.id;
    const second = (await ask(b, target)).json.nda.id;

    const owner = await request("GET", "/api/nda/requests", { as: own });
    expect(owner.json.items.map((n: { id: string }) => n.id)).toEqual([second, first]);
    const paged = await request("GET", "/api/nda/requests?limit=1", { as: own });
    expect(paged.json.items.map((n: { id: string }) => n.id)).toEqual([second]);
    const next = await request("GET", `/api/nda/requests?limit=1&cursor=${paged.json.nextCursor}`, {
      as: own,
    });
    expect(next.json.items.map((n: { id: string }) => n.id)).toEqual([first]);
    expect(next.json.nextCursor).toBeNull();
    const requester = await request("GET", "/api/nda/requests", { as: a });
    expect(requester.json.items.map((n: { id: string }) => n.id)).toEqual([first]);
    expect((await request("GET", "/api/nda/requests", { as: creator })).json.items).toHaveLength(2);
    expect((await request("GET", "/api/nda/requests")).status).toBe(401);
  });

  it("lets the owner sign or decline a pending request once", async () => {
    const own = await insertUser(db, "creator");
    const target = await insertPitch(db, own);
    const toSign = (await ask(investor, target)).json.nda.id;
    const toDecline = (await ask(studio, target)).json.nda.id;

    const signed = await request("POST", `/api/nda/requests/${toSign}/sign`, { as: own });
    expect(signed.status).toBe(200);
    expect(signed.json.nda).toMatchObject({
      id: toSign,
      status: "signed",
      decidedAt: expect.any(String),
    });
    const declined = await request("POST", `/api/nda/requests/${toDecline}/decline`, { as: own });
    expect(declined.json.nda.status).toBe("declined");
    const again = await request("POST", `/api/nda/requests/${toSign}/decline`, { as: own });
    expect(again.status).toBe(409);
    expect(again.json.error.message).toContain("already signed");
  });

  it("hides requests from anyone but the owner", async () => {
    const own = await insertUser(db, "creator");
    const target = await insertPitch(db, own);
    const id = (await ask(investor, target)).json.nda.id;
    expect((await request("POST", `/api/nda/requests/${id}/sign`, { as: creator })).status).toBe(
      404,
    );
    expect(
      (await request("POST", `/api/nda/requests/${crypto.randomUUID()}/sign`, { as: own })).status,
    ).toBe(404);
    expect((await request("POST", `/api/nda/requests/${id}/sign`, { as: investor })).status).toBe(
      403,
    );
    expect((await request("POST", `/api/nda/requests/${id}/decline`)).status).toBe(401);
  });
});
