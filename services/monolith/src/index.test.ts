// The monolith as one worker: its health answer, the services it composes, and one request id
// per request however many composed apps it passes through.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import { standInMonolith } from "../../../test/support/monolith.ts";
import { call, insertPitch, insertUser, TEST_JWT_SECRET } from "../../../test/support/rows.ts";

const app = await standInMonolith();

let test: TestDatabase;
let db: D1Database;
const env = () => ({ DB: db, JWT_SECRET: TEST_JWT_SECRET });

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
});
afterAll(() => test.dispose());

describe("monolith", () => {
  it("answers its own health check", async () => {
    const answer = await call(app, env(), "GET", "/health");
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ worker: "monolith", ok: true });
  });

  it("serves every migrated service's routes", async () => {
    const creator = await insertUser(db, "creator");
    const investor = await insertUser(db, "investor");
    const studio = await insertUser(db, "production");
    const pitch = await insertPitch(db, creator);
    const watched = await call(app, env(), "POST", "/api/investor/watchlist", {
      as: investor,
      body: { pitchId: pitch },
    });
    expect(watched.status).toBe(201);
    const offered = await call(app, env(), "POST", "/api/production/offers", {
      as: studio,
      body: { pitchId: pitch, amount: 1, terms: "t" },
    });
    expect(offered.status).toBe(201);
    const viewed = await call(app, env(), "POST", "/api/analytics/events", {
      as: investor,
      body: { events: [{ pitchId: pitch, kind: "view" }] },
    });
    expect(viewed.json).toEqual({ accepted: 1, counted: 1 });
  });

  it("carries one request id in the header and the error body", async () => {
    for (const path of ["/api/investor/portfolio", "/api/nda/requests", "/api/nowhere"]) {
      const answer = await call(app, env(), "GET", path);
      const id = answer.headers.get("x-request-id");
      expect(id, path).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.json.error.requestId, path).toBe(id);
    }
    const given = await call(app, env(), "GET", "/api/production/offers", {
      headers: { "x-request-id": "from-router-1" },
    });
    expect(given.status).toBe(401);
    expect(given.headers.get("x-request-id")).toBe("from-router-1");
    expect(given.json.error.requestId).toBe("from-router-1");
  });

  it("answers unknown routes with the JSON 404", async () => {
    const answer = await call(app, env(), "GET", "/api/nowhere");
    expect(answer.status).toBe(404);
    expect(answer.json.error.code).toBe("not_found");
  });
});
