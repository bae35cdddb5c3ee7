// Central auth through the whole router app: who passes without a token, what a bad token gets,
// and that services only ever see identity headers the router verified.

import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { signToken } from "../../../shared/jwt.ts";
import type { Bindings } from "./bindings.ts";
import app from "./index.ts";
import { APP_ORIGIN, jwtPart, SECRET, testEnv } from "./test-env.ts";

const HOST = "https://api.example.com";
const now = () => Math.floor(Date.now() / 1000);

function call(path: string, init: RequestInit, env: Bindings) {
  return app.request(`${HOST}${path}`, init, env);
}

async function token(id = "user-1", role: "creator" | "investor" = "creator", at = now()) {
  return (await signToken({ id, role }, SECRET, at)).token;
}

/** A correctly signed token whose claims are ours but for `changes` (undefined drops a claim). */
async function tokenWith(changes: Record<string, unknown>) {
  const at = now();
  const claims = {
    sub: "u",
    role: "creator",
    iat: at,
    nbf: at,
    exp: at + 60,
    iss: "pitch-platform",
  };
  return `Bearer ${await sign(JSON.parse(JSON.stringify({ ...claims, ...changes })), SECRET, "HS256")}`;
}

function calledWorkers(workers: ReturnType<typeof testEnv>["workers"]): string[] {
  return Object.values(workers)
    .filter((w) => w.received.length > 0)
    .map((w) => w.name);
}

