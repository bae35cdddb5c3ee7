// Builds workers with esbuild, in memory and in parallel. The output depends only on the source
// tree (not on where it is checked out or when), so an unchanged worker keeps its sha256 and
// `pulumi preview` shows no diff for it.

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import type { WorkerName } from "../shared/workers.ts";
import type { MonolithSpec, WorkerSpec } from "./topology.ts";
import { leaveOutUnusedHono } from "./unused-hono.ts";

export interface WorkerBuild {
  name: WorkerName;
  /** The ES module, as deployed. */
  code: string;
  bytes: number;
  gzipBytes: number;
  /** Hex sha256 of `code`. */
  sha256: string;
  /** esbuild's metafile; input paths are relative to the repo root. */
  metafile: esbuild.Metafile;
  /** Output file name used inside the metafile (and as the script's main module). */
  mainModule: string;
}

/**
 * The stand-in monolith's entry, generated from the table: it mounts every service with a blue
 * side, so a service is composed by being in the table, never by a hand-written import.
 */
export function monolithEntrySource(spec: MonolithSpec): string {
  const imports = spec.composes.map(
    (name, i) => `import app${i} from "./services/${name}/src/index.ts";`,
  );
  const apps = spec.composes.map((name, i) => `${JSON.stringify(name)}: app${i}`);
  return [
    `import { monolithApp } from "./${spec.entry}";`,
    ...imports,
    `export default monolithApp({ ${apps.join(", ")} });`,
    "",
  ].join("\n");
}

/** esbuild options for one worker; `npm run dev` reuses them for watch mode. */
export function buildOptions(spec: WorkerSpec, root: string) {
  const entry =
    spec.kind === "monolith"
      ? {
          stdin: {
            contents: monolithEntrySource(spec),
            resolveDir: root,
            sourcefile: "services/monolith/entry.generated.ts",
            loader: "ts" as const,
          },
        }
      : { entryPoints: [spec.entry] };
  return {
    absWorkingDir: root,
    ...entry,
    outfile: `${spec.name}.js`,
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*", "node:*"],
    minify: true,
    treeShaking: true,
    legalComments: "none",
    charset: "utf8",
    sourcemap: false,
    metafile: true,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [leaveOutUnusedHono()],
  } satisfies esbuild.BuildOptions;
}

/** Turns esbuild's result into a WorkerBuild; exported for watch mode, which gets results itself. */
export function toWorkerBuild(
  spec: WorkerSpec,
  result: esbuild.BuildResult<{ metafile: true; write: false }>,
): WorkerBuild {
  const output = result.outputFiles.find((file) => file.path.endsWith(`${spec.name}.js`));
  if (!output) throw new Error(`esbuild produced no output for worker "${spec.name}"`);
  const code = output.text;
  return {
    name: spec.name,
    code,
    bytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents, { level: 9 }).byteLength,
    sha256: createHash("sha256").update(output.contents).digest("hex"),
    metafile: result.metafile,
    mainModule: `${spec.name}.js`,
  };
}

export async function buildWorker(spec: WorkerSpec, root: string): Promise<WorkerBuild> {
  try {
    const result = await esbuild.build(buildOptions(spec, resolve(root)));
    return toWorkerBuild(spec, result);
  } catch (error) {
    throw new BuildError(spec.name, spec.entry, error);
  }
}

/** Builds every given worker at once; fails with every worker's errors, not just the first. */
export async function buildWorkers(
  specs: readonly WorkerSpec[],
  root: string,
): Promise<Map<WorkerName, WorkerBuild>> {
  const settled = await Promise.allSettled(specs.map((spec) => buildWorker(spec, root)));
  const failures = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as Error] : []));
  if (failures.length > 0) {
    throw new Error(`build failed:\n${failures.map((f) => f.message).join("\n")}`);
  }
  const builds = new Map<WorkerName, WorkerBuild>();
  for (const s of settled) if (s.status === "fulfilled") builds.set(s.value.name, s.value);
  return builds;
}

export class BuildError extends Error {
  constructor(worker: string, entry: string, cause: unknown) {
    const details =
      cause && typeof cause === "object" && "errors" in cause && Array.isArray(cause.errors)
        ? (cause.errors as esbuild.Message[])
            .map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`)
            .join("\n")
        : `  ${String(cause)}`;
    super(`worker "${worker}" (${entry}) failed to build:\n${details}`);
    this.name = "BuildError";
  }
}
