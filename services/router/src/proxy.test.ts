// Forwarding and fallback: what a worker receives, what the client gets back, and when the
// monolith answers instead of a failing green service.

import { beforeEach, describe, expect, it } from "vitest";
import { ApiError } from "../../../shared/errors.ts";
import { UPSTREAM_DEFAULTS, type UpstreamPolicy } from "../../../shared/router-config.ts";
import { send, sendWithFallback, served, type Upstream, upstreamRequests } from "./proxy.ts";
import { forgetStreaks } from "./skip.ts";
import { type Behaviour, type FakeWorker, fakeWorker, hang } from "./test-env.ts";

beforeEach(() => forgetStreaks());

function upstream(worker: FakeWorker, policy: Partial<UpstreamPolicy> = {}): Upstream {
  return { name: worker.name, binding: worker, policy: { ...UPSTREAM_DEFAULTS, ...policy } };
}

const URL_ = "https://api.example.com/api/investor/watchlist?x=1";
const boom: Behaviour = () => {
  throw new Error("boom");
};
const status =
  (code: number): Behaviour =>
  () =>
    Response.json({ code }, { status: code });

function incoming(method: string, init: RequestInit = {}): Request {
  return new Request(URL_, { method, ...init });
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe("upstreamRequests", () => {
  it("replaces client identity headers with the verified ones and adds the request id", () => {
    const make = upstreamRequests(
      incoming("GET", {
        headers: {
          "X-Pitch-User-Id": "admin",
          "x-pitch-user-role": "creator",
          "x-request-id": "client-id-123",
          accept: "application/json",
        },
      }),
      { userId: "user-9", role: "investor" },
      "req-00000001",
    );
    const request = make("service");
    expect([...request.headers]).toEqual([
      ["accept", "application/json"],
      ["x-pitch-user-id", "user-9"],
      ["x-pitch-user-role", "investor"],
      ["x-request-id", "req-00000001"],
    ]);
    expect(request.url).toBe(URL_);
    expect(request.redirect).toBe("manual");
  });

  it("keeps the client's credentials from new services; the monolith still gets them", () => {
    const make = upstreamRequests(
      incoming("GET", {
        headers: {
          authorization: "Bearer abc",
          cookie: "session=1; pitch_split=k",
          "proxy-authorization": "Basic eA==",
          accept: "application/json",
        },
      }),
      { userId: "user-9", role: "investor" },
      "req-00000001",
    );
    const service = make("service");
    expect(
      ["authorization", "cookie", "proxy-authorization"].map((h) => service.headers.has(h)),
    ).toEqual([false, false, false]);
    expect(service.headers.get("x-pitch-user-id")).toBe("user-9");
    const monolith = make("monolith");
    expect([monolith.headers.get("authorization"), monolith.headers.get("cookie")]).toEqual([
      "Bearer abc",
      "session=1; pitch_split=k",
    ]);
  });

  it("sends no identity for an anonymous caller, whatever the client claims", () => {
    const request = upstreamRequests(
      incoming("GET", { headers: { "x-pitch-user-id": "admin", "x-pitch-user-role": "creator" } }),
      undefined,
      "req-00000002",
    )("service");
    expect(request.headers.has("x-pitch-user-id")).toBe(false);
    expect(request.headers.has("x-pitch-user-role")).toBe(false);
  });
});

describe("served", () => {
  it("keeps status, body and headers, drops a worker's CORS headers, says who served", async () => {
    const response = served(
      new Response("teapot", {
        status: 418,
        headers: {
          "access-control-allow-origin": "*",
          "Access-Control-Allow-Credentials": "true",
          "set-cookie": "a=1",
          "x-custom": "kept",
        },
      }),
      "investor",
    );
    expect(response.status).toBe(418);
    expect(await response.text()).toBe("teapot");
    expect([...response.headers]).toEqual([
      ["content-type", "text/plain;charset=UTF-8"],
      ["set-cookie", "a=1"],
      ["x-custom", "kept"],
      ["x-served-by", "investor"],
    ]);
  });
});

describe("sendWithFallback", () => {
  async function run(method: string, green: Behaviour, blue?: Behaviour, withMonolith = true) {
    const investor = fakeWorker("investor", green);
    const monolith = fakeWorker("monolith", blue);
    const make = upstreamRequests(
      incoming(method, ["GET", "HEAD", "OPTIONS"].includes(method) ? {} : { body: "{}" }),
      undefined,
      "req-00000003",
    );
    const result = sendWithFallback(
      upstream(investor),
      withMonolith ? upstream(monolith) : undefined,
      make,
      "req-00000003",
    );
    return { result, investor, monolith };
  }

  it.each(["GET", "HEAD", "OPTIONS"])(
    "serves a %s the monolith's answer when green throws",
    async (method) => {
      const { result, investor, monolith } = await run(method, boom);
      const response = await result;
      expect(response.headers.get("x-served-by")).toBe("monolith-fallback");
      expect(investor.received).toHaveLength(1);
      expect(monolith.received.map((r) => [r.method, r.url])).toEqual([[method, URL_]]);
      expect(monolith.received[0]?.headers.get("x-request-id")).toBe("req-00000003");
    },
  );

  it.each([500, 502, 503, 504])("falls back for a GET answered %i", async (code) => {
    const { result, monolith } = await run("GET", status(code));
    const response = await result;
    expect([response.status, response.headers.get("x-served-by")]).toEqual([
      200,
      "monolith-fallback",
    ]);
    expect(await response.json()).toEqual({ worker: "monolith" });
    expect(monolith.received).toHaveLength(1);
  });

  it.each([200, 400, 404, 499])("keeps green's answer %i", async (code) => {
    const { result, monolith } = await run("GET", status(code));
    const response = await result;
    expect([response.status, response.headers.get("x-served-by")]).toEqual([code, "investor"]);
    expect(monolith.received).toHaveLength(0);
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])(
    "never replays a %s: the service's 503 reaches the client as-is",
    async (method) => {
      const { result, investor, monolith } = await run(method, status(503));
      const response = await result;
      expect([response.status, response.headers.get("x-served-by")]).toEqual([503, "investor"]);
      expect(await response.json()).toEqual({ code: 503 });
      expect(investor.received.map((r) => r.body)).toEqual(["{}"]);
      expect(monolith.received).toHaveLength(0);
    },
  );

  it("answers a POST whose service threw with a 502 and does not replay it", async () => {
    const { result, monolith } = await run("POST", boom);
    const error = await rejection(result);
    expect([error.status, error.code, error.message]).toEqual([
      502,
      "upstream_unavailable",
      "The investor worker failed to answer; it was not replayed, so check whether it took effect before retrying.",
    ]);
    expect(monolith.received).toHaveLength(0);
  });

  it("replays a safe method whose body is empty (content-length: 0)", async () => {
    const investor = fakeWorker("investor", boom);
    const monolith = fakeWorker("monolith");
    const empty = incoming("OPTIONS", { body: "", headers: { "content-length": "0" } });
    const make = upstreamRequests(empty, undefined, "req-00000006");
    const response = await sendWithFallback(
      upstream(investor),
      upstream(monolith),
      make,
      "req-00000006",
    );
    expect(response.headers.get("x-served-by")).toBe("monolith-fallback");
    expect(monolith.received.map((r) => [r.method, r.url, r.body])).toEqual([
      ["OPTIONS", URL_, ""],
    ]);
  });

  it("does not replay a safe method that carries a body", async () => {
    const investor = fakeWorker("investor", boom);
    const monolith = fakeWorker("monolith");
    const make = upstreamRequests(incoming("OPTIONS", { body: "x" }), undefined, "req-00000005");
    const error = await rejection(
      sendWithFallback(upstream(investor), upstream(monolith), make, "req-00000005"),
    );
    expect(error.status).toBe(502);
    expect(monolith.received).toHaveLength(0);
  });

  it("has no fallback without a monolith", async () => {
    const failed = await run("GET", status(503), undefined, false);
    const response = await failed.result;
    expect([response.status, response.headers.get("x-served-by")]).toEqual([503, "investor"]);
    const threw = await run("GET", boom, undefined, false);
    const error = await rejection(threw.result);
    expect([error.status, error.message]).toEqual([
      502,
      "The investor worker failed to answer; try again shortly.",
    ]);
  });

  it("passes on the monolith's own failure during a fallback", async () => {
    const answered = await run("GET", boom, status(500));
    const response = await answered.result;
    expect([response.status, response.headers.get("x-served-by")]).toEqual([
      500,
      "monolith-fallback",
    ]);
    const threw = await run("GET", status(503), boom);
    const error = await rejection(threw.result);
    expect([error.status, error.message]).toEqual([
      502,
      "The monolith worker failed to answer; try again shortly.",
    ]);
  });
});

describe("send", () => {
  it("turns a throw into a 502 naming the worker", async () => {
    const error = await rejection(
      send(upstream(fakeWorker("monolith", boom)), incoming("DELETE"), "monolith", "req-00000004"),
    );
    expect([error.status, error.code]).toEqual([502, "upstream_unavailable"]);
    expect(error.message).toContain("The monolith worker failed to answer");
  });
});

describe("deadlines", () => {
  const make = (method: string) =>
    upstreamRequests(
      incoming(method, method === "GET" ? {} : { body: "{}" }),
      undefined,
      "req-00000007",
    );

  it("aborts a GET whose service misses its deadline and serves the monolith's answer", async () => {
    const investor = fakeWorker("investor", hang);
    const monolith = fakeWorker("monolith");
    const started = performance.now();
    const response = await sendWithFallback(
      upstream(investor, { deadlineMs: 30 }),
      upstream(monolith),
      make("GET"),
      "req-00000007",
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(response.headers.get("x-served-by")).toBe("monolith-fallback");
    expect(investor.received[0]?.signal?.aborted).toBe(true);
    expect(monolith.received).toHaveLength(1);
  });

  it("answers an unsafe request past the deadline with a 504 naming the worker, never replayed", async () => {
    const investor = fakeWorker("investor", hang);
    const monolith = fakeWorker("monolith");
    const error = await rejection(
      sendWithFallback(
        upstream(investor, { deadlineMs: 30 }),
        upstream(monolith),
        make("POST"),
        "req-00000007",
      ),
    );
    expect([error.status, error.code, error.message]).toEqual([
      504,
      "upstream_timeout",
      "The investor worker did not answer within 30 ms; it was not replayed, so check whether it took effect before retrying.",
    ]);
    expect(monolith.received).toHaveLength(0);
  });

  it("gives the monolith its own deadline, during a fallback too", async () => {
    const error = await rejection(
      sendWithFallback(
        upstream(fakeWorker("investor", boom)),
        upstream(fakeWorker("monolith", hang), { deadlineMs: 30 }),
        make("GET"),
        "req-00000007",
      ),
    );
    expect([error.status, error.message]).toEqual([
      504,
      "The monolith worker did not answer within 30 ms; try again shortly.",
    ]);
  });

  it("does not abort a call that answered in time", async () => {
    const investor = fakeWorker("investor");
    await send(upstream(investor, { deadlineMs: 30 }), make("GET")("service"), "investor", "r");
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(investor.received[0]?.signal?.aborted).toBe(false);
  });
});

describe("skipping a service that keeps failing", () => {
  const policy = { skipAfterFailures: 3, skipForMs: 80, deadlineMs: 1000 };

  function router(green: FakeWorker) {
    const monolith = fakeWorker("monolith");
    const call = async (method: string) => {
      const make = upstreamRequests(
        incoming(method, method === "GET" ? {} : { body: "{}" }),
        undefined,
        "req-00000008",
      );
      try {
        const response = await sendWithFallback(
          upstream(green, policy),
          upstream(monolith),
          make,
          "req-00000008",
        );
        return response.headers.get("x-served-by");
      } catch (error) {
        return (error as ApiError).status;
      }
    };
    return { monolith, call };
  }

  it("sends safe requests to the monolith after N failures in a row, then probes once", async () => {
    let healthy = false;
    const investor = fakeWorker("investor", () =>
      healthy ? Response.json({ ok: true }) : Response.json({}, { status: 503 }),
    );
    const { call } = router(investor);
    const served = [];
    for (let i = 0; i < 5; i++) served.push(await call("GET"));
    expect(served).toEqual([
      "monolith-fallback",
      "monolith-fallback",
      "monolith-fallback",
      "monolith-skipped",
      "monolith-skipped",
    ]);
    expect(investor.received).toHaveLength(3);
    // Unsafe requests keep going to the service and get its answer.
    expect(await call("POST")).toBe("investor");
    expect(investor.received).toHaveLength(4);

    await new Promise((resolve) => setTimeout(resolve, 100));
    // The probe fails: skipped again for another pause.
    expect(await call("GET")).toBe("monolith-fallback");
    expect(await call("GET")).toBe("monolith-skipped");
    expect(investor.received).toHaveLength(5);

    await new Promise((resolve) => setTimeout(resolve, 100));
    healthy = true;
    expect(await call("GET")).toBe("investor");
    expect(await call("GET")).toBe("investor");
    expect(investor.received).toHaveLength(7);
  });

  it("counts throws and timeouts on any method, and an answer below 500 ends the streak", async () => {
    let answer: Behaviour = boom;
    const investor = fakeWorker("investor", (request, body) => answer(request, body));
    const { call } = router(investor);
    expect(await call("POST")).toBe(502);
    expect(await call("DELETE")).toBe(502);
    answer = () => Response.json({}, { status: 404 });
    expect(await call("GET")).toBe("investor");
    answer = boom;
    expect(await call("PUT")).toBe(502);
    expect(await call("GET")).toBe("monolith-fallback");
    expect(await call("GET")).toBe("monolith-fallback");
    expect(await call("GET")).toBe("monolith-skipped");
  });
});
