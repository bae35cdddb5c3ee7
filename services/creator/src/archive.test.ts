// Deletes that keep promises: a pitch others depend on answers 409 and is archived instead, and the
// lists that read it (investor, production, browse) agree with their own rows afterwards.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import type { Pitch } from "../../../shared/pitches.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import {
  type CallOptions,
  call,
  insertUser,
  nextTime,
  TEST_JWT_SECRET,
  type TestUser,
} from "../../../test/support/rows.ts";
import browse from "../../browse/src/index.ts";
import investor from "../../investor/src/index.ts";
import production from "../../production/src/index.ts";
import creator from "./index.ts";

let testDb: TestDatabase;
let db: D1Database;
let ana: TestUser;
let ivy: TestUser;
let studio: TestUser;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  ana = await insertUser(db, "creator");
  ivy = await insertUser(db, "investor");
  studio = await insertUser(db, "production");
});
afterAll(() => testDb.dispose());

const apps = { creator, investor, production, browse };
const send = (app: keyof typeof apps, method: string, path: string, options: CallOptions = {}) =>
  call(apps[app], { DB: db, JWT_SECRET: TEST_JWT_SECRET }, method, path, {
    ...options,
    headers: { "x-request-id": "archive-test", ...options.headers },
  });

async function publishedPitch(title: string): Promise<Pitch> {
  const body = { title, logline: "A logline.", genre: "drama", budgetMin: 10, budgetMax: 20 };
  const created = await send("creator", "POST", "/api/creator/pitches", { as: ana, body });
  const id = created.json.pitch.id as string;
  const published = await send("creator", "POST", `/api/creator/pitches/${id}/publish`, {
    as: ana,
  });
  expect(published.status).toBe(200);
  return published.json.pitch;
}

async function offer(pitchId: string, decision?: "accept" | "decline"): Promise<string> {
  const body = { pitchId, amount: 50_000, terms: "Option" };
  const made = await send("production", "POST", "/api/production/offers", { as: studio, body });
  const id = made.json.offer.id as string;
  if (decision) {
    const path = `/api/production/offers/${id}/${decision}`;
    expect((await send("production", "POST", path, { as: ana })).status).toBe(200);
  }
  return id;
}

