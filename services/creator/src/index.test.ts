import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { type Role, USER_ID_HEADER, USER_ROLE_HEADER } from "../../../shared/identity.ts";
import type { Pitch } from "../../../shared/pitches.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import app from "./index.ts";

const JWT_SECRET = "creator-test-secret-0123456789-abcdefghi";
const REQUEST_ID = "creator-test-request";

let testDb: TestDatabase;
let db: D1Database;
let ana: string;
let bob: string;
let ivy: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  ana = await insertUser("creator");
  bob = await insertUser("creator");
  ivy = await insertUser("investor");
});

afterAll(() => testDb.dispose());

async function insertUser(role: Role): Promise<string> {
  const id = crypto.randomUUID();
  await db
    .prepare(
      "INSERT INTO users (id, email, name, role, password_hash, password_salt, password_iterations, created_at) VALUES (?, ?, 'Test', ?, 'x', 'x', 1, '2025-01-01T00:00:00.000Z')",
    )
    .bind(id, `${id}@example.com`, role)
    .run();
  return id;
}

function call(
  method: string,
  path: string,
  options: { as?: string; role?: Role; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "x-request-id": REQUEST_ID, ...options.headers };
  if (options.as) {
    headers[USER_ID_HEADER] = options.as;
    headers[USER_ROLE_HEADER] = options.role ?? "creator";
  }
  if (options.body !== undefined) headers["content-type"] ??= "application/json";
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  return app.request(path, { method, headers, body }, { DB: db, JWT_SECRET });
}

function error(code: string, message: string) {
  return { error: { code, message, requestId: REQUEST_ID } };
}

const NOT_FOUND = error("not_found", "No pitch of yours has this id.");

const draft = {
  title: "The Long Night",
  logline: "A lighthouse keeper finds a door in the sea.",
  genre: "thriller",
  budgetMin: 100_000,
  budgetMax: 2_000_000,
};