describe("without a token", () => {
  it.each([
    ["POST", "/api/auth/login", "auth"],
    ["POST", "/api/auth/register", "auth"],
    ["GET", "/api/browse/pitches?q=x", "browse"],
    ["HEAD", "/api/browse/pitches/1", "browse"],
  ])("passes the public %s %s", async (method, path, worker) => {
    const { env, workers } = testEnv();
    const response = await call(path, { method }, env);
    expect([response.status, response.headers.get("x-served-by")]).toEqual([200, worker]);
    expect(calledWorkers(workers)).toEqual([worker]);
  });

  it.each([
    ["GET", "/api/auth/me"],
    ["GET", "/api/auth/login"],
    ["POST", "/api/browse/pitches"],
    ["GET", "/api/creator/pitches"],
    ["DELETE", "/api/creator/pitches/1"],
    ["GET", "/api/investor/portfolio"],
    ["POST", "/api/production/offers"],
    ["POST", "/api/analytics/events"],
    ["GET", "/api/nda/requests"],
    ["OPTIONS", "/api/creator/pitches"],
  ])("refuses %s %s with 401 and calls no worker", async (method, path) => {
    const { env, workers } = testEnv();
    const response = await call(
      path,
      { method, headers: { "x-request-id": "auth-test-0001" } },
      env,
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="pitch"');
    expect(await response.json()).toEqual({
      error: {
        code: "unauthenticated",
        message: `${method} ${path} needs a token: sign in with POST /api/auth/login and send Authorization: Bearer <token>.`,
        requestId: "auth-test-0001",
      },
    });
    expect(calledWorkers(workers)).toEqual([]);
  });

  it("still gives an allowed origin its CORS headers on the 401, so the app can read it", async () => {
    const { env } = testEnv();
    const response = await call("/api/creator/pitches", { headers: { origin: APP_ORIGIN } }, env);
    expect(response.status).toBe(401);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
  });
});

describe("with a token", () => {
  it("forwards the verified identity", async () => {
    const { env, workers } = testEnv();
    const response = await call(
      "/api/creator/pitches",
      { headers: { authorization: `Bearer ${await token("user-5")}` } },
      env,
    );
    expect(response.status).toBe(200);
    const headers = workers.creator.received[0]?.headers;
    expect([headers?.get("x-pitch-user-id"), headers?.get("x-pitch-user-role")]).toEqual([
      "user-5",
      "creator",
    ]);
  });

  it("forwards the identity on a public route too", async () => {
    const { env, workers } = testEnv();
    await call(
      "/api/browse/pitches",
      { headers: { authorization: `Bearer ${await token("user-6", "investor")}` } },
      env,
    );
    expect(workers.browse.received[0]?.headers.get("x-pitch-user-id")).toBe("user-6");
  });

  it("reads the key from a Secrets Store binding", async () => {
    const { env, workers } = testEnv();
    const withStore = { ...env, JWT_SECRET: { get: async () => SECRET } };
    const response = await call(
      "/api/investor/portfolio",
      { headers: { authorization: `Bearer ${await token("user-8", "investor")}` } },
      withStore,
    );
    expect(response.status).toBe(200);
    expect(workers.investor.received[0]?.headers.get("x-pitch-user-role")).toBe("investor");
  });

  it.each<[string, () => Promise<string>, string, string]>([
    [
      "an expired token",
      async () => `Bearer ${await token("u", "creator", now() - 13 * 3600)}`,
      "token_expired",
      "The token has expired; sign in again.",
    ],
    [
      "a token signed with another key",
      async () => `Bearer ${(await signToken({ id: "u", role: "creator" }, `${SECRET}!`)).token}`,
      "invalid_token",
      "The token's signature does not match; sign in again.",
    ],
    [
      "an alg none token",
      async () =>
        `Bearer ${jwtPart({ alg: "none", typ: "JWT" })}.${jwtPart({ sub: "u", role: "creator", exp: now() + 60, iss: "pitch-platform" })}.`,
      "invalid_token",
      "The Authorization header must be 'Bearer <token>' with a token from /api/auth/login.",
    ],
    [
      "a token that never expires (exp 1e308)",
      () => tokenWith({ exp: 1e308 }),
      "invalid_token",
      "The token claims to live longer than this platform's tokens do; sign in again.",
    ],
    [
      "a token without exp",
      () => tokenWith({ exp: undefined }),
      "invalid_token",
      "The token was not issued by this platform; sign in again.",
    ],
    [
      "a token whose nbf is text",
      () => tokenWith({ nbf: String(now()) }),
      "invalid_token",
      "The token was not issued by this platform; sign in again.",
    ],
    [
      "a malformed token",
      async () => "Bearer not-a-jwt",
      "invalid_token",
      "The Authorization header must be 'Bearer <token>' with a token from /api/auth/login.",
    ],
    [
      "another scheme",
      async () => "Basic dXNlcjpwYXNz",
      "invalid_token",
      "The Authorization header must be 'Bearer <token>' with a token from /api/auth/login.",
    ],
  ])(
    "refuses %s with 401, on private and public routes alike",
    async (_, header, code, message) => {
      for (const [method, path] of [
        ["GET", "/api/creator/pitches"],
        ["GET", "/api/browse/pitches"],
        ["POST", "/api/auth/login"],
      ] as const) {
        const { env, workers } = testEnv();
        const response = await call(
          path,
          { method, headers: { authorization: await header() } },
          env,
        );
        expect(response.status).toBe(401);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect([body.error.code, body.error.message]).toEqual([code, message]);
        expect(calledWorkers(workers)).toEqual([]);
      }
    },
  );
});

describe("identity headers sent by a client", () => {
  const spoofed = { "x-pitch-user-id": "admin", "X-Pitch-User-Role": "production" };

  it("are stripped from an anonymous request", async () => {
    const { env, workers } = testEnv();
    await call("/api/browse/pitches", { headers: spoofed }, env);
    const headers = workers.browse.received[0]?.headers;
    expect([headers?.has("x-pitch-user-id"), headers?.has("x-pitch-user-role")]).toEqual([
      false,
      false,
    ]);
  });

  it("are replaced by the verified ones for a signed-in caller", async () => {
    const { env, workers } = testEnv();
    await call(
      "/api/messages/threads",
      { headers: { ...spoofed, authorization: `Bearer ${await token("user-2", "investor")}` } },
      env,
    );
    const headers = workers.monolith.received[0]?.headers;
    expect([headers?.get("x-pitch-user-id"), headers?.get("x-pitch-user-role")]).toEqual([
      "user-2",
      "investor",
    ]);
  });

  it("do not make a private route public", async () => {
    const { env, workers } = testEnv();
    const response = await call("/api/creator/pitches", { headers: spoofed }, env);
    expect(response.status).toBe(401);
    expect(calledWorkers(workers)).toEqual([]);
  });
});

describe("WebSocket upgrades", () => {
  const upgrade = (protocols: string) => ({
    headers: { upgrade: "websocket", "sec-websocket-protocol": protocols },
  });

  it("take the token from a bearer.<token> subprotocol, which the service never sees", async () => {
    const { env, workers } = testEnv();
    const response = await call(
      "/api/investor/live",
      upgrade(`pitch.v1, bearer.${await token("user-7", "investor")}`),
      env,
    );
    expect(response.headers.get("x-served-by")).toBe("investor");
    const [received] = workers.investor.received;
    expect(received?.headers.get("x-pitch-user-id")).toBe("user-7");
    expect(received?.headers.get("sec-websocket-protocol")).toBe("pitch.v1");
  });

  it("pass the subprotocols on to the monolith as sent", async () => {
    const { env, workers } = testEnv();
    const protocols = `pitch.v1, bearer.${await token("user-7", "investor")}`;
    await call("/api/messages/live", upgrade(protocols), env);
    const [received] = workers.monolith.received;
    expect(received?.headers.get("x-pitch-user-id")).toBe("user-7");
    expect(received?.headers.get("sec-websocket-protocol")).toBe(protocols);
  });

  it("refuse a bad token in the subprotocol like a bad header", async () => {
    const { env, workers } = testEnv();
    const response = await call("/api/messages/live", upgrade("pitch.v1, bearer.nope"), env);
    expect(response.status).toBe(401);
    expect(calledWorkers(workers)).toEqual([]);
  });

  it("are never replayed on the monolith when the service fails", async () => {
    const { env, workers } = testEnv(undefined, {
      investor: () => Response.json({}, { status: 503 }),
    });
    const response = await call(
      "/api/investor/live",
      upgrade(`bearer.${await token("user-7", "investor")}`),
      env,
    );
    expect([response.status, response.headers.get("x-served-by")]).toEqual([503, "investor"]);
    expect(workers.monolith.received).toHaveLength(0);
  });
});
