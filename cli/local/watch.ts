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
  /** The new bundles since the last call, at most one per worker. Calls never overlap. */
  onChange(changed: WorkerBuild[]): Promise<void>;
  onBuildError(message: string): void;
  debounceMs?: number;
}

export type WorkerWatcher = Awaited<ReturnType<typeof watchWorkers>>;

export async function watchWorkers(input: WatchInput) {
  const latest = new Map(input.initial);
  const changed = new Map<WorkerName, WorkerBuild>();
  let timer: NodeJS.Timeout | undefined;
  let queue = Promise.resolve();
  let disposed = false;

  const flush = () => {
    if (disposed || changed.size === 0) return;
    const builds = [...changed.values()];
    changed.clear();
    queue = queue.then(() => input.onChange(builds)).catch(() => {});
  };
  const onEnd = (spec: WorkerSpec, result: esbuild.BuildResult) => {
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
    changed.set(spec.name, next);
    clearTimeout(timer);
    timer = setTimeout(flush, input.debounceMs ?? 150);
  };

  const contexts = await Promise.all(
    input.specs.map((spec) =>
      esbuild.context({
        ...buildOptions(spec, input.root),
        plugins: [
          { name: "report-rebuilds", setup: (build) => build.onEnd((end) => onEnd(spec, end)) },
        ],
      }),
    ),
  );
  await Promise.all(contexts.map((context) => context.watch()));
  return {
    async dispose(): Promise<void> {
      disposed = true;
      clearTimeout(timer);
      await Promise.all(contexts.map((context) => context.dispose()));
      await queue;
    },
  };
}
