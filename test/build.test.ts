// Builds are deterministic: the same tree gives byte-identical bundles, also when checked out at
// another path, so an unchanged worker keeps its sha256 and `pulumi preview` shows no diff.

import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildWorkers, type WorkerBuild } from "../infra/build.ts";
import { WORKERS } from "../infra/topology.ts";

const ROOT = resolve(import.meta.dirname, "..");
const COPIED = ["infra", "services", "shared", "package.json", "tsconfig.json"];

const hashes = (builds: Map<string, WorkerBuild>) =>
  Object.fromEntries([...builds].map(([name, build]) => [name, build.sha256]));

describe("build determinism", () => {
  const copy = mkdtempSync(join(tmpdir(), "platform-copy-"));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("gives byte-identical bundles for two builds of the same tree", async () => {
    const first = await buildWorkers(WORKERS, ROOT);
    const second = await buildWorkers(WORKERS, ROOT);
    expect(hashes(second)).toEqual(hashes(first));
    for (const [name, build] of first) expect(second.get(name)?.code).toBe(build.code);
  });

  it("gives byte-identical bundles for a copy of the repo at another path", async () => {
    for (const entry of COPIED) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    const here = await buildWorkers(WORKERS, ROOT);
    const there = await buildWorkers(WORKERS, copy);
    expect(hashes(there)).toEqual(hashes(here));
    expect(Object.keys(hashes(here))).toHaveLength(WORKERS.length);
  });
});
