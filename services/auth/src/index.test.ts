import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { D1Database } from "../../../shared/d1.ts";
import { USER_ID_HEADER, USER_ROLE_HEADER } from "../../../shared/identity.ts";
import { MAX_TOKEN_LIFETIME_SECONDS, TOKEN_TTL_SECONDS, verifyToken } from "../../../shared/jwt.ts";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import app from "./index.ts";
import { hashRefreshToken, REFRESH_TOKEN_TTL_SECONDS } from "./refresh-tokens.ts";

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

interface Session {
  token: string;
  expiresAt: string;
  refreshToken: string;
  refreshExpiresAt: string;
  user: { id: string; email: string };
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
    const body = (await res.json()) as Session;
    expect(Object.keys(body).sort()).toEqual([
      "expiresAt",
      "refreshExpiresAt",
      "refreshToken",
      "token",
      "user",
    ]);
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
    const refreshExpires = Date.parse(body.refreshExpiresAt) / 1000;
    expect(refreshExpires - before).toBeGreaterThanOrEqual(REFRESH_TOKEN_TTL_SECONDS - 1);
    expect(refreshExpires - before).toBeLessThanOrEqual(REFRESH_TOKEN_TTL_SECONDS + 5);
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

describe("access tokens", () => {
  it("live 15 minutes", async () => {
    expect(TOKEN_TTL_SECONDS).toBe(15 * 60);
    expect(TOKEN_TTL_SECONDS).toBeLessThanOrEqual(MAX_TOKEN_LIFETIME_SECONDS);
    const res = await post("/api/auth/login", { email: ana.email, password: ana.password });
    const { token } = (await res.json()) as Session;
    const verified = await verifyToken(token, JWT_SECRET);
    if (!verified.ok) throw new Error(`token refused: ${verified.problem}`);
    expect(verified.claims.exp - verified.claims.iat).toBe(15 * 60);
  });
});

/** A new user signed in once; each test gets its own, so sessions ended elsewhere do not leak in. */
async function signUp(password = "first-pass-1"): Promise<Session & { password: string }> {
  const email = `${crypto.randomUUID()}@example.com`;
  const res = await post("/api/auth/register", { email, password, name: "S", role: "investor" });
  expect(res.status).toBe(201);
  return { ...((await res.json()) as Session), password };
}

function signedIn(session: Session) {
  return { [USER_ID_HEADER]: session.user.id, [USER_ROLE_HEADER]: "investor" };
}

async function refresh(refreshToken: string) {
  const res = await post("/api/auth/refresh", { refreshToken });
  return { status: res.status, body: (await res.json()) as Session & { error?: unknown } };
}

const refused = error(
  "invalid_refresh_token",
  "The refresh token is unknown, expired or logged out; sign in again.",
);
const reusedError = error(
  "invalid_refresh_token",
  "This refresh token was used already, so its session has been ended; sign in again.",
);

describe("POST /api/auth/refresh", () => {
  it("answers a new access token and a new refresh token, and spends the old one", async () => {
    const session = await signUp();
    const first = await refresh(session.refreshToken);
    expect(first.status).toBe(200);
    expect(first.body.user).toEqual(session.user);
    expect(first.body.refreshToken).not.toBe(session.refreshToken);
    expect(first.body.refreshToken).toMatch(/^[\w-]{43}$/);
    expect(await verifyToken(first.body.token, JWT_SECRET)).toMatchObject({
      ok: true,
      claims: { sub: session.user.id, role: "investor" },
    });
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.body.refreshToken);
  });

  it("treats a spent token used again as theft: 401, and the whole session ends", async () => {
    const session = await signUp();
    const stolen = session.refreshToken;
    const legitimate = await refresh(stolen);
    expect(legitimate.status).toBe(200);

    const replay = await refresh(stolen);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual(reusedError);
    // The token the rightful holder got is dead too: the session is over.
    const next = await refresh(legitimate.body.refreshToken);
    expect(next.status).toBe(401);
    expect(next.body).toEqual(refused);
  });

  it("lets only one of two racing refreshes with the same token win", async () => {
    const session = await signUp();
    const answers = await Promise.all([
      refresh(session.refreshToken),
      refresh(session.refreshToken),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401]);
    const winner = answers.find((a) => a.status === 200)!;
    expect((await refresh(winner.body.refreshToken)).status).toBe(401);
  });

  it("refuses an unknown token and an expired one without ending anything", async () => {
    const session = await signUp();
    expect(await refresh("not-a-token-we-issued")).toEqual({ status: 401, body: refused });

    await db
      .prepare("UPDATE refresh_tokens SET expires_at = ? WHERE token_hash = ?")
      .bind(new Date(Date.now() - 1000).toISOString(), await hashRefreshToken(session.refreshToken))
      .run();
    expect(await refresh(session.refreshToken)).toEqual({ status: 401, body: refused });
  });

  it("keeps other sessions of the same user alive when one is ended", async () => {
    const session = await signUp();
    const login = await post("/api/auth/login", {
      email: session.user.email,
      password: session.password,
    });
    const other = (await login.json()) as Session;
    await refresh(session.refreshToken);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it("refuses a body without a refresh token", async () => {
    const res = await post("/api/auth/refresh", {});
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(error("invalid_request", "body.refreshToken is required"));
  });

  it("stores only the SHA-256 of each refresh token", async () => {
    const session = await signUp();
    const next = await refresh(session.refreshToken);
    const rows = await db
      .prepare("SELECT * FROM refresh_tokens WHERE user_id = ? ORDER BY created_at")
      .bind(session.user.id)
      .all<Record<string, unknown>>();
    expect(rows.results).toHaveLength(2);
    const stored = JSON.stringify(rows.results);
    expect(stored).not.toContain(session.refreshToken);
    expect(stored).not.toContain(next.body.refreshToken);
    const hashes = rows.results.map((row) => row.token_hash).sort();
    const expected = [
      await hashRefreshToken(session.refreshToken),
      await hashRefreshToken(next.body.refreshToken),
    ].sort();
    expect(hashes).toEqual(expected);
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    // A known SHA-256 vector, so the hash is the standard one and not some other digest.
    expect(await hashRefreshToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("POST /api/auth/logout", () => {
  it("with a refresh token ends that session only", async () => {
    const session = await signUp();
    const login = await post("/api/auth/login", {
      email: session.user.email,
      password: session.password,
    });
    const other = (await login.json()) as Session;
    const res = await post("/api/auth/logout", { refreshToken: session.refreshToken });
    expect(res.status).toBe(204);
    expect(await refresh(session.refreshToken)).toEqual({ status: 401, body: refused });
    expect((await refresh(other.refreshToken)).status).toBe(200);
  });

  it("ends a session whose token was refreshed since, from any of its tokens", async () => {
    const session = await signUp();
    const next = await refresh(session.refreshToken);
    expect((await post("/api/auth/logout", { refreshToken: next.body.refreshToken })).status).toBe(
      204,
    );
    expect(await refresh(next.body.refreshToken)).toEqual({ status: 401, body: refused });
  });

  it("signed in without a body ends every session of the caller", async () => {
    const session = await signUp();
    const login = await post("/api/auth/login", {
      email: session.user.email,
      password: session.password,
    });
    const other = (await login.json()) as Session;
    const res = await app.request(
      "/api/auth/logout",
      { method: "POST", headers: { "x-request-id": REQUEST_ID, ...signedIn(session) } },
      { DB: db, JWT_SECRET },
    );
    expect(res.status).toBe(204);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await refresh(other.refreshToken)).status).toBe(401);
  });

  it("answers 204 again for a session that has ended, and 401 when it cannot tell which", async () => {
    const session = await signUp();
    await post("/api/auth/logout", { refreshToken: session.refreshToken });
    expect((await post("/api/auth/logout", { refreshToken: session.refreshToken })).status).toBe(
      204,
    );
    const anonymous = await post("/api/auth/logout", {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual(
      error(
        "unauthenticated",
        "Send { refreshToken } or a token: logout needs to know which session to end.",
      ),
    );
  });
});

describe("POST /api/auth/password", () => {
  it("changes the password, ends every refresh token and answers a new session", async () => {
    const session = await signUp("old-password-1");
    const login = await post("/api/auth/login", {
      email: session.user.email,
      password: "old-password-1",
    });
    const other = (await login.json()) as Session;
    const res = await post(
      "/api/auth/password",
      { currentPassword: "old-password-1", newPassword: "new-password-2" },
      signedIn(session),
    );
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as Session;
    expect(fresh.user).toEqual(session.user);

    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await refresh(other.refreshToken)).status).toBe(401);
    expect((await refresh(fresh.refreshToken)).status).toBe(200);

    const oldLogin = await post("/api/auth/login", {
      email: session.user.email,
      password: "old-password-1",
    });
    expect(oldLogin.status).toBe(401);
    const newLogin = await post("/api/auth/login", {
      email: session.user.email,
      password: "new-password-2",
    });
    expect(newLogin.status).toBe(200);
  });

  it("refuses a wrong current password and changes nothing", async () => {
    const session = await signUp("old-password-1");
    const res = await post(
      "/api/auth/password",
      { currentPassword: "not-it-at-all", newPassword: "new-password-2" },
      signedIn(session),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(
      error("invalid_credentials", "The current password is wrong."),
    );
    expect((await refresh(session.refreshToken)).status).toBe(200);
  });

  it("needs a signed-in caller and a new password that meets the policy", async () => {
    const anonymous = await post("/api/auth/password", {
      currentPassword: "old-password-1",
      newPassword: "new-password-2",
    });
    expect(anonymous.status).toBe(401);
    const session = await signUp();
    const short = await post(
      "/api/auth/password",
      { currentPassword: session.password, newPassword: "short" },
      signedIn(session),
    );
    expect(short.status).toBe(400);
    expect(await short.json()).toEqual(
      error("invalid_request", "body.newPassword must be at least 8 characters"),
    );
  });
});
