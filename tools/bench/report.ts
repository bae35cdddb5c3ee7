// The bench's views of one BenchResults: the sections as rows (the console prints them with
// textTable, BENCHMARKS.md as Markdown tables), the machine they were measured on, and writing
// bench/results.json and BENCHMARKS.md in the repo's format.

import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, release, totalmem, type } from "node:os";
import { dirname, join } from "node:path";
import * as esbuild from "esbuild";
import { textTable } from "../../cli/text-table.ts";
import { formatBytes } from "../../infra/budgets.ts";
import type { PathFigures } from "./load.ts";
import { benchmarksMarkdown } from "./markdown.ts";
import { type BenchResults, ms, percent, spread, times } from "./results.ts";
import { LIMITS } from "./targets.ts";

export const RESULTS_FILE = "bench/results.json";
export const MARKDOWN_FILE = "BENCHMARKS.md";
const VERSIONS_OF = ["workerd", "miniflare", "hono", "valibot", "autocannon"];

export interface Machine {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  os: string;
  node: string;
  versions: Record<string, string>;
}

export type SectionId = "sizes" | "build" | "startup" | "overhead" | "fallback" | "split";

export interface Section {
  id: SectionId;
  title: string;
  /** The first row is the header. */
  rows: string[][];
}

export function machineOf(root: string): Machine {
  const version = (name: string) =>
    (
      JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cpus: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${type()} ${release()} ${arch()}`,
    node: process.version,
    versions: {
      esbuild: esbuild.version,
      ...Object.fromEntries(VERSIONS_OF.map((name) => [name, version(name)])),
    },
  };
}

export function sectionsOf(results: BenchResults): Section[] {
  const { sizes, build, startup, overhead, fallback, split, settings } = results;
  const gzipTarget = (kind: string) =>
    kind === "service"
      ? `≤ ${formatBytes(LIMITS.serviceGzipBytes)}`
      : kind === "router"
        ? `≤ ${formatBytes(LIMITS.routerGzipBytes)}`
        : "—";
  const loadRow = (path: PathFigures) => [
    spread(path.p50Ms, ms),
    spread(path.p99Ms, ms),
    spread(path.requestsPerSecond, (v) => v.toFixed(0)),
  ];
  const { added } = fallback;
  const sharesAt = (weight: number) =>
    split.shares.filter((s) => s.weight === weight).map((s) => s.percent);
  return [
    {
      id: "sizes",
      title: "Bundle sizes",
      rows: [
        ["worker", "bytes", "gzip", "gzip budget", "gzip target"],
        ...sizes.map((s) => [
          s.worker,
          formatBytes(s.bytes),
          formatBytes(s.gzipBytes),
          formatBytes(s.budget.maxGzipBytes),
          gzipTarget(s.kind),
        ]),
      ],
    },
    {
      id: "build",
      title: `esbuild, all ${build.workers} workers (${settings.rounds} rounds)`,
      rows: [
        ["build", "ms"],
        ["cold: buildWorkers()", spread(build.coldMs, ms)],
        ["incremental: every context's rebuild()", spread(build.incrementalMs, ms)],
      ],
    },
    {
      id: "startup",
      title: `Start-up: compile + evaluate in a fresh isolate (${startup.runs} runs)`,
      rows: [
        ["bundle", "ms", "× bare Hono app", "× monolith"],
        ...startup.bundles.map((b) => [
          b.bundle,
          spread(b.ms, ms),
          spread(b.vsBare, times),
          b.vsMonolith ? spread(b.vsMonolith, times) : "—",
        ]),
      ],
    },
    {
      id: "overhead",
      title: `Router overhead: ${overhead.request}, ${overhead.connections} connections, ${overhead.rounds} × ${overhead.secondsPerRun} s`,
      rows: [
        ["path", "p50 ms", "p99 ms", "req/s"],
        [overhead.direct.path, ...loadRow(overhead.direct)],
        [overhead.routed.path, ...loadRow(overhead.routed)],
        [
          "routed ÷ direct",
          spread(overhead.ratios.p50, times),
          spread(overhead.ratios.p99, times),
          spread(overhead.ratios.requestsPerSecond, times),
        ],
        ["routed − direct", spread(overhead.addedP50Ms, ms), "", ""],
      ],
    },
    {
      id: "fallback",
      title: `Fallback path: ${fallback.request}, ${overhead.connections} connections, ${fallback.rounds} × ${fallback.secondsPerRun} s`,
      rows: [
        ["path", "x-served-by", "p50 ms", "p99 ms", "req/s", "added p50 ms", "added p99 ms"],
        [
          fallback.blue.path,
          fallback.blue.claimed.servedBy ?? "",
          ...loadRow(fallback.blue),
          "",
          "",
        ],
        ...(["fallback", "skipped"] as const).map((name) => [
          fallback[name].path,
          fallback[name].claimed.servedBy ?? "",
          ...loadRow(fallback[name]),
          spread(added[name].p50Ms, ms),
          spread(added[name].p99Ms, ms),
        ]),
      ],
    },
    {
      id: "split",
      title: `Split: ${split.keys} keys × ${new Set(split.shares.map((s) => s.service)).size} services`,
      rows: [
        ["weight", "green share, min–max over services", "allowed"],
        ...split.weights.map((weight) => [
          String(weight),
          `${percent(Math.min(...sharesAt(weight)))}–${percent(Math.max(...sharesAt(weight)))}`,
          `${percent(weight - LIMITS.splitSharePoints)}–${percent(weight + LIMITS.splitSharePoints)}`,
        ]),
        ["moved green→blue", String(split.movedBack), "0"],
        ["decided differently twice", String(split.undecided), "0"],
      ],
    },
  ];
}

/** The console's view: every section's table, then the targets. */
export function summaryText(results: BenchResults, wrote: readonly string[]): string {
  const { machine, settings } = results;
  return [
    `${machine.cpus} × ${machine.cpu}, Node ${machine.node}${settings.quick ? " (--quick: a smoke run, files not written)" : ""}`,
    "median (p10–p90) of each figure's runs",
    ...sectionsOf(results).flatMap((section) => [
      "",
      `${section.title}:`,
      ...textTable(section.rows),
    ]),
    "",
    "targets:",
    ...results.targets.map((t) => `  ${t.met ? "✓" : "✗"} ${t.what}: ${t.found}`),
    "",
    `${Math.round(results.seconds)} s${wrote.length > 0 ? `; wrote ${wrote.join(" and ")}` : ""}`,
  ].join("\n");
}

/** Writes both files and passes them through Biome, so `npm run lint` accepts them as written. */
export function writeReports(root: string, results: BenchResults): string[] {
  const files = [RESULTS_FILE, MARKDOWN_FILE];
  mkdirSync(join(root, dirname(RESULTS_FILE)), { recursive: true });
  writeFileSync(join(root, RESULTS_FILE), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(root, MARKDOWN_FILE), benchmarksMarkdown(results, sectionsOf(results)));
  execFileSync(join(root, "node_modules/.bin/biome"), ["format", "--write", ...files], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
  });
  return files;
}
