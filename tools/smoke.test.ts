// The smoke test against a fake platform: the route steps must fail when a prefix answers 5xx or
// only the monolith's fallback answered, since that is a broken service the smoke run must report.
// And the flags of smoke, seed and bench: --help with examples, exit 2 naming a wrong flag.

import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { routeTable } from "../infra/topology.ts";
import { runSmoke } from "./smoke.ts";

// Plus a prefix the monolith never served (blueSide: false): the monolith answering it is wrong.
vi.mock("../infra/topology.ts", async (importOriginal) => {
  const topology = await importOriginal<typeof import("../infra/topology.ts")>();
  const fresh = { prefix: "/api/fresh", target: "analytics", blueSide: false } as const;
  return { ...topology, routeTable: () => [...topology.routeTable(), fresh] };
});

const PITCH_ID = "00000000-0000-4000-8000-000000000001";
const OFFER_ID = "00000000-0000-4000-8000-000000000002";

/**
 * Route prefixes the fake platform answers unlike a healthy worker (its own 404): the status and
 * x-served-by it answers with, and whether the smoke step must pass.
 */
const ODD_ANSWERS: Record<string, { status: number; servedBy: string; ok: boolean }> = {
  "/api/investor": { status: 404, servedBy: "monolith", ok: true },
  "/api/browse": { status: 404, servedBy: "monolith-fallback", ok: false },
  "/api/analytics": { status: 500, servedBy: "analytics", ok: false },
  "/api/messages": { status: 200, servedBy: "monolith", ok: true },
  "/api/fresh": { status: 404, servedBy: "monolith", ok: false },
};

/** Per route prefix: the status and x-served-by the fake platform answers with. */
const PREFIX_ANSWERS: Record<string, [number, string]> = Object.fromEntries(
  routeTable().map(({ prefix, target }) => {
    const odd = ODD_ANSWERS[prefix];
    return [prefix, odd ? [odd.status, odd.servedBy] : [404, target]];
  }),
);

/** Answers the smoke flow as a healthy platform would, and each prefix as PREFIX_ANSWERS says. */
function answer(method: string, path: string): [number, string, unknown] {
  const session = { token: "t", expiresAt: "", user: { id: "u", email: "e" } };
  if (path === "/health") return [200, "router", { ok: true }];
  if (path === "/api/auth/register") return [201, "auth", session];
  if (path === "/api/auth/login") return [200, "auth", session];
  if (method === "POST" && path === "/api/creator/pitches")
    return [201, "creator", { pitch: { id: PITCH_ID, status: "draft" } }];
  if (path.endsWith("/publish")) return [200, "creator", { pitch: { status: "published" } }];
  if (path === "/api/browse/pitches") return [200, "browse", { items: [{ id: PITCH_ID }] }];
  if (path === "/api/production/offers") return [201, "production", { offer: { id: OFFER_ID } }];
  if (path.endsWith("/offers")) return [200, "creator", { items: [{ id: OFFER_ID }] }];
  const [status, servedBy] = PREFIX_ANSWERS[path] ?? [404, "router"];
  return [status, servedBy, { error: { code: "x", message: "x", requestId: "r" } }];
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const [status, servedBy, body] = answer(request.method ?? "GET", path);
    request.resume();
    response.writeHead(status, {
      "content-type": "application/json",
      "x-served-by": servedBy,
      "x-request-id": "req-00000001",
    });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("runSmoke route steps", () => {
  it("fail on a 5xx and on a fallback answer, and pass a worker's own 4xx or 2xx", async () => {
    const result = await runSmoke(baseUrl, { timeoutMs: 5000 });
    const routes = result.steps.filter((step) => step.name.startsWith("route "));
    const prefixes = routeTable().map((route) => route.prefix);
    expect(prefixes).toEqual(expect.arrayContaining(Object.keys(ODD_ANSWERS)));
    expect(routes.map((step) => [step.name, step.ok, step.status])).toEqual(
      prefixes.map((prefix) => {
        const odd = ODD_ANSWERS[prefix];
        return [`route ${prefix}`, odd?.ok ?? true, odd?.status ?? 404];
      }),
    );
    expect(result.steps.filter((step) => !step.name.startsWith("route ")).every((s) => s.ok)).toBe(
      true,
    );
    expect(result.ok).toBe(false);
  });
});

/** Runs `tools/<script>.ts` as npm would; never reaches a network (only flag errors and --help). */
function run(script: string, args: string[]) {
  return new Promise<{ code: unknown; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", `tools/${script}.ts`, ...args],
      { cwd: resolve(import.meta.dirname, ".."), timeout: 20_000 },
      (error, stdout, stderr) => done({ code: error ? error.code : 0, stdout, stderr }),
    );
  });
}

describe("smoke, seed and bench flags", () => {
  it.each([
    ["smoke", ["--url", "http://127.0.0.1:8787", "--stack", "staging"], "--url and --stack"],
    ["smoke", ["--timeout", "5"], "--timeout"],
    ["seed", ["--bogus"], "--bogus"],
    ["seed", ["--stack", "nope"], "--stack nope"],
    ["bench", ["--runs", "0"], "--runs"],
  ])(
    "%s: --help shows examples (exit 0); %j is a usage error (exit 2)",
    async (script, bad, named) => {
      const help = await run(script, ["--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("examples:");
      // bench's help must not run the benchmark.
      expect(help.stdout).not.toContain("targets:");
      const wrong = await run(script, bad);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain(named);
    },
  );
});
