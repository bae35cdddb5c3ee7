// The shared body rules on the creator's routes, with the real local D1: a body over the limit is
// refused even where the route never reads one, and refused bodies store nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { USER_ID_HEADER, USER_ROLE_HEADER } from "../../../shared/identity.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import app from "./index.ts";

const REQUEST_ID = "creator-bodies-request";
const TEN_MB = 10 * 1024 * 1024;

let testDb: TestDatabase;
let db: D1Database;
let ana: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
  ana = crypto.randomUUID();
  await db
    .prepare(
      "INSERT INTO users (id, email, name, role, password_hash, password_salt, password_iterations, created_at) VALUES (?, ?, 'Ana', 'creator', 'x', 'x', 1, '2025-01-01T00:00:00.000Z')",
    )
    .bind(ana, `${ana}@example.com`)
    .run();
});

afterAll(() => testDb.dispose());

function call(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) {
  return app.request(
    path,
    {
      method,
      headers: {
        "x-request-id": REQUEST_ID,
        [USER_ID_HEADER]: ana,
        [USER_ROLE_HEADER]: "creator",
        "content-type": "application/json",
        ...headers,
      },
      body,
      duplex: "half",
    } as RequestInit,
    { DB: db },
  );
}

/** Ten megabytes in 64 KB chunks, with no content-length of its own. */
function tenMegabytes(): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= TEN_MB) return controller.close();
      sent += 64 * 1024;
      controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
    },
  });
}

const TOO_LARGE = {
  error: {
    code: "payload_too_large",
    message: "The body is over the 64 KB limit.",
    requestId: REQUEST_ID,
  },
};

async function draftId(): Promise<string> {
  const res = await call(
    "POST",
    "/api/creator/pitches",
    JSON.stringify({
      title: "Tide",
      logline: "A door in the sea.",
      genre: "thriller",
      budgetMin: 100_000,
      budgetMax: 2_000_000,
    }),
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { pitch: { id: string } }).pitch.id;
}

async function statusOf(id: string): Promise<string | undefined> {
  const row = await db
    .prepare("SELECT status FROM pitches WHERE id = ?")
    .bind(id)
    .first<{ status: string }>();
  return row?.status;
}

async function pitchCount(): Promise<number> {
  const row = await db
    .prepare("SELECT COUNT(*) AS n FROM pitches WHERE creator_id = ?")
    .bind(ana)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("POST /api/creator/pitches/:id/publish, which never reads its body", () => {
  it("refuses 10 MB declared by content-length with 413 and publishes nothing", async () => {
    const id = await draftId();
    const res = await call("POST", `/api/creator/pitches/${id}/publish`, tenMegabytes(), {
      "content-length": String(TEN_MB),
    });
    expect([res.status, await res.json()]).toEqual([413, TOO_LARGE]);
    expect(await statusOf(id)).toBe("draft");
  });

  it("refuses 10 MB streamed without content-length with 413 and publishes nothing", async () => {
    const id = await draftId();
    const res = await call("POST", `/api/creator/pitches/${id}/publish`, tenMegabytes());
    expect([res.status, await res.json()]).toEqual([413, TOO_LARGE]);
    expect(await statusOf(id)).toBe("draft");
  });

  it("still publishes without a body", async () => {
    const id = await draftId();
    expect((await call("POST", `/api/creator/pitches/${id}/publish`)).status).toBe(200);
    expect(await statusOf(id)).toBe("published");
  });
});

describe("POST /api/creator/pitches with a body it must refuse", () => {
  it("refuses application/json-patch+json with 415 and stores nothing", async () => {
    const before = await pitchCount();
    const res = await call(
      "POST",
      "/api/creator/pitches",
      JSON.stringify({ title: "Patch", logline: "Not JSON we read.", genre: "drama" }),
      { "content-type": "application/json-patch+json" },
    );
    expect(res.status).toBe(415);
    expect(((await res.json()) as typeof TOO_LARGE).error.code).toBe("unsupported_media_type");
    expect(await pitchCount()).toBe(before);
  });

  it("refuses a lone surrogate escape with 400 naming the field and stores nothing", async () => {
    const before = await pitchCount();
    const res = await call(
      "POST",
      "/api/creator/pitches",
      '{"title":"Broken \\ud800 title","logline":"A door in the sea.","genre":"thriller","budgetMin":1,"budgetMax":2}',
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: "invalid_encoding",
        message:
          "body.title holds a lone surrogate escape (\\ud800-\\udfff), which is not Unicode text; escape a character outside the BMP as a pair, or send it unescaped.",
        requestId: REQUEST_ID,
      },
    });
    expect(await pitchCount()).toBe(before);
    const stored = await db
      .prepare("SELECT COUNT(*) AS n FROM pitches WHERE title LIKE '%' || char(65533) || '%'")
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });
});
