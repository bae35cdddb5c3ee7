// Start-up of a worker bundle as V8 sees it on a cold isolate: compile and evaluate the module in
// a fresh isolate (a Node worker thread has its own), nothing else. Bundles are measured in turns
// (one of each, then again) so a slow moment of the machine falls on all of them alike, and each
// worker is compared with a bare Hono app and the monolith within the same turn.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import * as esbuild from "esbuild";
import { buildOptions } from "../../infra/build.ts";
import type { PlatformPlan } from "../../infra/plan.ts";
import type { WorkerSpec } from "../../infra/topology.ts";
import { ratios, type Spread, spreadOf } from "./results.ts";

export interface Bundle {
  name: string;
  code: string;
}

/** Runs in the fresh isolate: time from before the import to the module evaluated. */
const PROBE = `
const { parentPort, workerData } = require("node:worker_threads");
// An empty module file first, so Node's module loader is set up before the clock starts.
import(workerData.replace(/[^/]*$/, "empty.mjs"))
  .then(() => {
    const start = performance.now();
    return import(workerData).then(() => performance.now() - start);
  })
  .then(
    (ms) => parentPort.postMessage({ ms }),
    (error) => parentPort.postMessage({ error: String((error && error.stack) || error) }),
  );
`;

function evaluateOnce(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(PROBE, { eval: true, workerData: url });
    worker.once("message", (answer: { ms?: number; error?: string }) => {
      void worker.terminate();
      if (answer.error !== undefined) reject(new Error(answer.error));
      else resolve(answer.ms ?? Number.NaN);
    });
    worker.once("error", reject);
  });
}

/** `runs` start-up times (ms) of each bundle, by name. */
export async function startupTimes(
  bundles: Bundle[],
  runs: number,
): Promise<Map<string, number[]>> {
  const dir = mkdtempSync(join(tmpdir(), "bench-startup-"));
  try {
    writeFileSync(join(dir, "empty.mjs"), "");
    const files = bundles.map((bundle, i) => {
      const file = join(dir, `${i}.mjs`);
      writeFileSync(file, bundle.code);
      return { name: bundle.name, url: pathToFileURL(file).href };
    });
    const times = new Map(bundles.map((bundle) => [bundle.name, [] as number[]]));
    // One unrecorded turn first: the first worker threads pay for Node's own warm-up.
    for (let run = -1; run < runs; run++) {
      for (const { name, url } of files) {
        const ms = await evaluateOnce(url);
        if (run >= 0) times.get(name)?.push(ms);
      }
    }
    return times;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fixed floor: what loading any module costs before its own code. */
export const EMPTY_MODULE = "(empty module)";
/** What every worker is compared with: the least a Hono worker can be, with Hono as it ships. */
export const BARE_HONO = "bare Hono app";
/** The same app without the Hono modules the workers leave out (infra/unused-hono.ts). */
export const BARE_HONO_TRIMMED = "bare Hono app, trimmed";

const BARE_HONO_SOURCE = `import { Hono } from "hono/tiny";
const app = new Hono();
app.get("/", (c) => c.json({ ok: true }));
export default app;
`;

export interface StartupFigure {
  bundle: string;
  kind?: WorkerSpec["kind"];
  ms: Spread;
  /** Per turn, this bundle's time over the bare Hono app's. */
  vsBare: Spread;
  /** Per turn, this bundle's time over the stand-in monolith's; absent without one. */
  vsMonolith?: Spread;
}

export interface StartupFigures {
  runs: number;
  bundles: StartupFigure[];
}

/** Start-up of every planned worker, the empty module and the bare Hono app, in the same turns. */
export async function measureStartup(
  plan: PlatformPlan,
  root: string,
  runs: number,
): Promise<StartupFigures> {
  const bundles: (Bundle & { kind?: WorkerSpec["kind"] })[] = [
    { name: EMPTY_MODULE, code: "" },
    { name: BARE_HONO, code: await bareHonoApp(plan.workers[0]!.spec, root, false) },
    { name: BARE_HONO_TRIMMED, code: await bareHonoApp(plan.workers[0]!.spec, root, true) },
    ...plan.workers.map(({ spec, build }) => ({
      name: spec.name,
      code: build.code,
      kind: spec.kind,
    })),
  ];
  const times = await startupTimes(bundles, runs);
  const of = (name: string) => times.get(name) ?? [];
  const monolith = plan.workers.find((worker) => worker.spec.kind === "monolith")?.spec.name;
  return {
    runs,
    bundles: bundles.map(({ name, kind }) => ({
      bundle: name,
      ...(kind ? { kind } : {}),
      ms: spreadOf(of(name)),
      vsBare: spreadOf(ratios(of(name), of(BARE_HONO))),
      ...(monolith ? { vsMonolith: spreadOf(ratios(of(name), of(monolith))) } : {}),
    })),
  };
}

/**
 * The bare app built with a worker's own esbuild settings (only the entry differs), with or
 * without the plugin that leaves out the Hono modules no worker calls.
 */
async function bareHonoApp(spec: WorkerSpec, root: string, trimmed: boolean): Promise<string> {
  const options = buildOptions(spec, root);
  const result = await esbuild.build({
    ...options,
    plugins: trimmed ? options.plugins : [],
    entryPoints: undefined,
    stdin: {
      contents: BARE_HONO_SOURCE,
      resolveDir: root,
      sourcefile: "bare-hono.ts",
      loader: "ts",
    },
    outfile: "bare-hono.js",
  });
  return result.outputFiles[0]!.text;
}
