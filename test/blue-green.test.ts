// Blue (the monolith) and green (the services) on one D1 database: whatever one side writes
// the other reads, and both answer every read with the same bytes. This is what lets the router
// move a user between sides, or fall back to the monolith, without anyone noticing.

import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MONOLITH } from "../infra/topology.ts";
import type { D1Database } from "../shared/d1.ts";
import type { ServiceEnv } from "../shared/http/app.ts";
import type { Role } from "../shared/identity.ts";
import { createTestDatabase, type TestDatabase } from "./support/d1.ts";
import { standInMonolith } from "./support/monolith.ts";
import {
  type CallOptions,
  type CallResult,
  call,
  TEST_JWT_SECRET,
  type TestUser,
} from "./support/rows.ts";

type App = Hono<ServiceEnv>;
type Side = "blue" | "green";

const monolith = await standInMonolith();
const GREEN: Record<string, App> = {};
for (const name of MONOLITH.composes) {
  GREEN[name] = ((await import(`../services/${name}/src/index.ts`)) as { default: App }).default;
}

let test: TestDatabase;
let db: D1Database;
let sequence = 0;

/** The app that serves `path` on one side: the monolith, or the service owning the prefix. */
function appFor(side: Side, path: string): App {
  if (side === "blue") return monolith;
  const service = /^\/api\/([a-z]+)/.exec(path)?.[1] ?? "";
  const app = GREEN[service];
  if (!app) throw new Error(`no green service serves ${path}`);
  return app;
}

function send(side: Side, method: string, path: string, options: CallOptions = {}) {
  return call(appFor(side, path), { DB: db, JWT_SECRET: TEST_JWT_SECRET }, method, path, options);
}

/** Reads `path` on both sides with one request id and expects the same status and bytes. */
async function readBoth(path: string, as?: TestUser): Promise<CallResult> {
  sequence += 1;
  const headers = { "x-request-id": `blue-green-${sequence}` };
  const options = { headers, ...(as ? { as } : {}) };
  const blue = await send("blue", "GET", path, options);
  const green = await send("green", "GET", path, options);
  expect(green.status, `GET ${path}`).toBe(blue.status);
  expect(green.text, `GET ${path}`).toBe(blue.text);
  return blue;
}

const PASSWORD = "correct horse battery";

async function register(side: Side, role: Role): Promise<TestUser & { email: string }> {
  const email = `${role}-${crypto.randomUUID()}@example.com`;
  const answer = await send(side, "POST", "/api/auth/register", {
    body: { email, password: PASSWORD, name: `A ${role}`, role },
  });
  expect(answer.status).toBe(201);
  return { id: answer.json.user.id, role, email };
}

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
});
afterAll(() => test.dispose());

