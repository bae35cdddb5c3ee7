// One worker build: an ES module whose sizes, hash and metafile describe exactly the code that is
// deployed, and a failure that names the worker, its entry and the error's location.

import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { BuildError, buildWorker, buildWorkers, type WorkerBuild } from "./build.ts";
import { type WorkerSpec, workerSpec } from "./topology.ts";

const ROOT = resolve(import.meta.dirname, "..");

describe("buildWorker", () => {
  let build: WorkerBuild;
  beforeAll(async () => {
    build = await buildWorker(workerSpec("browse"), ROOT);
  });

  it("produces an ES module named after the worker", () => {
    expect(build.name).toBe("browse");
    expect(build.mainModule).toBe("browse.js");
    expect(build.code).toMatch(/export\s*\{[^}]*as default/);
  });

  it("measures and hashes the code it returns", () => {
    const bytes = Buffer.from(build.code, "utf8");
    expect(build.bytes).toBe(bytes.byteLength);
    expect(build.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(gunzipSync(gzipSync(bytes)).equals(bytes)).toBe(true);
    expect(build.gzipBytes).toBeGreaterThan(0);
    expect(build.gzipBytes).toBeLessThan(build.bytes);
  });

  it("keeps metafile paths relative to the repo, and no absolute paths in the code", () => {
    const inputs = Object.keys(build.metafile.outputs[build.mainModule]?.inputs ?? {});
    expect(inputs).toContain("services/browse/src/index.ts");
    for (const input of inputs) expect(input.startsWith("/")).toBe(false);
    expect(build.code).not.toContain(ROOT);
  });
});

describe("failures", () => {
  const brokenRoot = () => {
    const root = mkdtempSync(join(tmpdir(), "build-"));
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src/index.ts"), "export default {\n  fetch() { return ; ,\n};\n");
    return root;
  };
  const broken: WorkerSpec = { ...workerSpec("creator"), entry: "src/index.ts" };

  it("names the worker, its entry and where the error is", async () => {
    const error = await buildWorker(broken, brokenRoot()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as Error).message).toMatch(
      /^worker "creator" \(src\/index\.ts\) failed to build:\n {2}src\/index\.ts:2: /,
    );
  });

  it("reports every failing worker, not just the first", async () => {
    const root = brokenRoot();
    const specs = [broken, { ...broken, name: "investor" as const }];
    const error = await buildWorkers(specs, root).catch((e: unknown) => e);
    expect((error as Error).message).toContain('worker "creator" (src/index.ts) failed to build');
    expect((error as Error).message).toContain('worker "investor" (src/index.ts) failed to build');
  });
});
