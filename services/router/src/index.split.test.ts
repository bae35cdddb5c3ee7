// The sticky weighted split and the fallback through the whole router app: sides per weight,
// the anonymous split cookie, monotonic moves, a finished migration, and failing green services.

import { describe, expect, it } from "vitest";
import { signToken } from "../../../shared/jwt.ts";
import type { Bindings } from "./bindings.ts";
import app from "./index.ts";
import { rolloutBucket } from "./split.ts";
import { allWeights, type Behaviour, SECRET, testConfig, testEnv } from "./test-env.ts";

const HOST = "https://api.example.com";
const USERS = Array.from({ length: 200 }, (_, i) => `user-${i}`);
const tokens = new Map<string, string>();

async function asUser(id: string): Promise<RequestInit> {
  let token = tokens.get(id);
  if (!token) {
    token = (await signToken({ id, role: "investor" }, SECRET)).token;
    tokens.set(id, token);
  }
  return { headers: { authorization: `Bearer ${token}` } };
}

function call(path: string, init: RequestInit, env: Bindings, host = HOST) {
  return app.request(`${host}${path}`, init, env);
}

function withWeights(weights: Partial<Record<string, number>>, monolith = true) {
  return testEnv(testConfig({ rollout: { ...allWeights(100), ...weights }, monolith }));
}

async function sideOf(id: string, env: Bindings): Promise<string | null> {
  const response = await call("/api/investor/portfolio", await asUser(id), env);
  expect(response.headers.has("set-cookie")).toBe(false);
  return response.headers.get("x-served-by");
}

describe("split for signed-in users", () => {
  it.each([0, 100])("is exact at weight %i", async (weight) => {
    const { env } = withWeights({ investor: weight });
    for (const id of USERS) {
      expect(await sideOf(id, env)).toBe(weight === 100 ? "investor" : "monolith");
    }
  });

  it("puts each user where their bucket says, and keeps them there", async () => {
    const { env } = withWeights({ investor: 30 });
    for (const id of USERS) {
      const expected = rolloutBucket(id, "investor") < 30 ? "investor" : "monolith";
      expect(await sideOf(id, env)).toBe(expected);
      expect(await sideOf(id, env)).toBe(expected);
    }
  });

  it("only moves users blue→green when the weight rises", async () => {
    const before = withWeights({ investor: 20 }).env;
    const after = withWeights({ investor: 60 }).env;
    const moves = { stayed: 0, toGreen: 0, toBlue: 0 };
    for (const id of USERS) {
      const [was, is] = [await sideOf(id, before), await sideOf(id, after)];
      if (was === is) moves.stayed += 1;
      else if (is === "investor") moves.toGreen += 1;
      else moves.toBlue += 1;
    }
    expect(moves.toBlue).toBe(0);
    expect(moves.toGreen).toBeGreaterThan(0);
  });

  it("defaults a weight missing from CONFIG to 0 with a monolith and 100 without", async () => {
    const rollout = { ...allWeights(50) } as Partial<Record<string, number>>;
    delete rollout.investor;
    const blue = testEnv(testConfig({ rollout: rollout as never }));
    const green = testEnv(testConfig({ rollout: rollout as never, monolith: false }));
    expect(await sideOf("user-1", blue.env)).toBe("monolith");
    expect(await sideOf("user-1", green.env)).toBe("investor");
  });
});

describe("split cookie for anonymous callers", () => {
  it("is set once, then reused to keep the caller on the same side", async () => {
    const { env } = withWeights({ browse: 50 });
    const sides = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const first = await call("/api/browse/pitches", {}, env);
      const cookie = first.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(
        /^pitch_split=[0-9a-f-]{36}; Path=\/; Max-Age=34560000; HttpOnly; SameSite=Lax; Secure$/,
      );
      const key = cookie.slice("pitch_split=".length, cookie.indexOf(";"));
      const side = first.headers.get("x-served-by") ?? "";
      expect(side).toBe(rolloutBucket(key, "browse") < 50 ? "browse" : "monolith");
      sides.add(side);
      for (let again = 0; again < 3; again++) {
        const next = await call(
          "/api/browse/pitches",
          { headers: { cookie: `theme=dark; pitch_split=${key}` } },
          env,
        );
        expect(next.headers.has("set-cookie")).toBe(false);
        expect(next.headers.get("x-served-by")).toBe(side);
      }
    }
    expect([...sides].sort()).toEqual(["browse", "monolith"]);
  });

  it("is not Secure over plain http (local platform) and keeps the worker's own cookies", async () => {
    const { env } = testEnv(testConfig({ rollout: { ...allWeights(100), auth: 50 } }), {
      auth: () => new Response("{}", { headers: { "set-cookie": "session=1" } }),
      monolith: () => new Response("{}", { headers: { "set-cookie": "session=1" } }),
    });
    const response = await call(
      "/api/auth/login",
      { method: "POST" },
      env,
      "http://localhost:8787",
    );
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    expect(cookies[0]).toBe("session=1");
    expect(cookies[1]).toMatch(
      /^pitch_split=[0-9a-f-]{36}; Path=\/; Max-Age=34560000; HttpOnly; SameSite=Lax$/,
    );
  });

  it("is not set when the weight is 0 or 100, or for a signed-in user", async () => {
    const { env } = withWeights({ browse: 0, creator: 100, investor: 50 });
    expect((await call("/api/browse/pitches", {}, env)).headers.has("set-cookie")).toBe(false);
    const green = await call("/api/creator/pitches", await asUser("u1"), env);
    expect(green.headers.has("set-cookie")).toBe(false);
    const split = await call("/api/investor/portfolio", await asUser("u1"), env);
    expect(split.headers.has("set-cookie")).toBe(false);
  });
});

