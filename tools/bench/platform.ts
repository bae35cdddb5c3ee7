// The one workerd the latency runs share: the plan's workers as the local platform runs them
// (cli/local/platform.ts `miniflareOptionsFor`: the plan's settings and bindings), three more
// routers that differ only in CONFIG and in where BROWSE points, and a browse stand-in that fails.
// Each router and browse get a socket of their own on 127.0.0.1, so no request passes through
// Miniflare's entry worker or Node. The D1 has the plan's migrations and 20 published pitches.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Miniflare, type WorkerOptions } from "miniflare";
import { stateLayout } from "../../cli/local/local-config.ts";
import { LOCAL_HOST, miniflareOptionsFor } from "../../cli/local/platform.ts";
import { applyMigrations } from "../../infra/migrations/apply.ts";
import { d1Executor } from "../../infra/migrations/d1-binding.ts";
import type { PlatformPlan } from "../../infra/plan.ts";
import type { D1Database } from "../../shared/d1.ts";
import { MAX_SKIP_AFTER_FAILURES, type UpstreamPolicy } from "../../shared/router-config.ts";
import { bindingNameOf, SERVICE_NAMES } from "../../shared/workers.ts";

/** The request every latency figure is about: a public read that touches D1. */
export const BROWSE_PATH = "/api/browse/pitches?limit=5";
/** The only request the failing stand-in answers with a 200; it ends a router's failure streak. */
const STAND_IN_OK_PATH = "/api/browse/__bench_ok";
const FAILING_BROWSE = "browse-failing";

/** Each router's CONFIG over the plan's: weights, and browse's skip policy. */
const ROUTERS = {
  /** Every service at 100: the router forwards to the service. */
  router: { browseWeight: 100, browse: {} },
  /** browse at 0: the monolith answers as the blue side. */
  "router-blue": { browseWeight: 0, browse: {} },
  /** browse fails; the most failures in a row CONFIG allows before a skip (config-binding.ts). */
  "router-fallback": {
    browseWeight: 100,
    browse: { skipAfterFailures: MAX_SKIP_AFTER_FAILURES },
    failing: true,
  },
  /** browse fails; skipped after one failure, for longer than any run. */
  "router-skip": {
    browseWeight: 100,
    browse: { skipAfterFailures: 1, skipForMs: 3_600_000 },
    failing: true,
  },
} satisfies Record<string, RouterVariant>;

interface RouterVariant {
  browseWeight: number;
  browse: Partial<UpstreamPolicy>;
  failing?: boolean;
}

/** Answers 500 as a failing service would, except on STAND_IN_OK_PATH. */
const FAILING_SCRIPT = `export default {
  fetch(request) {
    if (new URL(request.url).pathname === ${JSON.stringify(STAND_IN_OK_PATH)}) return new Response("ok");
    const error = { code: "bench_failure", message: "The bench's stand-in always fails.", requestId: "bench" };
    return Response.json({ error }, { status: 500 });
  },
};
`;

const SEED = [
  "INSERT INTO users (id, email, name, role, password_hash, password_salt, password_iterations, created_at) VALUES ('bench-creator', 'bench@example.com', 'Bench Creator', 'creator', 'x', 'x', 1, '2025-01-01T00:00:00.000Z')",
  "INSERT INTO pitches (id, creator_id, title, logline, genre, budget_min, budget_max, status, created_at, updated_at, published_at) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) SELECT 'bench-pitch-' || i, 'bench-creator', 'Pitch ' || i, 'A logline for the bench.', 'drama', 1000, 5000, 'published', '2025-01-02T00:00:00.000Z', '2025-01-02T00:00:00.000Z', printf('2025-01-02T00:%02d:00.000Z', i) FROM n",
];

export type BenchTarget = keyof typeof ROUTERS | "browse";

export interface BenchPlatform {
  /** `BROWSE_PATH` on a target's own socket. */
  urlOf(target: BenchTarget): string;
  /**
   * Until the returned function is called, a success from browse through router-fallback every
   * 100 ms: its failures in a row start again from 0, so it never reaches its skip threshold.
   */
  holdOffFallbackSkip(): () => void;
  dispose(): Promise<void>;
}