/** An NDA row as the monolith writes it (the monolith owns `ndas`). */
async function nda(pitchId: string, status: "requested" | "signed" | "declined"): Promise<void> {
  await db
    .prepare(
      "INSERT INTO ndas (id, pitch_id, requester_id, owner_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(crypto.randomUUID(), pitchId, crypto.randomUUID(), ana.id, status, nextTime())
    .run();
}

/** Every row, in every table, that names the pitch. */
async function rowsOf(pitchId: string) {
  const tables = ["pitches", "investments", "offers", "ndas", "watchlist"];
  const column = (table: string) => (table === "pitches" ? "id" : "pitch_id");
  const results = await db.batch(
    tables.map((table) =>
      db.prepare(`SELECT * FROM ${table} WHERE ${column(table)} = ? ORDER BY 1`).bind(pitchId),
    ),
  );
  return Object.fromEntries(tables.map((table, i) => [table, results[i]?.results]));
}

/** A pitch with a 500 commitment, an interest, an accepted and a pending offer and NDAs. */
async function dependedOnPitch(title: string): Promise<Pitch> {
  const pitch = await publishedPitch(title);
  const invest = (body: object) =>
    send("investor", "POST", "/api/investor/investments", {
      as: ivy,
      body: { pitchId: pitch.id, ...body },
    });
  expect((await invest({ kind: "commitment", amount: 500 })).status).toBe(201);
  expect((await invest({ kind: "interest" })).status).toBe(201);
  await offer(pitch.id, "accept");
  await offer(pitch.id);
  await offer(pitch.id, "decline");
  await nda(pitch.id, "signed");
  await nda(pitch.id, "declined");
  return pitch;
}

describe("DELETE /api/creator/pitches/:id on a pitch others depend on", () => {
  it("is a 409 naming the dependants by kind, and changes nothing", async () => {
    const pitch = await dependedOnPitch("Promised Land");
    const before = await rowsOf(pitch.id);

    const refused = await send("creator", "DELETE", `/api/creator/pitches/${pitch.id}`, {
      as: ana,
    });
    expect(refused.status).toBe(409);
    expect(refused.json).toEqual({
      error: {
        code: "conflict",
        message: `Pitch ${pitch.id} cannot be deleted while others depend on it (1 commitment, 1 recorded interest, 1 accepted offer, 1 pending offer and 1 NDA); archive it instead with POST /api/creator/pitches/${pitch.id}/archive.`,
        requestId: "archive-test",
      },
      dependants: { commitments: 1, interests: 1, acceptedOffers: 1, pendingOffers: 1, ndas: 1 },
    });
    expect(await rowsOf(pitch.id)).toEqual(before);
    const still = await send("creator", "GET", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(still.json).toEqual({ pitch });
  });

  it("counts one kind alone, and stays a 404 for another creator", async () => {
    const pitch = await publishedPitch("Only Interest");
    const body = { pitchId: pitch.id, kind: "interest" };
    await send("investor", "POST", "/api/investor/investments", { as: ivy, body });
    const refused = await send("creator", "DELETE", `/api/creator/pitches/${pitch.id}`, {
      as: ana,
    });
    expect(refused.status).toBe(409);
    expect(refused.json.error.message).toContain("(1 recorded interest);");
    expect(refused.json.dependants).toEqual({
      commitments: 0,
      interests: 1,
      acceptedOffers: 0,
      pendingOffers: 0,
      ndas: 0,
    });
    const bob = await insertUser(db, "creator");
    const other = await send("creator", "DELETE", `/api/creator/pitches/${pitch.id}`, { as: bob });
    expect(other.status).toBe(404);
  });

  it("deletes a pitch nobody depends on: watchers, declined offers and declined NDAs are no stake", async () => {
    const pitch = await publishedPitch("Free To Go");
    const body = { pitchId: pitch.id };
    await send("investor", "POST", "/api/investor/watchlist", { as: ivy, body });
    await offer(pitch.id, "decline");
    await nda(pitch.id, "declined");
    const res = await send("creator", "DELETE", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(res.status).toBe(204);
    expect((await rowsOf(pitch.id)).pitches).toEqual([]);
    const watchlist = await send("investor", "GET", "/api/investor/watchlist", { as: ivy });
    expect(watchlist.json.items.map((entry: { pitch: Pitch }) => entry.pitch.id)).not.toContain(
      pitch.id,
    );
  });
});

describe("POST /api/creator/pitches/:id/archive", () => {
  it("unpublishes and hides the pitch from browse; archiving again keeps archivedAt", async () => {
    const pitch = await dependedOnPitch("Zeppelin Summer");
    const found = await send("browse", "GET", "/api/browse/pitches?q=zeppelin");
    expect(found.json.items.map((item: Pitch) => item.id)).toEqual([pitch.id]);

    const res = await send("creator", "POST", `/api/creator/pitches/${pitch.id}/archive`, {
      as: ana,
    });
    expect(res.status).toBe(200);
    const archived = res.json.pitch as Pitch;
    expect(archived).toEqual({
      ...pitch,
      status: "draft",
      archivedAt: expect.stringMatching(/Z$/),
      updatedAt: archived.archivedAt,
    });
    const again = await send("creator", "POST", `/api/creator/pitches/${pitch.id}/archive`, {
      as: ana,
    });
    expect(again.json).toEqual({ pitch: archived });

    expect((await send("browse", "GET", "/api/browse/pitches?q=zeppelin")).json.items).toEqual([]);
    expect((await send("browse", "GET", `/api/browse/pitches/${pitch.id}`)).status).toBe(404);
    const own = await send("creator", "GET", "/api/creator/pitches?limit=50", { as: ana });
    expect(own.json.items).toContainEqual(archived);
  });

  it("keeps the pitch in the investor's lists and totals, the offers and the NDAs", async () => {
    const backer = await insertUser(db, "investor");
    const kept = await publishedPitch("Kept Going");
    const shelved = await publishedPitch("Shelved");
    const invest = (pitchId: string, amount: number) =>
      send("investor", "POST", "/api/investor/investments", {
        as: backer,
        body: { pitchId, kind: "commitment", amount },
      });
    await invest(kept.id, 100);
    await invest(shelved.id, 500);
    await send("investor", "POST", "/api/investor/watchlist", {
      as: backer,
      body: { pitchId: shelved.id },
    });
    const offerId = await offer(shelved.id, "accept");
    await nda(shelved.id, "signed");
    const before = await rowsOf(shelved.id);

    await send("creator", "POST", `/api/creator/pitches/${shelved.id}/archive`, { as: ana });

    const folio = await send("investor", "GET", "/api/investor/portfolio", { as: backer });
    expect(folio.json.totalCommitted).toBe(600);
    expect(folio.json.items).toMatchObject([
      {
        pitchId: shelved.id,
        pitch: { id: shelved.id, archivedAt: expect.any(String) },
        committed: 500,
      },
      { pitchId: kept.id, pitch: { id: kept.id, archivedAt: null }, committed: 100 },
    ]);
    const listed = await send("investor", "GET", "/api/investor/investments", { as: backer });
    expect(listed.json.items.map((item: { pitchId: string }) => item.pitchId)).toEqual([
      shelved.id,
      kept.id,
    ]);
    const watchlist = await send("investor", "GET", "/api/investor/watchlist", { as: backer });
    expect(watchlist.json.items).toEqual([]);
    const offers = await send("production", "GET", "/api/production/offers?limit=50", {
      as: studio,
    });
    expect(offers.json.items).toContainEqual(
      expect.objectContaining({ id: offerId, status: "accepted" }),
    );
    const onPitch = await send("creator", "GET", `/api/creator/pitches/${shelved.id}/offers`, {
      as: ana,
    });
    expect(onPitch.json.items.map((item: { id: string }) => item.id)).toEqual([offerId]);

    // Only the pitch row changed; every row depending on it is as it was.
    const after = await rowsOf(shelved.id);
    expect({ ...after, pitches: [] }).toEqual({ ...before, pitches: [] });
  });

  it("refuses new stakes, republishing and still refuses the delete", async () => {
    const pitch = await dependedOnPitch("Closed Doors");
    await send("creator", "POST", `/api/creator/pitches/${pitch.id}/archive`, { as: ana });
    const body = { pitchId: pitch.id, kind: "commitment", amount: 1 };
    const invest = await send("investor", "POST", "/api/investor/investments", { as: ivy, body });
    expect(invest.status).toBe(404);
    const made = await send("production", "POST", "/api/production/offers", {
      as: studio,
      body: { pitchId: pitch.id, amount: 1, terms: "Late" },
    });
    expect(made.status).toBe(404);
    const publish = await send("creator", "POST", `/api/creator/pitches/${pitch.id}/publish`, {
      as: ana,
    });
    expect(publish.status).toBe(409);
    expect(publish.json.error.message).toBe(
      `Pitch ${pitch.id} is archived; an archived pitch stays unpublished, so create a new pitch instead.`,
    );
    const removed = await send("creator", "DELETE", `/api/creator/pitches/${pitch.id}`, {
      as: ana,
    });
    expect(removed.status).toBe(409);
  });

  it("is a 404 on another creator's pitch and leaves it alone", async () => {
    const pitch = await publishedPitch("Not Yours");
    const bob = await insertUser(db, "creator");
    const res = await send("creator", "POST", `/api/creator/pitches/${pitch.id}/archive`, {
      as: bob,
    });
    expect(res.status).toBe(404);
    const own = await send("creator", "GET", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(own.json).toEqual({ pitch });
  });
});

describe("GET /api/investor/portfolio after a delete the rule did not cover", () => {
  it("still counts a commitment whose pitch is gone, with pitch null", async () => {
    const backer = await insertUser(db, "investor");
    const gone = crypto.randomUUID();
    await db
      .prepare(
        "INSERT INTO investments (id, investor_id, pitch_id, kind, amount, note, created_at) VALUES (?, ?, ?, 'commitment', 500, NULL, ?)",
      )
      .bind(crypto.randomUUID(), backer.id, gone, nextTime())
      .run();
    const folio = await send("investor", "GET", "/api/investor/portfolio", { as: backer });
    expect(folio.json).toEqual({
      items: [{ pitchId: gone, pitch: null, interest: false, committed: 500 }],
      totalCommitted: 500,
    });
  });
});