describe("without a monolith (migration finished)", () => {
  it("sends everything green, whatever the weights, and sets no cookie", async () => {
    const { env, workers } = withWeights({ browse: 0 }, false);
    expect(env.MONOLITH).toBeUndefined();
    const response = await call("/api/browse/pitches", {}, env);
    expect(response.headers.get("x-served-by")).toBe("browse");
    expect(response.headers.has("set-cookie")).toBe(false);
    expect(workers.monolith.received).toHaveLength(0);
  });

  it("answers the paths only the monolith served with 503", async () => {
    const { env } = withWeights({}, false);
    const response = await call("/api/nda/requests", await asUser("u1"), env);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: object }).error).toMatchObject({
      code: "not_migrated",
      message:
        "/api/nda/requests is only served by the monolith, and this stack has none (CONFIG.monolith is false).",
    });
  });

  it("has no fallback", async () => {
    const { env } = testEnv(testConfig({ monolith: false }), {
      browse: () => new Response("down", { status: 503 }),
    });
    const response = await call("/api/browse/pitches", {}, env);
    expect([response.status, response.headers.get("x-served-by")]).toEqual([503, "browse"]);
  });
});

describe("fallback", () => {
  const boom: Behaviour = () => {
    throw new Error("boom");
  };
  const down: Behaviour = () => Response.json({ error: "down" }, { status: 503 });

  it.each([
    ["throws", boom],
    ["answers 503", down],
  ])("serves a GET from the monolith when green %s", async (_, behaviour) => {
    const { env, workers } = testEnv(testConfig(), { browse: behaviour });
    const response = await call(
      "/api/browse/pitches?q=1",
      { headers: { "x-request-id": "fallback-0001" } },
      env,
    );
    expect([response.status, response.headers.get("x-served-by")]).toEqual([
      200,
      "monolith-fallback",
    ]);
    expect(await response.json()).toEqual({ worker: "monolith" });
    const received = workers.monolith.received[0];
    expect([received?.method, received?.url, received?.headers.get("x-request-id")]).toEqual([
      "GET",
      `${HOST}/api/browse/pitches?q=1`,
      "fallback-0001",
    ]);
  });

  it("passes a POST's 503 through as-is and never replays it", async () => {
    const { env, workers } = testEnv(testConfig(), { creator: down });
    const response = await call(
      "/api/creator/pitches",
      { method: "POST", body: '{"a":1}', ...(await asUser("u1")) },
      env,
    );
    expect([response.status, response.headers.get("x-served-by")]).toEqual([503, "creator"]);
    expect(await response.json()).toEqual({ error: "down" });
    expect(workers.monolith.received).toHaveLength(0);
  });

  it("answers a POST whose service threw with a 502 JSON error carrying the request id", async () => {
    const { env, workers } = testEnv(testConfig(), { creator: boom });
    const init = await asUser("u1");
    const response = await call(
      "/api/creator/pitches",
      {
        method: "POST",
        body: "{}",
        headers: { ...init.headers, "x-request-id": "post-fail-0001" },
      },
      env,
    );
    expect([response.status, response.headers.get("x-served-by")]).toEqual([502, "router"]);
    expect(await response.json()).toEqual({
      error: {
        code: "upstream_unavailable",
        message:
          "The creator worker failed to answer; it was not replayed, so check whether it took effect before retrying.",
        requestId: "post-fail-0001",
      },
    });
    expect(workers.monolith.received).toHaveLength(0);
  });
});
