// Benchmarks behind the size and speed targets (kept out of the tests): esbuild time for every
// worker, bundle sizes against budgets, workerd start-up per worker (services vs the monolith),
// and the latency the router adds in front of a service. Every loop is bounded.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { formatBytes, loadBudgets } from "../infra/budgets.ts";
import { buildWorkers, type WorkerBuild } from "../infra/build.ts";
import { DEFAULT_COMPATIBILITY_DATE } from "../infra/config.ts";
import { loadMigrations } from "../infra/migrations.ts";
import { routerConfigFor } from "../infra/topology.ts";
import { WORKERS } from "../infra/topology.ts";
import { bindingNameOf, SERVICE_NAMES } from "../shared/workers.ts";

const ROOT = resolve(import.meta.dirname, "..");
const JWT_SECRET = "bench-secret-bench-secret-bench-secret-0123";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    requests: { type: "string", default: "300" },
    json: { type: "boolean", default: false },
  },
});
const runs = boundedInt(flags.runs, "runs", 1, 50);
const requests = boundedInt(flags.requests, "requests", 10, 5000);

function boundedInt(value: string | undefined, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be an integer ${min}-${max}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function benchBuild(): Promise<{ medianMs: number; builds: Map<string, WorkerBuild> }> {
  const times: number[] = [];
  let builds = new Map<string, WorkerBuild>();
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    builds = await buildWorkers(WORKERS, ROOT);
    times.push(performance.now() - start);
  }
  return { medianMs: percentile(times, 50), builds };
}

/**
 * Time from creating a workerd instance with one worker to its first answer (a 404 for a path no
 * worker serves, so no database is touched). An empty worker gives the cost of workerd itself.
 */
async function benchStartup(code: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const mf = new Miniflare({
      modules: true,
      script: code,
      compatibilityDate: DEFAULT_COMPATIBILITY_DATE,
      d1Databases: { DB: "bench" },
      bindings: { JWT_SECRET },
    });
    try {
      const response = await mf.dispatchFetch("http://bench.local/__bench/startup");
      await response.arrayBuffer();
      times.push(performance.now() - start);
    } finally {
      await mf.dispose();
    }
  }
  return percentile(times, 50);
}

/** Latency of the same GET sent to the browse service directly and through the router. */
async function benchRouterOverhead(builds: Map<string, WorkerBuild>) {
  const config = routerConfigFor({
    rollout: Object.fromEntries(SERVICE_NAMES.map((s) => [s, 100])) as Record<
      (typeof SERVICE_NAMES)[number],
      number
    >,
    corsOrigins: [],
    monolith: { scriptName: "monolith", deployStandIn: true },
    workers: {},
  });
  const services = WORKERS.filter((w) => w.kind !== "router").map((w) => ({
    name: w.name,
    modules: true,
    script: builds.get(w.name)?.code ?? "",
    compatibilityDate: DEFAULT_COMPATIBILITY_DATE,
    d1Databases: { DB: "bench" },
    bindings: { JWT_SECRET },
  }));
  const mf = new Miniflare({
    workers: [
      {
        name: "router",
        modules: true,
        script: builds.get("router")?.code ?? "",
        compatibilityDate: DEFAULT_COMPATIBILITY_DATE,
        bindings: { CONFIG: config, JWT_SECRET },
        serviceBindings: Object.fromEntries(
          [...SERVICE_NAMES, "monolith" as const].map((s) => [bindingNameOf(s), s]),
        ),
      },
      ...services,
    ],
  });
  try {
    const db = await mf.getD1Database("DB", "browse");
    for (const migration of loadMigrations(resolve(ROOT, "shared/migrations"))) {
      await db.batch(migration.statements.map((statement) => db.prepare(statement)));
    }
    const browse = (await mf.getWorker("browse")) as unknown as {
      fetch(url: string): Promise<Response>;
    };
    const url = "http://bench.local/api/browse/pitches?limit=5";
    const direct: number[] = [];
    const routed: number[] = [];
    for (let i = 0; i < requests + 20; i++) {
      const t0 = performance.now();
      await (await browse.fetch(url)).arrayBuffer();
      const t1 = performance.now();
      await (await mf.dispatchFetch(url)).arrayBuffer();
      const t2 = performance.now();
      if (i >= 20) {
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

const budgets = loadBudgets(resolve(ROOT, "bundle-budgets.json"));
const build = await benchBuild();
const sizes = [...build.builds.values()].map((b) => ({
  worker: b.name,
  bytes: b.bytes,
  gzipBytes: b.gzipBytes,
  budgetGzipBytes: budgets[b.name]?.maxGzipBytes ?? null,
}));
const EMPTY_WORKER = "export default { fetch() { return new Response(null, { status: 404 }) } }";
const startups: { worker: string; ms: number }[] = [
  { worker: "(empty)", ms: await benchStartup(EMPTY_WORKER) },
];
for (const name of [...SERVICE_NAMES, "monolith"] as const) {
  const workerBuild = build.builds.get(name);
  if (workerBuild) startups.push({ worker: name, ms: await benchStartup(workerBuild.code) });
}
const overhead = await benchRouterOverhead(build.builds);

// The targets the issues set; a miss makes the run fail so it cannot go unnoticed.
const ROUTER_MAX_GZIP = 12 * 1024;
const SERVICE_MAX_GZIP = 60 * 1024;
const targets = [
  { what: "esbuild, all workers, under 1 s", met: build.medianMs < 1000 },
  {
    what: "router at most 12 KB gzip",
    met: sizes.every((s) => s.worker !== "router" || s.gzipBytes <= ROUTER_MAX_GZIP),
  },
  {
    what: "each service at most 60 KB gzip",
    met: sizes.every(
      (s) => s.worker === "router" || s.worker === "monolith" || s.gzipBytes <= SERVICE_MAX_GZIP,
    ),
  },
  {
    what: "router adds under 2 ms at the median",
    met: overhead.routedP50 - overhead.directP50 < 2,
  },
];
const result = { buildAllMs: build.medianMs, sizes, startups, overhead, targets, runs, requests };

if (flags.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(
    `esbuild, all ${build.builds.size} workers in parallel: ${build.medianMs.toFixed(0)} ms (median of ${runs})\n`,
  );
  console.log("worker       bytes      gzip       gzip budget");
  for (const s of sizes) {
    console.log(
      `${s.worker.padEnd(12)} ${formatBytes(s.bytes).padEnd(10)} ${formatBytes(s.gzipBytes).padEnd(10)} ${s.budgetGzipBytes ? formatBytes(s.budgetGzipBytes) : "-"}`,
    );
  }
  console.log(`\nworkerd start-up to first answer (median of ${runs}):`);
  for (const s of startups) console.log(`  ${s.worker.padEnd(12)} ${s.ms.toFixed(0)} ms`);
  console.log(`\nGET /api/browse/pitches over ${requests} requests (after 20 warm-up):`);
  console.log(
    `  browse directly   p50 ${overhead.directP50.toFixed(2)} ms  p95 ${overhead.directP95.toFixed(2)} ms`,
  );
  console.log(
    `  through router    p50 ${overhead.routedP50.toFixed(2)} ms  p95 ${overhead.routedP95.toFixed(2)} ms`,
  );
  console.log("\ntargets:");
  for (const target of targets) console.log(`  ${target.met ? "✓" : "✗"} ${target.what}`);
}
if (targets.some((target) => !target.met)) process.exitCode = 1;
