// The targets judgement: each target is met at its limit and missed just past it, and a miss
// names what missed it.

import { describe, expect, it } from "vitest";
import type { PathFigures } from "./load.ts";
import { spreadOf } from "./results.ts";
import { judgeTargets, LIMITS } from "./targets.ts";

type Judged = Parameters<typeof judgeTargets>[0];

const budget = { maxBytes: 100_000, maxGzipBytes: 20_000 };

function path(name: string, mismatches = 0): PathFigures {
  const one = spreadOf([1]);
  return {
    path: name,
    claimed: { status: 200 },
    p50Ms: one,
    p99Ms: one,
    requestsPerSecond: one,
    statuses: { "200": 10 },
    servedBy: { browse: 10 },
    mismatches,
  };
}

/** Figures that meet every target, exactly at each limit where there is one. */
function atLimits(): Judged {
  const load = { request: "GET /", rounds: 1, secondsPerRun: 1 };
  const one = spreadOf([1]);
  return {
    sizes: [
      { worker: "router", kind: "router", bytes: 1, gzipBytes: LIMITS.routerGzipBytes, budget },
      { worker: "auth", kind: "service", bytes: 1, gzipBytes: LIMITS.serviceGzipBytes, budget },
      { worker: "monolith", kind: "monolith", bytes: 100_000, gzipBytes: 20_000, budget },
    ],
    startup: {
      runs: 1,
      bundles: [
        {
          bundle: "router",
          kind: "router",
          ms: one,
          vsBare: spreadOf([LIMITS.routerStartupVsBare]),
        },
        {
          bundle: "auth",
          kind: "service",
          ms: one,
          vsBare: spreadOf([LIMITS.serviceStartupVsBare]),
        },
        { bundle: "monolith", kind: "monolith", ms: one, vsBare: spreadOf([9]) },
      ],
    },
    overhead: {
      ...load,
      connections: 10,
      direct: path("browse directly"),
      routed: path("through the router"),
      addedP50Ms: spreadOf([1.999]),
      ratios: { p50: one, p99: one, requestsPerSecond: one },
    },
    fallback: {
      ...load,
      blue: path("monolith (blue side)"),
      fallback: path("fallback"),
      skipped: path("skipped"),
      added: { fallback: { p50Ms: one, p99Ms: one }, skipped: { p50Ms: one, p99Ms: one } },
    },
    split: {
      keys: 10,
      weights: [25],
      shares: [{ service: "browse", weight: 25, percent: 24 }],
      movedBack: 0,
      undecided: 0,
    },
  };
}

function missed(results: Judged) {
  return judgeTargets(results)
    .filter((target) => !target.met)
    .map(({ what, found }) => `${what}: ${found}`);
}

describe("judgeTargets", () => {
  it("meets every target at its limit", () => {
    expect(missed(atLimits())).toEqual([]);
  });

  it("misses each target just past its limit, naming what missed it", () => {
    const past = atLimits();
    past.sizes[0]!.gzipBytes = LIMITS.routerGzipBytes + 1;
    past.sizes[1]!.gzipBytes = 13_000;
    past.sizes[2]!.bytes = 100_001;
    past.startup.bundles[0]!.vsBare = spreadOf([1.21]);
    past.startup.bundles[1]!.vsBare = spreadOf([1.31]);
    past.overhead.addedP50Ms = spreadOf([2]);
    past.fallback.fallback = path("fallback", 3);
    past.split.shares[0]!.percent = 26.5;
    past.split.movedBack = 1;
    expect(missed(past)).toEqual([
      "every service ≤ 12.0 KB gzip: over: auth 12.7 KB (13000 B)",
      "router ≤ 10.0 KB gzip: over: router 10.0 KB (10241 B)",
      "every worker within its budget in bundle-budgets.json (share of the tighter limit): over: monolith 100.0%",
      "every service's start-up ≤ 1.3x the bare Hono app's (median): over: auth 1.310x",
      "router's start-up ≤ 1.2x the bare Hono app's (median): over: router 1.210x",
      "router adds under 2 ms at p50 (median of the rounds): 2.00 ms",
      "every load-run answer was a 200 with the x-served-by its path claims: fallback: 3 not; statuses 200 ×10, x-served-by browse ×10",
      "green share within ±1 pp of the weight at 25: over: browse@25 1.50 pp off",
      "the split is sticky: no key green→blue as the weight rises, the same key decides the same twice: 1 moved back, 0 decided differently, over 10 keys",
    ]);
  });

  it("misses a size or start-up target when nothing of that kind was measured", () => {
    const none = atLimits();
    none.startup.bundles = none.startup.bundles.filter((bundle) => bundle.kind !== "router");
    expect(missed(none)).toEqual([
      "router's start-up ≤ 1.2x the bare Hono app's (median): nothing measured",
    ]);
  });
});
