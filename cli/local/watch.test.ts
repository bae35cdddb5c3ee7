// watchWorkers on a throw-away source tree: a saved change is reported once with the new bundle,
// an unchanged rebuild is not, and a build error is reported without replacing the last good one.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildWorkers, type WorkerBuild } from "../../infra/build.ts";
import type { WorkerSpec } from "../../infra/topology.ts";
import { type WorkerWatcher, watchWorkers } from "./watch.ts";

const root = mkdtempSync(join(tmpdir(), "platform-watch-"));
const spec: WorkerSpec = {
  name: "browse",
  kind: "service",
  entry: "worker.ts",
  pathPrefixes: ["/api/browse"],
  ownsTables: [],
  bindings: [],
  publicRoutes: [],
  blueSide: true,
};
const source = (word: string) =>
  `export default { fetch() { return new Response(${JSON.stringify(word)}) } };\n`;

let watcher: WorkerWatcher | undefined;

afterAll(async () => {
  await watcher?.dispose();
  rmSync(root, { recursive: true, force: true });
});

async function until<T>(read: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing within ${timeoutMs} ms`);
}

describe("watchWorkers", () => {
  it("reports changed bundles and build errors, keeping the last good bundle", async () => {
    writeFileSync(join(root, "worker.ts"), source("first"));
    const initial = await buildWorkers([spec], root);
    const changes: WorkerBuild[][] = [];
    const errors: string[] = [];
    watcher = await watchWorkers({
      specs: [spec],
      root,
      initial,
      debounceMs: 50,
      onChange: async (changed) => {
        changes.push(changed);
      },
      onBuildError: (message) => errors.push(message),
    });
    // The initial watch build equals the running bundle: no change reported.
    await new Promise((r) => setTimeout(r, 400));
    expect(changes).toEqual([]);

    writeFileSync(join(root, "worker.ts"), source("second"));
    const change = await until(() => changes[0]);
    expect(change.map((build) => build.name)).toEqual(["browse"]);
    expect(change[0]?.code).toContain("second");

    writeFileSync(join(root, "worker.ts"), "export default { fetch( };\n");
    const error = await until(() => errors[0]);
    expect(error).toMatch(/^worker "browse" \(worker\.ts\) failed to build:\n {2}worker\.ts:1: /);
    expect(changes).toHaveLength(1);

    writeFileSync(join(root, "worker.ts"), source("third"));
    const fixed = await until(() => changes[1]);
    expect(fixed[0]?.code).toContain("third");
  }, 30_000);
});
