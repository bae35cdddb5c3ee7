// Start-up of a worker bundle as V8 sees it on a cold isolate: compile and evaluate the module in
// a fresh isolate (a Node worker thread has its own), nothing else. Bundles are measured in turns
// (one of each, then again) so a slow moment of the machine falls on all of them alike.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

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
export async function startupTimes(bundles: Bundle[], runs: number): Promise<Map<string, number[]>> {
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
