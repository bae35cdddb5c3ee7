// Login (per account and per client) and registration (per client) under low limits, counted by
// workerd's own rate limiting binding (Miniflare) on a real local D1: 429 with Retry-After, and
// nothing stored for a refused request.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_CLIENT_KEY } from "../../../shared/http/rate-limit.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import app from "./index.ts";

const JWT_SECRET = "auth-test-secret-0123456789-abcdefghijkl";
const REQUEST_ID = "rate-limit-test";

let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase({
    login: { limit: 2, period: 10 },
    loginClient: { limit: 4 },
    register: { limit: 2 },
  });
});
afterAll(() => test.dispose());

const post = (path: string, body: unknown, ip?: string) =>
  app.request(
    path,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-request-id": REQUEST_ID,
        ...(ip ? { "cf-connecting-ip": ip } : {}),
      },
      body: JSON.stringify(body),
    },
    { DB: test.db, JWT_SECRET, ...test.rateLimits },
  );

const user = (n: number, email = `user${n}@example.com`) => ({
  email,
  password: "s3cret-pass",
  name: `User ${n}`,
  role: "investor",
});

async function userCount(): Promise<number> {
  const row = await test.db.prepare("SELECT COUNT(*) AS n FROM users").first<{ n: number }>();
  return row?.n ?? 0;
}

const limited = (message: string) => ({
  error: { code: "rate_limited", message, requestId: REQUEST_ID },
});

describe("POST /api/auth/register, per client", () => {
  it("refuses the third registration from one address with 429, creating no user", async () => {
    expect((await post("/api/auth/register", user(1), "203.0.113.1")).status).toBe(201);
    expect((await post("/api/auth/register", user(2), "203.0.113.1")).status).toBe(201);
    const before = await userCount();
    const refused = await post("/api/auth/register", user(3), "203.0.113.1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(refused.headers.get("x-request-id")).toBe(REQUEST_ID);
    expect(await refused.json()).toEqual(
      limited("Too many registrations from this client; try again in 60 seconds."),
    );
    expect(await userCount()).toBe(before);
    const stored = await test.db
      .prepare("SELECT 1 FROM users WHERE email = ?")
      .bind("user3@example.com")
      .first();
    expect(stored).toBeNull();
  });

  it("counts each address apart, and clients without cf-connecting-ip as one", async () => {
    expect((await post("/api/auth/register", user(4), "203.0.113.2")).status).toBe(201);
    expect(LOCAL_CLIENT_KEY).toBe("local-client");
    expect((await post("/api/auth/register", user(5))).status).toBe(201);
    expect((await post("/api/auth/register", user(6))).status).toBe(201);
    expect((await post("/api/auth/register", user(7))).status).toBe(429);
  });
});

describe("POST /api/auth/login", () => {
  it("refuses the third attempt on one account, from any address, with the account's period", async () => {
    const email = "user1@example.com";
    const wrong = { email, password: "wrong-password" };
    expect((await post("/api/auth/login", wrong, "198.51.100.1")).status).toBe(401);
    expect((await post("/api/auth/login", wrong, "198.51.100.2")).status).toBe(401);
    // Even the right password is refused now: the limit is checked before the password.
    const refused = await post(
      "/api/auth/login",
      { email, password: "s3cret-pass" },
      "198.51.100.3",
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(await refused.json()).toEqual(
      limited("Too many sign-in attempts for this account; try again in 10 seconds."),
    );
    // Another account is not affected.
    const other = { email: "user2@example.com", password: "s3cret-pass" };
    expect((await post("/api/auth/login", other, "198.51.100.3")).status).toBe(200);
  });

  it("refuses a fifth attempt from one address, whichever accounts it tries", async () => {
    const ip = "198.51.100.9";
    for (const n of [10, 11, 12, 13]) {
      const res = await post(
        "/api/auth/login",
        { email: `nobody${n}@example.com`, password: "x" },
        ip,
      );
      expect(res.status).toBe(401);
    }
    const refused = await post(
      "/api/auth/login",
      { email: "nobody14@example.com", password: "x" },
      ip,
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("60");
    expect(await refused.json()).toEqual(
      limited("Too many sign-in attempts from this client; try again in 60 seconds."),
    );
  });
});