async function createPitch(owner: string, fields: Partial<typeof draft> = {}): Promise<Pitch> {
  const res = await call("POST", "/api/creator/pitches", {
    as: owner,
    body: { ...draft, ...fields },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { pitch: Pitch }).pitch;
}

describe("who may call", () => {
  const someId = crypto.randomUUID();
  const endpoints: [string, string][] = [
    ["GET", "/api/creator/pitches"],
    ["POST", "/api/creator/pitches"],
    ["GET", `/api/creator/pitches/${someId}`],
    ["PATCH", `/api/creator/pitches/${someId}`],
    ["DELETE", `/api/creator/pitches/${someId}`],
    ["POST", `/api/creator/pitches/${someId}/publish`],
    ["POST", `/api/creator/pitches/${someId}/archive`],
    ["GET", `/api/creator/pitches/${someId}/offers`],
  ];

  it.each(endpoints)("%s %s is 401 without identity", async (method, path) => {
    const body = method === "GET" ? undefined : draft;
    const res = await call(method, path, { body });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(
      error("unauthenticated", "Sign in first: this endpoint needs a token."),
    );
  });

  it.each(endpoints)("%s %s is 403 for an investor", async (method, path) => {
    const body = method === "GET" ? undefined : draft;
    const res = await call(method, path, { as: ivy, role: "investor", body });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(
      error("forbidden", "This endpoint is for creator accounts; you are signed in as investor."),
    );
  });
});

describe("POST /api/creator/pitches", () => {
  it("creates a draft owned by the caller", async () => {
    const res = await call("POST", "/api/creator/pitches", {
      as: ana,
      body: { ...draft, title: "  The Long Night  " },
    });
    expect(res.status).toBe(201);
    const { pitch } = (await res.json()) as { pitch: Pitch };
    expect(pitch).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      creatorId: ana,
      ...draft,
      status: "draft",
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: pitch.createdAt,
      publishedAt: null,
      archivedAt: null,
    });
  });

  it("is a 404 when the caller's account no longer exists", async () => {
    const res = await call("POST", "/api/creator/pitches", {
      as: crypto.randomUUID(),
      body: draft,
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(error("not_found", "Your account no longer exists."));
  });

  it.each([
    [{ ...draft, title: "" }, "body.title must be at least 1 character"],
    [{ ...draft, title: "t".repeat(121) }, "body.title must be at most 120 characters"],
    [{ ...draft, logline: "l".repeat(501) }, "body.logline must be at most 500 characters"],
    [{ ...draft, genre: "western" }, "body.genre must be one of"],
    [{ ...draft, budgetMin: -1 }, "body.budgetMin must be at least 0"],
    [{ ...draft, budgetMax: 1_000_000_001 }, "body.budgetMax must be at most 1000000000"],
    [{ ...draft, budgetMin: 1.5 }, "body.budgetMin must be an integer"],
    [{ ...draft, budgetMin: 10, budgetMax: 9 }, "body.budgetMax must be at least body.budgetMin"],
    [{ ...draft, status: "published" }, "body.status is not a known field"],
    [{ title: "Only a title" }, "body.logline is required"],
  ])("refuses %j with 400 naming the field", async (body, message) => {
    const res = await call("POST", "/api/creator/pitches", { as: ana, body });
    expect(res.status).toBe(400);
    const answer = (await res.json()) as ReturnType<typeof error>;
    expect(answer.error.code).toBe("invalid_request");
    expect(answer.error.message).toContain(message);
    expect(answer.error.requestId).toBe(REQUEST_ID);
  });

  it("refuses a body that is not JSON or too large", async () => {
    const text = await call("POST", "/api/creator/pitches", {
      as: ana,
      body: JSON.stringify(draft),
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);
    const huge = await call("POST", "/api/creator/pitches", {
      as: ana,
      body: { ...draft, logline: "x".repeat(65_537) },
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual(
      error("payload_too_large", "The body is over the 64 KB limit."),
    );
  });
});

describe("GET /api/creator/pitches/:id", () => {
  it("answers the caller's own pitch and hides everyone else's", async () => {
    const pitch = await createPitch(ana);
    const own = await call("GET", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ pitch });

    const other = await call("GET", `/api/creator/pitches/${pitch.id}`, { as: bob });
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual(NOT_FOUND);

    const unknown = await call("GET", `/api/creator/pitches/${crypto.randomUUID()}`, { as: ana });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual(NOT_FOUND);
  });
});

describe("PATCH /api/creator/pitches/:id", () => {
  it("changes only the fields given", async () => {
    const pitch = await createPitch(ana);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await call("PATCH", `/api/creator/pitches/${pitch.id}`, {
      as: ana,
      body: { logline: "A new logline.", budgetMax: 3_000_000 },
    });
    expect(res.status).toBe(200);
    const { pitch: edited } = (await res.json()) as { pitch: Pitch };
    expect(edited).toEqual({
      ...pitch,
      logline: "A new logline.",
      budgetMax: 3_000_000,
      updatedAt: expect.any(String),
    });
    expect(edited.updatedAt > pitch.updatedAt).toBe(true);
  });

  it("keeps the budget range in order against the stored values", async () => {
    const pitch = await createPitch(ana, { budgetMin: 100, budgetMax: 200 });
    const tooHigh = await call("PATCH", `/api/creator/pitches/${pitch.id}`, {
      as: ana,
      body: { budgetMin: 201 },
    });
    expect(tooHigh.status).toBe(400);
    expect(await tooHigh.json()).toEqual(
      error("invalid_request", "body.budgetMin must be at most the pitch's budgetMax (200)"),
    );
    const tooLow = await call("PATCH", `/api/creator/pitches/${pitch.id}`, {
      as: ana,
      body: { budgetMax: 99 },
    });
    expect(tooLow.status).toBe(400);
    expect(await tooLow.json()).toEqual(
      error("invalid_request", "body.budgetMax must be at least the pitch's budgetMin (100)"),
    );
    const both = await call("PATCH", `/api/creator/pitches/${pitch.id}`, {
      as: ana,
      body: { budgetMin: 300, budgetMax: 400 },
    });
    expect(both.status).toBe(200);
  });

  it.each([
    [{}, "body must set at least one of title, logline, genre, budgetMin, budgetMax"],
    [{ title: "" }, "body.title must be at least 1 character"],
    [{ creatorId: "someone" }, "body.creatorId is not a known field"],
    [{ genre: null }, "body.genre must be one of"],
  ])("refuses %j with 400", async (body, message) => {
    const pitch = await createPitch(ana);
    const res = await call("PATCH", `/api/creator/pitches/${pitch.id}`, { as: ana, body });
    expect(res.status).toBe(400);
    const answer = (await res.json()) as ReturnType<typeof error>;
    expect(answer.error.code).toBe("invalid_request");
    expect(answer.error.message).toContain(message);
  });

  it("is a 404 on another creator's pitch and leaves it alone", async () => {
    const pitch = await createPitch(ana);
    const res = await call("PATCH", `/api/creator/pitches/${pitch.id}`, {
      as: bob,
      body: { title: "Mine now" },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
    const still = await call("GET", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(await still.json()).toEqual({ pitch });
  });
});

describe("POST /api/creator/pitches/:id/publish", () => {
  it("publishes once and keeps the first publishedAt", async () => {
    const pitch = await createPitch(ana);
    const first = await call("POST", `/api/creator/pitches/${pitch.id}/publish`, { as: ana });
    expect(first.status).toBe(200);
    const { pitch: published } = (await first.json()) as { pitch: Pitch };
    expect(published).toEqual({
      ...pitch,
      status: "published",
      publishedAt: expect.stringMatching(/Z$/),
      updatedAt: published.publishedAt,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await call("POST", `/api/creator/pitches/${pitch.id}/publish`, { as: ana });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ pitch: published });
  });

  it("is a 404 on another creator's pitch", async () => {
    const pitch = await createPitch(ana);
    const res = await call("POST", `/api/creator/pitches/${pitch.id}/publish`, { as: bob });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
  });
});

describe("DELETE /api/creator/pitches/:id", () => {
  it("deletes the caller's pitch, once", async () => {
    const pitch = await createPitch(ana);
    const res = await call("DELETE", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    const gone = await call("GET", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(gone.status).toBe(404);
    const again = await call("DELETE", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(again.status).toBe(404);
  });

  it("is a 404 on another creator's pitch and leaves it alone", async () => {
    const pitch = await createPitch(ana);
    const res = await call("DELETE", `/api/creator/pitches/${pitch.id}`, { as: bob });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(NOT_FOUND);
    const still = await call("GET", `/api/creator/pitches/${pitch.id}`, { as: ana });
    expect(still.status).toBe(200);
  });
});
