import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { USER_ID_HEADER, USER_ROLE_HEADER } from "../../../shared/identity.ts";
import { TOKEN_TTL_SECONDS, verifyToken } from "../../../shared/jwt.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import app from "./index.ts";

const JWT_SECRET = "auth-test-secret-0123456789-abcdefghijkl";
const REQUEST_ID = "auth-test-request";

let testDb: TestDatabase;
let db: D1Database;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = testDb.db;
});

afterAll(() => testDb.dispose());

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return app.request(
    path,
    {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": REQUEST_ID, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    },
    { DB: db, JWT_SECRET },
  );
}

function me(headers: Record<string, string>) {
  return app.request(
    "/api/auth/me",
    { headers: { "x-request-id": REQUEST_ID, ...headers } },
    { DB: db, JWT_SECRET },
  );
}

function error(code: string, message: string) {
  return { error: { code, message, requestId: REQUEST_ID } };
}

const ana = { email: "ana@example.com", password: "s3cret-pass", name: "Ana", role: "creator" };

describe("POST /api/auth/register", () => {
  it("creates the user and answers a token for it", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await post("/api/auth/register", {
      ...ana,
      email: "  Ana@Example.COM ",
      name: "  Ana  ",
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-request-id")).toBe(REQUEST_ID);
    const body = (await res.json()) as { token: string; expiresAt: string; user: { id: string } };
    expect(body.user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: "ana@example.com",
      name: "Ana",
      role: "creator",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const verified = await verifyToken(body.token, JWT_SECRET);
    expect(verified).toMatchObject({ ok: true, claims: { sub: body.user.id, role: "creator" } });
    const expires = Date.parse(body.expiresAt) / 1000;
    expect(expires - before).toBeGreaterThanOrEqual(TOKEN_TTL_SECONDS);
    expect(expires - before).toBeLessThanOrEqual(TOKEN_TTL_SECONDS + 5);
    expect(await verifyToken(body.token, `${JWT_SECRET}x`)).toEqual({
      ok: false,
      problem: "signature",
    });
  });

  it("stores a salted PBKDF2 hash with its iteration count, never the password", async () => {
    const row = await db
      .prepare(
        "SELECT password_hash, password_salt, password_iterations FROM users WHERE email = ?",
      )
      .bind("ana@example.com")
      .first<{ password_hash: string; password_salt: string; password_iterations: number }>();
    expect(row).not.toBeNull();
    expect(row!.password_iterations).toBe(100_000);
    expect(row!.password_hash).not.toBe(ana.password);
    expect(row!.password_hash).not.toContain(ana.password);
    expect(atob(row!.password_hash)).toHaveLength(32);
    expect(atob(row!.password_salt)).toHaveLength(16);
  });

  it("refuses an email that is taken, whatever its case", async () => {
    const res = await post("/api/auth/register", { ...ana, email: "ANA@example.com" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual(
      error("conflict", "An account with this email exists already; log in instead."),
    );
  });

  it.each([
    [{ ...ana, email: "not-an-email" }, "body.email must be a valid email"],
    [{ ...ana, password: "short" }, "body.password must be at least 8 characters"],
    [{ ...ana, password: "x".repeat(129) }, "body.password must be at most 128 characters"],
    [{ ...ana, name: "   " }, "body.name must be at least 1 character"],
    [{ ...ana, name: "n".repeat(101) }, "body.name must be at most 100 characters"],
    [{ ...ana, role: "admin" }, 'body.role must be one of "creator", "investor", "production"'],
    [{ ...ana, isAdmin: true }, "body.isAdmin is not a known field"],
    [
      { email: "new@example.com" },
      "body.password is required; body.name is required; body.role is required",
    ],
    [{ ...ana, email: 42 }, "body.email must be a string"],
  ])("refuses %j with 400", async (body, message) => {
    const res = await post("/api/auth/register", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(error("invalid_request", message));
  });

  it("refuses a body that is not JSON, not declared JSON, or too large", async () => {
    const broken = await post("/api/auth/register", "{ not json");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual(error("invalid_json", "The body is not valid JSON."));

    const form = await post("/api/auth/register", JSON.stringify(ana), {
      "content-type": "text/plain",
    });
    expect(form.status).toBe(415);
    expect(await form.json()).toEqual(
      error("unsupported_media_type", "Send the body as JSON (content-type: application/json)."),
    );

    const huge = await post("/api/auth/register", { ...ana, name: "n".repeat(70_000) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual(
      error("payload_too_large", "The body is over the 64 KB limit."),
    );
  });
});

describe("POST /api/auth/login", () => {
  it("answers a verifiable token for the right password, email in any case", async () => {
    const res = await post("/api/auth/login", {
      email: " ANA@example.com",
      password: ana.password,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; user: { id: string; email: string } };
    expect(body.user.email).toBe("ana@example.com");
    const verified = await verifyToken(body.token, JWT_SECRET);
    expect(verified).toMatchObject({ ok: true, claims: { sub: body.user.id, role: "creator" } });
  });

  it("gives a wrong password and an unknown email the same 401", async () => {
    const expected = error("invalid_credentials", "The email or the password is wrong.");
    const wrong = await post("/api/auth/login", { email: ana.email, password: "not-the-one" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(expected);
    const unknown = await post("/api/auth/login", {
      email: "nobody@example.com",
      password: ana.password,
    });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual(expected);
  });

  it("runs one PBKDF2 for an unknown email too, so timing does not tell which emails exist", async () => {
    const deriveBits = vi.spyOn(crypto.subtle, "deriveBits");
    try {
      await post("/api/auth/login", { email: "nobody@example.com", password: ana.password });
      expect(deriveBits).toHaveBeenCalledTimes(1);
      expect(deriveBits.mock.calls[0]![0]).toMatchObject({ name: "PBKDF2", iterations: 100_000 });
    } finally {
      deriveBits.mockRestore();
    }
  });

  it.each([
    [{ email: ana.email }, "body.password is required"],
    [{ email: "", password: "x" }, "body.email must be at least 1 character"],
    [{ ...ana }, "body.name is not a known field; body.role is not a known field"],
  ])("refuses %j with 400", async (body, message) => {
    const res = await post("/api/auth/login", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(error("invalid_request", message));
  });
});

describe("GET /api/auth/me", () => {
  it("answers the signed-in user", async () => {
    const login = await post("/api/auth/login", { email: ana.email, password: ana.password });
    const { user } = (await login.json()) as { user: { id: string } };
    const res = await me({ [USER_ID_HEADER]: user.id, [USER_ROLE_HEADER]: "creator" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ user });
  });

  it("needs a signed-in caller", async () => {
    const res = await me({});
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(
      error("unauthenticated", "Sign in first: this endpoint needs a token."),
    );
  });

  it("is a 404 when the account was deleted", async () => {
    const res = await me({ [USER_ID_HEADER]: crypto.randomUUID(), [USER_ROLE_HEADER]: "investor" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(error("not_found", "Your account no longer exists."));
  });
});