export async function startBenchPlatform(plan: PlatformPlan): Promise<BenchPlatform> {
  const dir = mkdtempSync(join(tmpdir(), "bench-platform-"));
  const silent = { info: () => {}, error: () => {} };
  const base = miniflareOptionsFor({
    plan,
    state: stateLayout(dir),
    output: silent,
    logPrefix: false,
  });
  // miniflareOptionsFor always gives one worker per planned worker.
  const planned = (base as { workers: WorkerOptions[] }).workers;
  const router = planned.find((worker) => worker.name === "router");
  if (!router) throw new Error("the plan has no router worker");
  const socket = { unsafeDirectSockets: [{ host: LOCAL_HOST, port: 0 }] };
  // The routers first, as in the plan: Miniflare's entry worker serves the first one.
  const workers: WorkerOptions[] = [
    ...Object.entries(ROUTERS).map(([name, variant]) => ({
      ...routerVariant(plan, router, name, variant),
      ...socket,
    })),
    ...planned
      .filter((worker) => worker !== router)
      .map((worker) => (worker.name === "browse" ? { ...worker, ...socket } : worker)),
    {
      name: FAILING_BROWSE,
      modules: true,
      script: FAILING_SCRIPT,
      compatibilityDate: router.compatibilityDate,
    },
  ];
  const mf = new Miniflare({
    ...base,
    // Every fallback logs a line: drained unread, so parsing them costs the load generator nothing.
    structuredWorkerdLogs: false,
    handleStructuredLogs: undefined,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume();
      stderr.resume();
    },
    workers,
  });
  try {
    const db = (await mf.getD1Database("DB", "browse")) as unknown as D1Database;
    await applyMigrations(d1Executor(db), plan.migrations);
    await db.batch(SEED.map((statement) => db.prepare(statement))).catch((error: Error) => {
      throw new Error(
        `the bench's pitches could not be stored (${error.message}); make SEED in tools/bench/platform.ts match shared/migrations`,
      );
    });
    const targets: BenchTarget[] = ["browse", ...(Object.keys(ROUTERS) as BenchTarget[])];
    const origins = new Map<BenchTarget, string>();
    for (const target of targets) {
      origins.set(target, (await mf.unsafeGetDirectURL(target)).origin);
    }
    const originOf = (target: BenchTarget) => origins.get(target) as string;
    return {
      urlOf: (target) => `${originOf(target)}${BROWSE_PATH}`,
      holdOffFallbackSkip() {
        const url = `${originOf("router-fallback")}${STAND_IN_OK_PATH}`;
        // A lost ping shows as `monolith-skipped` answers, which fail the run.
        const ping = () =>
          fetch(url)
            .then((answer) => answer.arrayBuffer())
            .catch(() => {});
        const timer = setInterval(ping, 100);
        return () => clearInterval(timer);
      },
      async dispose() {
        await mf.dispose();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await mf.dispose().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The plan's router with its CONFIG changed, and BROWSE pointing at the stand-in if failing. */
function routerVariant(
  plan: PlatformPlan,
  router: WorkerOptions,
  name: string,
  variant: RouterVariant,
): WorkerOptions {
  const config = plan.routerConfig;
  const rollout = Object.fromEntries(SERVICE_NAMES.map((service) => [service, 100]));
  const browse = bindingNameOf("browse");
  return {
    ...router,
    name,
    bindings: {
      ...router.bindings,
      CONFIG: {
        ...config,
        rollout: { ...rollout, browse: variant.browseWeight },
        upstreams: {
          ...config.upstreams,
          browse: { ...config.upstreams?.browse, ...variant.browse },
        },
      },
    },
    serviceBindings: {
      ...router.serviceBindings,
      ...(variant.failing ? { [browse]: FAILING_BROWSE } : {}),
    },
  };
}
