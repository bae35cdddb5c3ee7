// The router built by the project's own build, run in real workerd (Miniflare) with real service
// bindings to stub workers and its JWT key in a Secrets Store: routing, CORS, auth, the split,
// the fallback and pass-through, as deployed.

import { createHash } from "node:crypto";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { resolve } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWorker } from "../infra/build.ts";
import { ROUTER, routerConfigFor } from "../infra/topology.ts";
import { rolloutBucket } from "../services/router/src/split.ts";
import { signToken } from "../shared/jwt.ts";
import { SERVICE_NAMES, type ServiceName } from "../shared/workers.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SECRET = "workerd-test-secret-0123456789abcdef";
const HOST = "https://api.example.com";
const ORIGIN = "https://app.example.com";
/** Every service at 100, but the splits the tests below check. */
const WEIGHTS: Record<ServiceName, number> = {
  ...(Object.fromEntries(SERVICE_NAMES.map((s) => [s, 100])) as Record<ServiceName, number>),
  investor: 50,
  production: 0,
  browse: 50,
};

/**
 * A stub worker that echoes what it received; green ones fail on request (`/__throw`, `/__503`,
 * `/__slow`: 5 s before answering), every one is slow on `/__all_slow`.
 */
function stubScript(name: string): string {
  return `export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (${name !== "monolith"} && path.endsWith("/__throw")) throw new Error("stub failure");
    if (${name !== "monolith"} && path.endsWith("/__503")) return Response.json({ down: true }, { status: 503 });
    if ((${name !== "monolith"} && path.endsWith("/__slow")) || path.endsWith("/__all_slow")) {
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
    const bytes = new Uint8Array(await request.arrayBuffer());
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return Response.json({
      worker: ${JSON.stringify(name)},
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers),
      bodyBytes: bytes.length,
      bodySha256: [...digest].map((b) => b.toString(16).padStart(2, "0")).join(""),
    }, { headers: { "access-control-allow-origin": "*" } });
  },
};`;
}

interface Echo {
  worker: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyBytes: number;
  bodySha256: string;
}

async function startPlatform(
  rollout: Record<ServiceName, number>,
  withMonolith: boolean,
  workers: Parameters<typeof routerConfigFor>[0]["workers"] = {},
) {
  const build = await buildWorker(ROUTER, ROOT);
  const config = routerConfigFor({
    rollout,
    corsOrigins: [ORIGIN],
    monolith: withMonolith ? { scriptName: "monolith", deployStandIn: true } : undefined,
    workers,
  });
  const targets = [...SERVICE_NAMES, ...(withMonolith ? ["monolith"] : [])];
  const mf = new Miniflare({
    workers: [
      {
        name: "router",
        modules: true,
        script: build.code,
        compatibilityDate: "2025-09-01",
        bindings: { CONFIG: config as never },
        secretsStoreSecrets: { JWT_SECRET: { store_id: "local", secret_name: "jwt" } },
        serviceBindings: Object.fromEntries(targets.map((t) => [t.toUpperCase(), t])),
      },
      ...targets.map((name) => ({
        name,
        modules: true,
        script: stubScript(name),
        compatibilityDate: "2025-09-01",
      })),
    ],
  });
  const admin = await mf.getSecretsStoreSecretAPI("JWT_SECRET", "router");
  await admin().create(SECRET);
  const fetch = (path: string, init: RequestInit = {}) =>
    mf.dispatchFetch(`${HOST}${path}`, init as never) as unknown as Promise<Response>;
  return { mf, fetch };
}

type Platform = Awaited<ReturnType<typeof startPlatform>>;

