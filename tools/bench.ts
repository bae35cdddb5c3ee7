// Benchmarks behind the size and speed targets (kept out of the tests): esbuild time for every
// worker, bundle sizes against their budgets, workerd start-up per worker (services vs the
// monolith), and the latency the router adds in front of a service. Every loop is bounded.

import { resolve } from "node:path";
import { Miniflare } from "miniflare";
import { COMMON_FLAGS, integerFlag, runCommand } from "../cli/args.ts";
import { offlineConfig, PLACEHOLDER_JWT_SECRET, readStackFile } from "../cli/stack-file.ts";
import { textTable } from "../cli/text-table.ts";
import { formatBytes } from "../infra/budgets.ts";
import { buildWorkers } from "../infra/build.ts";
import { DEFAULT_COMPATIBILITY_DATE } from "../infra/config.ts";
import { type PlatformPlan, planPlatform } from "../infra/plan.ts";
import { bindingNameOf, SERVICE_NAMES } from "../shared/workers.ts";

const ROOT = resolve(import.meta.dirname, "..");
const JWT_SECRET = PLACEHOLDER_JWT_SECRET;
const EMPTY_WORKER = "export default { fetch() { return new Response(null, { status: 404 }) } }";
const WARM_UP = 20;
/** What a service worker is given in every benchmark; the router's bindings differ. */
const SERVICE_BINDINGS = { d1Databases: { DB: "bench" }, bindings: { JWT_SECRET } };

function workerOptions(script: string) {
  return { modules: true, script, compatibilityDate: DEFAULT_COMPATIBILITY_DATE };
}

const COMMAND = {
  usage: "npm run bench -- [--runs <1-50>] [--requests <10-5000>] [--json]",
  summary:
    "Measures what the size and speed targets are about, on the staging stack's plan: esbuild time, bundle sizes against bundle-budgets.json, workerd start-up per worker and the latency the router adds; exit 1 when a target is missed.",
  flags: {
    runs: { type: "string", value: "<1-50>", help: "builds and start-ups per worker (default 5)" },
    requests: {
      type: "string",
      value: "<10-5000>",
      help: `requests for the router overhead, after ${WARM_UP} warm-up (default 300)`,
    },
    json: COMMON_FLAGS.json,
  },
  examples: [
    "npm run bench                                  # about a minute",
    "npm run bench -- --runs 1 --requests 20 --json # a quick look, as data",
  ],
} as const;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function median(runs: number, body: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await body();
    times.push(performance.now() - start);
  }
  return percentile(times, 50);
}

/**
 * Time from creating a workerd instance with one worker to its first answer (a 404 for a path no
 * worker serves, so no database is touched). An empty worker gives the cost of workerd itself.
 */
async function startup(code: string): Promise<void> {
  const mf = new Miniflare({ ...workerOptions(code), ...SERVICE_BINDINGS });
  try {
    await (await mf.dispatchFetch("http://bench.local/__bench/startup")).arrayBuffer();
  } finally {
    await mf.dispose();
  }
}

/** Latency of the same GET sent to the browse service directly and through the router. */
async function benchRouterOverhead(plan: PlatformPlan, requests: number) {
  // Every service at 100 so the router forwards to the service, never the monolith.
  const rollout = Object.fromEntries(SERVICE_NAMES.map((s) => [s, 100]));
  const mf = new Miniflare({
    workers: plan.workers.map((worker) => ({
      name: worker.spec.name,
      ...workerOptions(worker.build.code),
      ...(worker.spec.kind === "router"
        ? {
            bindings: { CONFIG: { ...plan.routerConfig, rollout }, JWT_SECRET },
            serviceBindings: Object.fromEntries(
              [...SERVICE_NAMES, "monolith" as const].map((s) => [bindingNameOf(s), s]),
            ),
          }
        : SERVICE_BINDINGS),
    })),
  });
  try {
    const db = await mf.getD1Database("DB", "browse");
    for (const migration of plan.migrations) {
      await db.batch(migration.statements.map((statement) => db.prepare(statement)));
    }
    const browse = (await mf.getWorker("browse")) as unknown as {
      fetch(url: string): Promise<Response>;
    };
    const url = "http://bench.local/api/browse/pitches?limit=5";
    const direct: number[] = [];
    const routed: number[] = [];
    for (let i = 0; i < requests + WARM_UP; i++) {
      const t0 = performance.now();
      await (await browse.fetch(url)).arrayBuffer();
      const t1 = performance.now();
      await (await mf.dispatchFetch(url)).arrayBuffer();
      const t2 = performance.now();
      if (i >= WARM_UP) {
        direct.push(t1 - t0);
        routed.push(t2 - t1);
      }
    }
    return {
      directP50: percentile(direct, 50),
      directP95: percentile(direct, 95),
      routedP50: percentile(routed, 50),
      routedP95: percentile(routed, 95),
    };
  } finally {
    await mf.dispose();
  }
}

