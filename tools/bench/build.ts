// Bundle sizes as the plan holds them (its budget lines, already checked against
// bundle-budgets.json), and esbuild's time for every worker: cold, as `pulumi up` builds them, and
// incremental, as `npm run dev` rebuilds them (one esbuild context per worker).

import * as esbuild from "esbuild";
import type { Budget } from "../../infra/budgets.ts";
import { buildOptions, buildWorkers } from "../../infra/build.ts";
import type { PlatformPlan } from "../../infra/plan.ts";
import type { WorkerSpec } from "../../infra/topology.ts";
import type { WorkerName } from "../../shared/workers.ts";
import { type Spread, spreadOf } from "./results.ts";

export interface SizeFigure {
  worker: WorkerName;
  kind: WorkerSpec["kind"];
  bytes: number;
  gzipBytes: number;
  budget: Budget;
}

export interface BuildFigures {
  workers: number;
  /** `buildWorkers` from infra/build.ts: every worker from scratch, in parallel. */
  coldMs: Spread;
  /** `rebuild()` of every worker's esbuild context at once, after a first build, nothing changed. */
  incrementalMs: Spread;
}

export function sizesOf(plan: PlatformPlan): SizeFigure[] {
  return plan.workers.map(({ spec, budget: { name, ...line } }) => ({
    worker: name,
    kind: spec.kind,
    ...line,
  }));
}

export async function measureBuilds(
  plan: PlatformPlan,
  root: string,
  rounds: number,
): Promise<BuildFigures> {
  const specs = plan.workers.map((worker) => worker.spec);
  const contexts = await Promise.all(
    specs.map((spec) => esbuild.context(buildOptions(spec, root))),
  );
  try {
    await Promise.all(contexts.map((context) => context.rebuild()));
    const cold: number[] = [];
    const incremental: number[] = [];
    for (let round = 0; round < rounds; round++) {
      cold.push(await timed(() => buildWorkers(specs, root)));
      incremental.push(await timed(() => Promise.all(contexts.map((c) => c.rebuild()))));
    }
    return { workers: specs.length, coldMs: spreadOf(cold), incrementalMs: spreadOf(incremental) };
  } finally {
    await Promise.all(contexts.map((context) => context.dispose()));
  }
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}
