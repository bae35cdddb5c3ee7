// The router app through app.request with fake service bindings: health, the routing table,
// request ids, pass-through of URL, headers and bodies, and operator errors.

import { describe, expect, it } from "vitest";
import { signToken } from "../../../shared/jwt.ts";
import type { Bindings } from "./bindings.ts";
import app from "./index.ts";
import { SECRET, testConfig, testEnv } from "./test-env.ts";

const HOST = "https://api.example.com";

function call(path: string, init: RequestInit, env: Bindings) {
  return app.request(`${HOST}${path}`, init, env);
}

describe("health", () => {
  it("answers GET and HEAD itself", async () => {
    const { env, workers } = testEnv();
    const get = await call("/health", {}, env);
    expect([get.status, get.headers.get("x-served-by")]).toEqual([200, "router"]);
    expect(await get.json()).toEqual({ worker: "router", ok: true });
    const head = await call("/health", { method: "HEAD" }, env);
    expect([head.status, await head.text()]).toEqual([200, ""]);
    expect(Object.values(workers).every((w) => w.received.length === 0)).toBe(true);
  });

  it("has no other methods", async () => {
    const { env } = testEnv();
    const response = await call("/health", { method: "POST" }, env);
    expect(response.status).toBe(404);
  });
});

describe("routing", () => {
  it.each([
    ["/api/auth/me", "auth"],
    ["/api/creator/pitches", "creator"],
    ["/api/creator/", "creator"],
    ["/api/investor/portfolio", "investor"],
    ["/api/production/offers", "production"],
    ["/api/browse/pitches?q=noir&genre=drama&cursor=abc%3D%3D&limit=5", "browse"],
    ["/api/analytics/pitches/1/stats", "analytics"],
    ["/api/%63reator/pitches", "creator"],
    ["/api/creator/pitches/a%2Fb%20c?x=%E2%9C%93&x=2", "creator"],
  ])("sends %s to %s with the URL exactly as sent", async (path, worker) => {
    const { env, workers } = testEnv();
    const response = await call(path, { headers: { authorization: await bearer() } }, env);
    expect([response.status, response.headers.get("x-served-by")]).toEqual([200, worker]);
    const received = workers[worker as keyof typeof workers].received;
    expect(received.map((r) => r.url)).toEqual([`${HOST}${path}`]);
  });

  it.each(["/api/nda/requests", "/api/messages/threads/1?before=9"])(
    "always sends %s to the monolith",
    async (path) => {
      const { env, workers } = testEnv(testConfig());
      const response = await call(path, { headers: { authorization: await bearer() } }, env);
      expect(response.headers.get("x-served-by")).toBe("monolith");
      expect(workers.monolith.received.map((r) => r.url)).toEqual([`${HOST}${path}`]);
    },
  );

  it.each(["/", "/api", "/api/creatorx", "/api/creator-x", "/api%2Fcreator/x", "/favicon.ico"])(
    "answers %s with a 404 JSON error and calls no worker",
    async (path) => {
      const { env, workers } = testEnv();
      const response = await call(path, { headers: { "x-request-id": "req-404-test" } }, env);
      expect(response.status).toBe(404);
      expect(response.headers.get("x-served-by")).toBe("router");
      expect(await response.json()).toEqual({
        error: {
          code: "not_found",
          message: `No service serves ${path}.`,
          requestId: "req-404-test",
        },
      });
      expect(Object.values(workers).every((w) => w.received.length === 0)).toBe(true);
    },
  );
});

