// Dev mode: one esbuild context per worker, with the program's own build options, watching the
// files each bundle reads. Changed bundles are reported together after a short quiet period; a
// failed build is reported and the worker keeps its last good bundle.

import * as esbuild from "esbuild";
import { BuildError, buildOptions, toWorkerBuild, type WorkerBuild } from "../../infra/build.ts";
import type { WorkerSpec } from "../../infra/topology.ts";
import type { WorkerName } from "../../shared/workers.ts";

export interface WatchInput {
  specs: readonly WorkerSpec[];
  root: string;
  /** The bundles running now; a rebuild with the same sha256 is not a change. */
  initial: ReadonlyMap<WorkerName, WorkerBuild>;
  /** Every worker's latest good bundle, and which of them changed. Calls never overlap. */
  onChange(builds: Map<WorkerName, WorkerBuild>, changed: WorkerName[]): Promise<void>;
  onBuildError(message: string): void;
  debounceMs?: number;
}

export interface WorkerWatcher {
  dispose(): Promise<void>;
}

export async function watchWorkers(input: WatchInput): Promise<WorkerWatcher> {
  const latest = new Map(input.initial);
  const changed = new Set<WorkerName>();
  let timer: NodeJS.Timeout | undefined;
  let queue = Promise.resolve();
  let disposed = false;

  const flush = () => {
    timer = undefined;
    if (disposed || changed.size === 0) return;
    const names = [...changed];
    changed.clear();
    const snapshot = new Map(latest);
    queue = queue.then(() => input.onChange(snapshot, names)).catch(() => {});
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, input.debounceMs ?? 150);
  };

  const contexts = await Promise.all(
    input.specs.map((spec) =>
      esbuild.context({
        ...buildOptions(spec, input.root),
        plugins: [
          {
            name: "report-rebuilds",
            setup(build) {
              build.onEnd((result) => {
                if (disposed) return;
                if (result.errors.length > 0) {
                  input.onBuildError(new BuildError(spec.name, spec.entry, result).message);
                  return;
                }
                const next = toWorkerBuild(
                  spec,
                  result as esbuild.BuildResult<{ metafile: true; write: false }>,
                );
                if (next.sha256 === latest.get(spec.name)?.sha256) return;
                latest.set(spec.name, next);
                changed.add(spec.name);
                schedule();
              });
            },
          },
        ],
      }),
    ),
  );
  await Promise.all(contexts.map((context) => context.watch()));

  return {
    async dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      await Promise.all(contexts.map((context) => context.dispose()));
      await queue;
    },
  };
}