describe("blue and green on one database", () => {
  let author: TestUser & { email: string };
  let backer: TestUser & { email: string };
  let studio: TestUser;
  let pitch: string;

  it("auth: registered on one side, logged in and known on the other", async () => {
    author = await register("green", "creator");
    backer = await register("blue", "investor");
    studio = await register("green", "production");
    for (const [side, user] of [
      ["blue", author],
      ["green", backer],
    ] as const) {
      const login = await send(side, "POST", "/api/auth/login", {
        body: { email: user.email, password: PASSWORD },
      });
      expect(login.status).toBe(200);
      expect(login.json.user.id).toBe(user.id);
    }
    const wrong = { email: author.email, password: "wrong password" };
    for (const side of ["blue", "green"] as const) {
      const refused = await send(side, "POST", "/api/auth/login", { body: wrong });
      expect(refused.status).toBe(401);
    }
    await readBoth("/api/auth/me", author);
    const me = await readBoth("/api/auth/me", backer);
    expect(me.json.user).toMatchObject({ id: backer.id, role: "investor" });
  });

  it("creator and browse: a pitch written green and published blue reads the same", async () => {
    const created = await send("green", "POST", "/api/creator/pitches", {
      as: author,
      body: {
        title: "Salt Roads",
        logline: "Smugglers.",
        genre: "drama",
        budgetMin: 10,
        budgetMax: 20,
      },
    });
    expect(created.status).toBe(201);
    pitch = created.json.pitch.id;
    const published = await send("blue", "POST", `/api/creator/pitches/${pitch}/publish`, {
      as: author,
    });
    expect(published.json.pitch.status).toBe("published");
    await readBoth(`/api/creator/pitches/${pitch}`, author);
    await readBoth("/api/creator/pitches", author);
    const found = await readBoth(`/api/browse/pitches/${pitch}`);
    expect(found.json.pitch.title).toBe("Salt Roads");
    await readBoth("/api/browse/pitches?q=smugglers");
  });

  it("investor: watchlist and investments written on either side, read alike", async () => {
    expect(
      (
        await send("green", "POST", "/api/investor/watchlist", {
          as: backer,
          body: { pitchId: pitch },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await send("blue", "POST", "/api/investor/watchlist", {
          as: backer,
          body: { pitchId: pitch },
        })
      ).status,
    ).toBe(200);
    await send("blue", "POST", "/api/investor/investments", {
      as: backer,
      body: { pitchId: pitch, kind: "commitment", amount: 1200 },
    });
    await send("green", "POST", "/api/investor/investments", {
      as: backer,
      body: { pitchId: pitch, kind: "interest", note: "Call me" },
    });
    const watchlist = await readBoth("/api/investor/watchlist", backer);
    expect(watchlist.json.items[0].pitch.id).toBe(pitch);
    expect((await readBoth("/api/investor/investments", backer)).json.items).toHaveLength(2);
    const folio = await readBoth("/api/investor/portfolio", backer);
    expect(folio.json).toMatchObject({
      totalCommitted: 1200,
      items: [{ interest: true, committed: 1200 }],
    });

    expect(
      (await send("blue", "DELETE", `/api/investor/watchlist/${pitch}`, { as: backer })).status,
    ).toBe(204);
    expect((await readBoth("/api/investor/watchlist", backer)).json.items).toEqual([]);
  });

  it("production: offers made and decided on either side, read alike", async () => {
    const first = await send("blue", "POST", "/api/production/offers", {
      as: studio,
      body: { pitchId: pitch, amount: 50_000, terms: "Option" },
    });
    const second = await send("green", "POST", "/api/production/offers", {
      as: studio,
      body: { pitchId: pitch, amount: 75_000, terms: "Buyout" },
    });
    await readBoth("/api/production/offers", studio);
    await readBoth(`/api/creator/pitches/${pitch}/offers`, author);
    const accepted = await send(
      "green",
      "POST",
      `/api/production/offers/${first.json.offer.id}/accept`,
      { as: author },
    );
    expect(accepted.status).toBe(200);
    const again = await send(
      "blue",
      "POST",
      `/api/production/offers/${first.json.offer.id}/decline`,
      { as: author },
    );
    expect(again.status).toBe(409);
    await send("blue", "POST", `/api/production/offers/${second.json.offer.id}/decline`, {
      as: author,
    });
    const offers = await readBoth("/api/production/offers", studio);
    expect(offers.json.items.map((o: { status: string }) => o.status)).toEqual([
      "declined",
      "accepted",
    ]);
  });

  it("analytics: a viewer's views count once a day, whichever side recorded them", async () => {
    const view = { events: [{ pitchId: pitch, kind: "view" }] };
    expect(
      (await send("green", "POST", "/api/analytics/events", { as: backer, body: view })).json,
    ).toEqual({ accepted: 1, counted: 1 });
    expect(
      (await send("blue", "POST", "/api/analytics/events", { as: studio, body: view })).json,
    ).toEqual({ accepted: 1, counted: 1 });
    expect(
      (await send("blue", "POST", "/api/analytics/events", { as: backer, body: view })).json,
    ).toEqual({ accepted: 1, counted: 0 });
    const stats = await readBoth(`/api/analytics/pitches/${pitch}/stats?days=7`, author);
    expect(stats.json).toMatchObject({ totalViews: 2, uniqueViewers: 2 });
    expect(stats.json.days.at(-1)).toMatchObject({ views: 2, uniqueViewers: 2 });
  });

  it("refusals read alike too: same status, code, message and request id", async () => {
    await readBoth("/api/investor/portfolio", author);
    await readBoth("/api/production/offers");
    await readBoth(`/api/analytics/pitches/${pitch}/stats`, await register("blue", "creator"));
    await readBoth("/api/investor/watchlist?limit=500", backer);
    await readBoth("/api/production/offers?cursor=nonsense", studio);
  });
});

describe("monolith-only paths on the shared data", () => {
  it("NDA requests and messages use users and pitches the services wrote", async () => {
    const owner = await register("green", "creator");
    const asker = await register("green", "investor");
    const created = await send("green", "POST", "/api/creator/pitches", {
      as: owner,
      body: { title: "Quiet", logline: "Shh.", genre: "horror", budgetMin: 1, budgetMax: 2 },
    });
    const pitch = created.json.pitch.id;
    const early = await send("blue", "POST", "/api/nda/requests", {
      as: asker,
      body: { pitchId: pitch },
    });
    expect(early.status).toBe(404);
    await send("green", "POST", `/api/creator/pitches/${pitch}/publish`, { as: owner });

    const nda = await send("blue", "POST", "/api/nda/requests", {
      as: asker,
      body: { pitchId: pitch },
    });
    expect(nda.status).toBe(201);
    expect(nda.json.nda.ownerId).toBe(owner.id);
    const signed = await send("blue", "POST", `/api/nda/requests/${nda.json.nda.id}/sign`, {
      as: owner,
    });
    expect(signed.json.nda.status).toBe("signed");
    const listed = await send("blue", "GET", "/api/nda/requests", { as: owner });
    expect(listed.json.items).toEqual([signed.json.nda]);

    const message = await send("blue", "POST", "/api/messages", {
      as: asker,
      body: { recipientId: owner.id, body: "Signed, thanks.", pitchId: pitch },
    });
    expect(message.status).toBe(201);
    const inbox = await send("blue", "GET", `/api/messages?with=${asker.id}`, { as: owner });
    expect(inbox.json.items.map((m: { body: string }) => m.body)).toEqual(["Signed, thanks."]);
    const read = await send("blue", "POST", `/api/messages/${message.json.message.id}/read`, {
      as: owner,
    });
    expect(read.json.message.readAt).toEqual(expect.any(String));
  });
});
