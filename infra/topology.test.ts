// The topology table: consistent as written, matching the design's table, and its checks catch
// the mistakes they are for.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { hasBlueSide, SERVICE_NAMES, WORKER_NAMES } from "../shared/workers.ts";
import {
  MONOLITH,
  publicRoutes,
  ROUTER,
  routeTable,
  type ServiceSpec,
  topologyProblems,
  WORKERS,
  type WorkerSpec,
  workerSpec,
  workersFor,
} from "./topology.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SERVICES = WORKERS.filter((w): w is ServiceSpec => w.kind === "service");

describe("the table", () => {
  it("is consistent: unique names and prefixes, one owner per table", () => {
    expect(topologyProblems()).toEqual([]);
  });

  it("holds every worker of shared/workers.ts once, router first, each with an entry on disk", () => {
    expect(WORKERS.map((w) => w.name)).toEqual([...WORKER_NAMES]);
    for (const worker of WORKERS)
      expect(existsSync(resolve(ROOT, worker.entry)), worker.entry).toBe(true);
  });

  it("gives each service /api/<name>, D1 first, and the JWT key to auth alone", () => {
    for (const service of SERVICES) {
      expect(service.pathPrefixes).toEqual([`/api/${service.name}`]);
      expect(service.bindings[0]).toEqual({ type: "d1", name: "DB" });
    }
    const withKey = SERVICES.filter((s) => s.bindings.some((b) => b.type === "secret"));
    expect(withKey.map((s) => s.name)).toEqual(["auth"]);
  });

  it("binds the router to every service, the monolith, CONFIG, the key and telemetry, in that order", () => {
    expect(ROUTER.bindings.map((b) => `${b.type}:${b.name}`)).toEqual([
      ...SERVICE_NAMES.map((s) => `service:${s.toUpperCase()}`),
      "service:MONOLITH",
      "json:CONFIG",
      "secret:JWT_SECRET",
      "analytics_engine:TELEMETRY",
    ]);
  });

  it("keeps NDA and messages on the monolith, with its own tables", () => {
    expect(MONOLITH.pathPrefixes).toEqual(["/api/nda", "/api/messages"]);
    expect(MONOLITH.ownsTables).toEqual(["ndas", "messages"]);
  });

  it("routes every service prefix, then the monolith-only paths", () => {
    expect(routeTable()).toEqual([
      ...SERVICE_NAMES.map((s) => ({
        prefix: `/api/${s}`,
        target: s,
        ...(hasBlueSide(s) ? {} : { blueSide: false }),
      })),
      { prefix: "/api/nda", target: "monolith" },
      { prefix: "/api/messages", target: "monolith" },
    ]);
  });

  it("lets health, register, login, refresh, logout and browsing through without a token", () => {
    expect(publicRoutes()).toEqual([
      { method: "GET", path: "/health" },
      { method: "HEAD", path: "/health" },
      { method: "POST", path: "/api/auth/register" },
      { method: "POST", path: "/api/auth/login" },
      { method: "POST", path: "/api/auth/refresh" },
      { method: "POST", path: "/api/auth/logout" },
      { method: "GET", path: "/api/browse/*" },
      { method: "HEAD", path: "/api/browse/*" },
    ]);
  });

  it("composes into the stand-in monolith every service with a blue side", () => {
    expect(MONOLITH.composes).toEqual(SERVICES.filter((s) => s.blueSide).map((s) => s.name));
  });

  it("routes a service without a blue side with no split and no fallback", () => {
    const investor = workerSpec("investor");
    const workers = WORKERS.map((w) =>
      w.name === "investor" ? { ...investor, blueSide: false } : w,
    );
    expect(routeTable(workers)).toContainEqual({
      prefix: "/api/investor",
      target: "investor",
      blueSide: false,
    });
  });

  it("finds a worker by name", () => {
    expect(workerSpec("investor").ownsTables).toEqual(["watchlist", "investments"]);
  });
});

describe("topologyProblems", () => {
  const investor = workerSpec("investor");
  const variant = (change: Partial<ServiceSpec>): WorkerSpec[] =>
    WORKERS.map((w) => (w.name === "investor" ? { ...investor, ...change } : w));

  it("catches a prefix claimed twice, naming the stack setting that added it", () => {
    expect(topologyProblems(variant({ pathPrefixes: ["/api/investor", "/api/creator"] }))).toEqual([
      'platform:workers.investor.pathPrefixes has "/api/creator", already served by "creator"; each path prefix belongs to one worker',
    ]);
  });

  it("catches a worker name the binding names and script names cannot carry", () => {
    expect(topologyProblems(variant({ name: "Invest-or" as never }))).toContain(
      'worker "Invest-or" must be named with 2-31 lowercase letters or digits, starting with a letter',
    );
  });

  it("catches a table with two owners", () => {
    expect(topologyProblems(variant({ ownsTables: ["pitches"] }))).toEqual([
      'table "pitches" is owned by both "creator" and "investor"',
    ]);
  });

  it("catches a malformed prefix", () => {
    expect(topologyProblems(variant({ pathPrefixes: ["/api/investor/"] }))).toEqual([
      'worker "investor" path prefix "/api/investor/" must start with "/", use lowercase letters, digits, "-" or "_", and not end with "/"',
    ]);
  });

  it("catches a worker declared twice", () => {
    expect(topologyProblems([...WORKERS, investor])).toContain(
      'worker "investor" is declared twice',
    );
  });
});

describe("workersFor", () => {
  it("adds a stack's extra prefixes to services and leaves the rest as they are", () => {
    const workers = workersFor({ investor: { pathPrefixes: ["/api/portfolio"] } });
    expect(workers.find((w) => w.name === "investor")?.pathPrefixes).toEqual([
      "/api/investor",
      "/api/portfolio",
    ]);
    expect(routeTable(workers)).toContainEqual({ prefix: "/api/portfolio", target: "investor" });
    expect(workers.filter((w) => w.name !== "investor")).toEqual(
      WORKERS.filter((w) => w.name !== "investor"),
    );
  });

  it("ignores prefixes given to the router or the monolith", () => {
    expect(
      workersFor({ router: { pathPrefixes: ["/x"] }, monolith: { pathPrefixes: ["/y"] } }),
    ).toEqual([...WORKERS]);
  });
});
