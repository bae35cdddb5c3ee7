// Property tests of the whole router app: whatever a client sends (paths, methods, headers,
// cookies, tokens, bodies), the router itself never answers 500, never forwards an identity the
// client claimed, and sends one caller's request for a path to the same worker every time.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IDENTITY_HEADERS } from "../../../shared/identity.ts";
import { signToken } from "../../../shared/jwt.ts";
import { SERVICE_NAMES, WORKERS } from "../../../shared/workers.ts";
import app from "./index.ts";
import { allWeights, SECRET, testConfig, testEnv } from "./test-env.ts";

const HOST = "https://api.example.com";
const PREFIXES = WORKERS.flatMap((row) => (row.kind === "router" ? [] : row.pathPrefixes));
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"];

const segment = fc.oneof(
  fc.constantFrom("", ".", "..", "%2F", "%63", "%zz", "pitches", "x y", "ü", "%00", "__503"),
  fc.string({ unit: "grapheme-ascii", maxLength: 12 }),
);
const path = fc
  .tuple(fc.constantFrom(...PREFIXES, "/", "/api", "/health"), fc.array(segment, { maxLength: 4 }))
  .map(([prefix, rest]) => [prefix.replace(/\/$/, ""), ...rest].join("/") || "/");

type Credential =
  | { kind: "none" }
  | { kind: "token"; userId: string; role: "creator" | "investor" | "production" }
  | { kind: "header"; value: string };

const credential: fc.Arbitrary<Credential> = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.record({
    kind: fc.constant("token" as const),
    userId: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
    role: fc.constantFrom("creator" as const, "investor" as const, "production" as const),
  }),
  fc.record({
    kind: fc.constant("header" as const),
    value: fc.oneof(
      fc.string({ unit: "grapheme-ascii", maxLength: 40 }),
      fc.stringMatching(/^Bearer [A-Za-z0-9._-]{0,60}$/),
      fc.constant("Basic dXNlcjpwYXNz"),
    ),
  }),
);

const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,24}$/);
const request = fc.record({
  method: fc.constantFrom(...METHODS),
  path,
  query: fc.option(fc.string({ unit: "grapheme-ascii", maxLength: 16 }), { nil: undefined }),
  credential,
  claimedId: fc.option(headerValue, { nil: undefined }),
  claimedRole: fc.option(fc.constantFrom("creator", "admin", ""), { nil: undefined }),
  cookie: fc.option(
    fc.oneof(
      headerValue,
      headerValue.map((key) => `pitch_split=${key}`),
    ),
    { nil: undefined },
  ),
  requestId: fc.option(headerValue, { nil: undefined }),
  origin: fc.option(fc.constantFrom("https://app.example.com", "https://evil.example", "null"), {
    nil: undefined,
  }),
  body: fc.option(fc.string({ maxLength: 64 }), { nil: undefined }),
});

type Generated = typeof request extends fc.Arbitrary<infer T> ? T : never;

async function toInit(generated: Generated): Promise<RequestInit> {
  const headers = new Headers();
  const { credential: given } = generated;
  if (given.kind === "token") {
    const { token } = await signToken({ id: given.userId, role: given.role }, SECRET);
    headers.set("authorization", `Bearer ${token}`);
  } else if (given.kind === "header") {
    headers.set("authorization", given.value);
  }
  if (generated.claimedId !== undefined) headers.set("x-pitch-user-id", generated.claimedId);
  if (generated.claimedRole !== undefined) headers.set("x-pitch-user-role", generated.claimedRole);
  if (generated.cookie !== undefined) headers.set("cookie", generated.cookie);
  if (generated.requestId !== undefined) headers.set("x-request-id", generated.requestId);
  if (generated.origin !== undefined) headers.set("origin", generated.origin);
  const withBody = !["GET", "HEAD"].includes(generated.method) && generated.body !== undefined;
  return { method: generated.method, headers, ...(withBody ? { body: generated.body } : {}) };
}

function url(generated: Generated): string {
  return `${HOST}${generated.path}${generated.query === undefined ? "" : `?${generated.query}`}`;
}

describe("the router, whatever a client sends", () => {
  it("never answers 500 itself and forwards only the identity it verified", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const { env, workers } = testEnv(testConfig({ rollout: allWeights(50) }));
        let target: URL;
        try {
          target = new URL(url(generated));
        } catch {
          return;
        }
        const response = await app.request(target.href, await toInit(generated), env);
        if (response.headers.get("x-served-by") === "router") {
          expect(response.status).toBeLessThan(500);
          expect(response.headers.get("content-type") ?? "").toMatch(/application\/json|^$/);
        }
        expect(response.headers.get("x-request-id")).toMatch(/^[A-Za-z0-9._-]{8,128}$/);
        const verified =
          generated.credential.kind === "token" ? generated.credential.userId : undefined;
        for (const worker of Object.values(workers)) {
          for (const received of worker.received) {
            expect(received.headers.get(IDENTITY_HEADERS[0]) ?? undefined).toBe(verified);
            if (!verified) expect(received.headers.has(IDENTITY_HEADERS[1])).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("sends a signed-in caller's request for a path to the same worker every time", async () => {
    const signedIn = request.filter((generated) => generated.credential.kind === "token");
    await fc.assert(
      fc.asyncProperty(signedIn, async (generated) => {
        const { env, workers } = testEnv(testConfig({ rollout: allWeights(50) }));
        const init = await toInit(generated);
        const servedBy: (string | null)[] = [];
        for (let i = 0; i < 3; i++) {
          const response = await app.request(url(generated), { ...init }, env);
          servedBy.push(response.headers.get("x-served-by"));
        }
        expect(new Set(servedBy).size).toBe(1);
        const called = Object.values(workers).filter((w) => w.received.length > 0);
        expect(called.length).toBeLessThanOrEqual(1);
        if (called[0]) {
          expect([...SERVICE_NAMES, "monolith"]).toContain(called[0].name);
          expect(called[0].received).toHaveLength(3);
        }
      }),
      { numRuns: 150 },
    );
  });
});