await runCommand(COMMAND, async (flags) => {
  const runs = integerFlag(flags.runs, "runs", { min: 1, max: 50, fallback: 5 });
  const requests = integerFlag(flags.requests, "requests", { min: 10, max: 5000, fallback: 300 });
  // The program's own plan: the builds, budgets and router CONFIG a deploy of staging would use.
  const file = readStackFile(ROOT, "staging");
  const config = offlineConfig(file.text, file.source);
  const plan = await planPlatform({ config, stack: file.stack, root: ROOT, source: file.source });
  const specs = plan.workers.map((worker) => worker.spec);
  const buildAllMs = await median(runs, () => buildWorkers(specs, ROOT));
  // The plan's own budget lines, checked already; `worker` names the worker in the JSON.
  const sizes = plan.workers.map(({ budget: { name, ...line } }) => ({ worker: name, ...line }));
  const startups = [{ worker: "(empty)", ms: await median(runs, () => startup(EMPTY_WORKER)) }];
  for (const { spec, build } of plan.workers.filter((worker) => worker.spec.kind !== "router")) {
    startups.push({ worker: spec.name, ms: await median(runs, () => startup(build.code)) });
  }
  const overhead = await benchRouterOverhead(plan, requests);

  // The targets the issues set; a miss makes the run fail so it cannot go unnoticed.
  const targets = [
    { what: "esbuild, all workers, under 1 s", met: buildAllMs < 1000 },
    {
      what: "every worker within its budget in bundle-budgets.json",
      met: sizes.every((s) => s.bytes <= s.budget.maxBytes && s.gzipBytes <= s.budget.maxGzipBytes),
    },
    {
      what: "router adds under 2 ms at the median",
      met: overhead.routedP50 - overhead.directP50 < 2,
    },
  ];
  const result = { buildAllMs, sizes, startups, overhead, targets, runs, requests };

  const ms = (value: number, digits = 0) => `${value.toFixed(digits)} ms`;
  const sizeRows = sizes.map((s) => [
    s.worker,
    ...[s.bytes, s.gzipBytes, s.budget.maxGzipBytes].map(formatBytes),
  ]);
  const startupRows = startups.map((s) => [s.worker, ms(s.ms)]);
  const text = [
    `esbuild, all ${specs.length} workers in parallel: ${ms(buildAllMs)} (median of ${runs})\n`,
    ...textTable([["worker", "bytes", "gzip", "gzip budget"], ...sizeRows], { indent: "" }),
    `\nworkerd start-up to first answer (median of ${runs}):`,
    ...textTable(startupRows, { right: [1] }),
    `\nGET /api/browse/pitches over ${requests} requests (after ${WARM_UP} warm-up):`,
    ...textTable([
      ["browse directly", `p50 ${ms(overhead.directP50, 2)}`, `p95 ${ms(overhead.directP95, 2)}`],
      ["through router", `p50 ${ms(overhead.routedP50, 2)}`, `p95 ${ms(overhead.routedP95, 2)}`],
    ]),
    "\ntargets:",
    ...targets.map((target) => `  ${target.met ? "✓" : "✗"} ${target.what}`),
  ];
  console.log(flags.json ? JSON.stringify(result, null, 2) : text.join("\n"));
  return targets.every((target) => target.met) ? 0 : 1;
});