describe("request id", () => {
  it.each([
    ["abcdefgh", true],
    ["A.b_c-9".padEnd(128, "x"), true],
    ["short", false],
    ["x".repeat(129), false],
    ["has space inside", false],
    ["semi;colon-12345", false],
  ])("keeps the client's %j: %s", async (given, kept) => {
    const { env, workers } = testEnv();
    const response = await call("/api/browse/pitches", { headers: { "x-request-id": given } }, env);
    const id = response.headers.get("x-request-id");
    if (kept) expect(id).toBe(given);
    else
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(workers.browse.received[0]?.headers.get("x-request-id")).toBe(id);
  });

  it("is on every response, even a preflight", async () => {
    const { env } = testEnv();
    const response = await call(
      "/api/creator/pitches",
      {
        method: "OPTIONS",
        headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
      },
      env,
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-served-by")).toBe("router");
  });
});

describe("pass-through", () => {
  it("sends method, headers and body unchanged, apart from identity, request id and credentials", async () => {
    const { env, workers } = testEnv();
    // One token for request and expectation: two signed a second apart would differ.
    const authorization = await bearer("user-3", "creator");
    const body = JSON.stringify({ title: "Night Train", logline: "ünïcödé ✓" });
    const response = await call(
      "/api/creator/pitches?draft=1",
      {
        method: "POST",
        headers: {
          authorization,
          "content-type": "application/json; charset=utf-8",
          "x-custom": "a, b",
          cookie: "theme=dark",
          "x-request-id": "client-request-1",
        },
        body,
      },
      env,
    );
    expect(response.status).toBe(200);
    const [received] = workers.creator.received;
    expect(received?.method).toBe("POST");
    expect(received?.body).toBe(body);
    // The router checked the token; the service gets the identity, not the credentials.
    expect(Object.fromEntries(received?.headers ?? [])).toEqual({
      "content-type": "application/json; charset=utf-8",
      "x-custom": "a, b",
      "x-request-id": "client-request-1",
      "x-pitch-user-id": "user-3",
      "x-pitch-user-role": "creator",
    });
  });

  it("streams a body to the worker without buffering it first", async () => {
    const { env } = testEnv();
    let firstChunkSeen!: () => void;
    const seen = new Promise<void>((resolve) => {
      firstChunkSeen = resolve;
    });
    const chunks = ["first-chunk;", "second-chunk;", "third"];
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // The second chunk waits until the worker has read the first: a router that buffered
        // the whole body before forwarding would never get there.
        if (sent === 1) await seen;
        const chunk = chunks[sent++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
    env.CREATOR = {
      async fetch(request) {
        const reader = request.body!.getReader();
        let text = "";
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += new TextDecoder().decode(value);
          firstChunkSeen();
        }
        return new Response(text);
      },
    };
    const request = new Request(`${HOST}/api/creator/pitches/1/attachment`, {
      method: "PUT",
      headers: { authorization: await bearer("user-3", "creator") },
      body: stream,
      duplex: "half",
    } as RequestInit);
    const response = await app.request(request, undefined, env);
    expect(await response.text()).toBe("first-chunk;second-chunk;third");
  });

  it("keeps the worker's status, headers and body, including several cookies", async () => {
    const { env } = testEnv(testConfig(), {
      auth: () => {
        const headers = new Headers({ "content-type": "application/json", location: "/x" });
        headers.append("set-cookie", "a=1; Path=/");
        headers.append("set-cookie", "b=2; Path=/");
        return new Response('{"moved":true}', { status: 302, headers });
      },
    });
    const response = await call("/api/auth/login", { method: "POST", body: "{}" }, env);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/x");
    expect(response.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(await response.text()).toBe('{"moved":true}');
  });
});

describe("operator errors", () => {
  it("answers 500 naming CONFIG when it is missing", async () => {
    const { env } = testEnv();
    const response = await call("/api/browse/pitches", {}, { ...env, CONFIG: undefined as never });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { message: string } }).error).toMatchObject({
      code: "router_misconfigured",
      message:
        "The router's CONFIG binding is missing; deploy it with the value infra/topology.ts builds.",
    });
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers 500 naming a missing service binding", async () => {
    const { env } = testEnv();
    const response = await call("/api/browse/pitches", {}, { ...env, BROWSE: undefined as never });
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      "The router has no BROWSE service binding; bind it to the browse worker.",
    );
  });

  it("answers 500 when CONFIG says there is a monolith but it is not bound", async () => {
    const { env } = testEnv();
    const response = await call("/api/browse/pitches", {}, { ...env, MONOLITH: undefined });
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      "The router has no MONOLITH service binding; bind it to the monolith worker or set CONFIG.monolith to false.",
    );
  });

  it("answers an unexpected failure with a bare 500 that leaks nothing", async () => {
    const { env } = testEnv();
    const exploding = new Proxy(
      {},
      {
        get() {
          throw new Error("internal detail");
        },
      },
    );
    const response = await call("/api/browse/pitches", {}, { ...env, CONFIG: exploding as never });
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: Record<string, string> };
    expect([error.code, error.message]).toEqual([
      "internal_error",
      "The router failed; try again.",
    ]);
    expect(error.requestId).toBe(response.headers.get("x-request-id"));
  });
});

async function bearer(id = "user-1", role: "creator" | "investor" | "production" = "investor") {
  return `Bearer ${(await signToken({ id, role }, SECRET)).token}`;
}