/** A GET over a socket with exactly these headers (fetch drops a GET's content-length). */
async function rawGet(path: string, headers: Record<string, string>) {
  const url = await platform.mf.ready;
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>(
    (resolveAnswer, reject) => {
      const request = httpRequest(new URL(path, url), { method: "GET", headers }, (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          body += chunk;
        });
        response.on("end", () =>
          resolveAnswer({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
      });
      request.on("error", reject);
      request.end();
    },
  );
}
let platform: Platform;

async function as(id: string, role: "creator" | "investor" = "investor", extra = {}) {
  const { token } = await signToken({ id, role }, SECRET);
  return { headers: { authorization: `Bearer ${token}`, ...extra } };
}

beforeAll(async () => {
  platform = await startPlatform(WEIGHTS, true);
});

afterAll(async () => {
  await platform?.mf.dispose();
});

describe("router in workerd", () => {
  it("answers its health check itself", async () => {
    const response = await platform.fetch("/health");
    expect([response.status, response.headers.get("x-served-by")]).toEqual([200, "router"]);
    expect(await response.json()).toEqual({ worker: "router", ok: true });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each<[string, ServiceName | "monolith"]>([
    ["/api/auth/me", "auth"],
    ["/api/creator/", "creator"],
    ["/api/%63reator/pitches", "creator"],
    ["/api/creator/pitches/a%2Fb%20c?x=%E2%9C%93&x=2&empty=", "creator"],
    ["/api/investor/portfolio", "investor"],
    ["/api/production/offers?mine=1", "production"],
    ["/api/browse/pitches?q=noir", "browse"],
    ["/api/analytics/pitches/7/stats", "analytics"],
    ["/api/nda/requests", "monolith"],
    ["/api/messages/threads/3", "monolith"],
  ])("routes %s to %s with the URL untouched", async (path, target) => {
    const user = "route-user-1";
    const response = await platform.fetch(path, await as(user));
    const side =
      target === "monolith" || rolloutBucket(user, target) >= WEIGHTS[target] ? "monolith" : target;
    expect([response.status, response.headers.get("x-served-by")]).toEqual([200, side]);
    const echo = (await response.json()) as Echo;
    expect([echo.worker, echo.url]).toEqual([side, `${HOST}${path}`]);
    expect(echo.headers["x-pitch-user-id"]).toBe(user);
    expect(echo.headers["x-request-id"]).toBe(response.headers.get("x-request-id"));
  });

  it.each(["/", "/api", "/api/creatorx", "/api/creator-x/1", "/api%2Fcreator"])(
    "answers %s with a 404 JSON error",
    async (path) => {
      const response = await platform.fetch(path, { headers: { "x-request-id": "wd-404-0001" } });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        error: {
          code: "not_found",
          message: `No service serves ${path}.`,
          requestId: "wd-404-0001",
        },
      });
    },
  );
});

describe("CORS in workerd", () => {
  const preflight = (origin: string) => ({
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST" },
  });

  it("answers an allowed preflight at the router", async () => {
    const response = await platform.fetch("/api/creator/pitches", preflight(ORIGIN));
    expect([response.status, response.headers.get("x-served-by")]).toEqual([204, "router"]);
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
    expect(response.headers.get("access-control-allow-methods")).toBe(
      "GET,HEAD,POST,PUT,PATCH,DELETE",
    );
  });

  it("gives another origin's preflight and requests no CORS header", async () => {
    const denied = await platform.fetch("/api/creator/pitches", preflight("https://evil.example"));
    expect([denied.status, denied.headers.get("access-control-allow-origin")]).toEqual([204, null]);
    const request = await platform.fetch(
      "/api/creator/pitches",
      await as("u1", "creator", { origin: "https://evil.example" }),
    );
    const cors = [...request.headers].filter(([name]) => name.startsWith("access-control-"));
    expect([request.status, cors]).toEqual([200, []]);
  });

  it("replaces a worker's own CORS headers with the router's", async () => {
    const response = await platform.fetch(
      "/api/creator/pitches",
      await as("u1", "creator", { origin: ORIGIN }),
    );
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(response.headers.get("access-control-expose-headers")).toBe("x-request-id,x-served-by");
    expect(response.headers.get("vary")).toBe("Origin");
  });
});

describe("auth in workerd (key from the Secrets Store)", () => {
  it.each<[string, () => Promise<string>, string]>([
    ["no token", async () => "", "unauthenticated"],
    [
      "an expired token",
      async () =>
        `Bearer ${(await signToken({ id: "u", role: "creator" }, SECRET, 1_000_000_000)).token}`,
      "token_expired",
    ],
    [
      "a wrong signature",
      async () => `Bearer ${(await signToken({ id: "u", role: "creator" }, `${SECRET}x`)).token}`,
      "invalid_token",
    ],
    [
      "alg none",
      async () =>
        `Bearer ${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"u","role":"creator","exp":9999999999,"iss":"pitch-platform"}').toString("base64url")}.`,
      "invalid_token",
    ],
    ["a malformed token", async () => "Bearer abc", "invalid_token"],
  ])("refuses %s with 401", async (_, header, code) => {
    const value = await header();
    const response = await platform.fetch(
      "/api/creator/pitches",
      value ? { headers: { authorization: value } } : {},
    );
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it("strips identity headers a client sends and forwards the verified ones", async () => {
    const spoof = { "x-pitch-user-id": "admin", "x-pitch-user-role": "production" };
    const anonymous = (await (
      await platform.fetch("/api/auth/login", { method: "POST", headers: spoof })
    ).json()) as Echo;
    expect([anonymous.headers["x-pitch-user-id"], anonymous.headers["x-pitch-user-role"]]).toEqual([
      undefined,
      undefined,
    ]);
    const signedIn = (await (
      await platform.fetch("/api/creator/pitches", await as("user-77", "creator", spoof))
    ).json()) as Echo;
    expect([signedIn.headers["x-pitch-user-id"], signedIn.headers["x-pitch-user-role"]]).toEqual([
      "user-77",
      "creator",
    ]);
  });
});

const USERS = Array.from({ length: 120 }, (_, i) => `split-user-${i}`);

async function sideOf(target: Platform, service: string, id: string): Promise<string | null> {
  const response = await target.fetch(`/api/${service}/x`, await as(id));
  await response.arrayBuffer();
  return response.headers.get("x-served-by");
}

describe("split in workerd", () => {
  it("puts each user where their bucket says; 0 and 100 are exact", async () => {
    for (const id of USERS) {
      const bucket = rolloutBucket(id, "investor");
      expect(await sideOf(platform, "investor", id)).toBe(bucket < 50 ? "investor" : "monolith");
      expect(await sideOf(platform, "production", id)).toBe("monolith");
      expect(await sideOf(platform, "creator", id)).toBe("creator");
    }
  });

  it("moves users only blue→green when a weight rises", async () => {
    const raised = await startPlatform({ ...WEIGHTS, investor: 80 }, true);
    try {
      for (const id of USERS) {
        const [before, after] = [
          await sideOf(platform, "investor", id),
          await sideOf(raised, "investor", id),
        ];
        if (before === "investor") expect(after).toBe("investor");
        expect(after).toBe(rolloutBucket(id, "investor") < 80 ? "investor" : "monolith");
      }
    } finally {
      await raised.mf.dispose();
    }
  });

  it("sets the split cookie for an anonymous caller and honours it", async () => {
    for (let i = 0; i < 10; i++) {
      const first = await platform.fetch("/api/browse/pitches");
      await first.arrayBuffer();
      const cookie = first.headers.get("set-cookie") ?? "";
      expect(cookie).toMatch(
        /^pitch_split=[0-9a-f-]{36}; Path=\/; Max-Age=34560000; HttpOnly; SameSite=Lax; Secure$/,
      );
      const key = cookie.slice("pitch_split=".length, cookie.indexOf(";"));
      const side = rolloutBucket(key, "browse") < 50 ? "browse" : "monolith";
      expect(first.headers.get("x-served-by")).toBe(side);
      const again = await platform.fetch("/api/browse/pitches", {
        headers: { cookie: `pitch_split=${key}` },
      });
      await again.arrayBuffer();
      expect([again.headers.get("x-served-by"), again.headers.get("set-cookie")]).toEqual([
        side,
        null,
      ]);
    }
  });
});

describe("deadlines and skip in workerd", () => {
  it("bounds every call, falls back or answers 504, then skips the failing service", async () => {
    const slow = await startPlatform(WEIGHTS, true, {
      analytics: { deadlineMs: 300, skipAfterFailures: 2, skipForMs: 60_000 },
      monolith: { deadlineMs: 300 },
    });
    try {
      const timed = async (path: string, init: RequestInit) => {
        const started = performance.now();
        const response = await slow.fetch(path, init);
        return { response, ms: performance.now() - started };
      };
      const get = await timed("/api/analytics/__slow", await as("u1"));
      expect(get.response.headers.get("x-served-by")).toBe("monolith-fallback");
      expect(get.ms).toBeLessThan(3000);

      const init = await as("u1", "investor", { "x-request-id": "wd-slow-0001" });
      const post = await timed("/api/analytics/__slow", { method: "POST", body: "{}", ...init });
      expect(post.ms).toBeLessThan(3000);
      expect([post.response.status, await post.response.json()]).toEqual([
        504,
        {
          error: {
            code: "upstream_timeout",
            message:
              "The analytics worker did not answer within 300 ms; it was not replayed, so check whether it took effect before retrying.",
            requestId: "wd-slow-0001",
          },
        },
      ]);

      const monolithOnly = await timed("/api/nda/__all_slow", await as("u1"));
      expect(monolithOnly.response.status).toBe(504);
      expect(monolithOnly.ms).toBeLessThan(3000);

      // Two failures in a row: safe requests now skip analytics, unsafe ones still reach it.
      const skipped = await slow.fetch("/api/analytics/events", await as("u1"));
      expect(skipped.headers.get("x-served-by")).toBe("monolith-skipped");
      const write = await slow.fetch("/api/analytics/events", {
        method: "POST",
        body: "{}",
        ...(await as("u1")),
      });
      expect(write.headers.get("x-served-by")).toBe("analytics");
      // Other services are untouched.
      const other = await slow.fetch("/api/creator/pitches", await as("u1", "creator"));
      expect(other.headers.get("x-served-by")).toBe("creator");
    } finally {
      await slow.mf.dispose();
    }
  });
});

describe("fallback in workerd", () => {
  it.each(["__throw", "__503"])(
    "serves a GET from the monolith when green fails (%s)",
    async (failure) => {
      const response = await platform.fetch(`/api/analytics/${failure}?q=1`, await as("u1"));
      expect([response.status, response.headers.get("x-served-by")]).toEqual([
        200,
        "monolith-fallback",
      ]);
      const echo = (await response.json()) as Echo;
      expect([echo.method, echo.url, echo.headers["x-pitch-user-id"]]).toEqual([
        "GET",
        `${HOST}/api/analytics/${failure}?q=1`,
        "u1",
      ]);
    },
  );

  it("serves a GET sent with content-length: 0 from the monolith when green fails", async () => {
    // Some clients (Java's HttpClient, Safari, Guzzle) send an empty body on a GET; workerd then
    // hands the router a non-null body, which must not cost the request its fallback.
    const { headers } = await as("u1");
    const answer = await rawGet(`/api/analytics/__503`, { ...headers, "content-length": "0" });
    expect([answer.status, answer.headers["x-served-by"]]).toEqual([200, "monolith-fallback"]);
    expect((JSON.parse(answer.body) as Echo).method).toBe("GET");
  });

  it("passes a POST's 503 through and never replays it", async () => {
    const response = await platform.fetch("/api/analytics/__503", {
      method: "POST",
      body: "{}",
      ...(await as("u1")),
    });
    expect([response.status, response.headers.get("x-served-by")]).toEqual([503, "analytics"]);
    expect(await response.json()).toEqual({ down: true });
  });

  it("answers a POST whose service threw with a 502 carrying the request id", async () => {
    const init = await as("u1", "investor", { "x-request-id": "wd-post-0001" });
    const response = await platform.fetch("/api/analytics/__throw", {
      method: "POST",
      body: "{}",
      ...init,
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: {
        code: "upstream_unavailable",
        message:
          "The analytics worker failed to answer; it was not replayed, so check whether it took effect before retrying.",
        requestId: "wd-post-0001",
      },
    });
  });
});

describe("pass-through in workerd", () => {
  it("streams a 1 MiB body and its headers to the service unchanged", async () => {
    const chunk = new Uint8Array(64 * 1024).map((_, i) => (i * 31) % 251);
    const hash = createHash("sha256");
    for (let i = 0; i < 16; i++) hash.update(chunk);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 16) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const init = await as("u1", "creator", {
      "content-type": "application/octet-stream",
      "x-custom": "kept, as is",
    });
    const response = await platform.fetch("/api/creator/pitches/1/attachment?v=2", {
      method: "PUT",
      body,
      duplex: "half",
      ...init,
    } as RequestInit);
    const echo = (await response.json()) as Echo;
    expect([echo.method, echo.bodyBytes, echo.bodySha256]).toEqual([
      "PUT",
      16 * 64 * 1024,
      hash.digest("hex"),
    ]);
    expect([echo.headers["content-type"], echo.headers["x-custom"]]).toEqual([
      "application/octet-stream",
      "kept, as is",
    ]);
  });
});

describe("without a monolith in workerd", () => {
  it("sends everything green, answers monolith-only paths 503 and has no fallback", async () => {
    const finished = await startPlatform(
      Object.fromEntries(SERVICE_NAMES.map((s) => [s, 100])) as Record<ServiceName, number>,
      false,
    );
    try {
      const browse = await finished.fetch("/api/browse/pitches");
      expect([browse.headers.get("x-served-by"), browse.headers.get("set-cookie")]).toEqual([
        "browse",
        null,
      ]);
      const nda = await finished.fetch("/api/nda/requests", await as("u1"));
      expect(nda.status).toBe(503);
      expect(((await nda.json()) as { error: { code: string } }).error.code).toBe("not_migrated");
      const failing = await finished.fetch("/api/analytics/__503", await as("u1"));
      expect([failing.status, failing.headers.get("x-served-by")]).toEqual([503, "analytics"]);
    } finally {
      await finished.mf.dispose();
    }
  });
});
