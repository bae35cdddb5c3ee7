// `npm run bench`: measures what the start-up issue's targets are about, on the staging stack's
// plan, writes bench/results.json and BENCHMARKS.md, and exits 1 when a target is missed. Local
// and bounded: workerd on 127.0.0.1, a fixed number of runs of a fixed number of seconds.

import { COMMON_FLAGS, integerFlag, runCommand } from "../cli/args.ts";
import { offlineConfig, REPO_ROOT, readStackFile } from "../cli/stack-file.ts";
import { planPlatform } from "../infra/plan.ts";
import { measureBuilds, sizesOf } from "./bench/build.ts";
import { measureFallback } from "./bench/fallback.ts";
import { CONNECTIONS } from "./bench/load.ts";
import { measureOverhead } from "./bench/overhead.ts";
import { startBenchPlatform } from "./bench/platform.ts";
import { machineOf, summaryText, writeReports } from "./bench/report.ts";
import type { BenchResults, BenchSettings } from "./bench/results.ts";
import { measureSplit, randomKeys } from "./bench/split.ts";
import { measureStartup } from "./bench/startup.ts";
import { judgeTargets } from "./bench/targets.ts";

const COMMAND = {
  usage:
    "npm run bench -- [--runs <5-101>] [--rounds <1-20>] [--duration <1-60>] [--quick] [--json]",
  summary:
    "Measures bundle sizes, esbuild time, start-up against a bare Hono app, the router's overhead, the fallback path and the split on the staging stack's plan, in a local workerd on 127.0.0.1; writes bench/results.json and BENCHMARKS.md and exits 1 when a target is missed.",
  flags: {
    runs: { type: "string", value: "<5-101>", help: "start-up runs per bundle (default 21)" },
    rounds: {
      type: "string",
      value: "<1-20>",
      help: "esbuild timings, and load runs per path, taken in turns (default 5)",
    },
    duration: {
      type: "string",
      value: "<1-60>",
      help: "seconds per load run, after a warm-up run of at most 2 s (default 5)",
    },
    quick: {
      type: "boolean",
      help: "a smoke run (5 start-up runs, 3 rounds of 1 s) that writes no files",
    },
    json: COMMON_FLAGS.json,
  },
  examples: [
    "npm run bench                                   # about 3 minutes; writes the files",
    "npm run bench -- --quick                        # under a minute; prints, writes nothing",
    "npm run bench -- --runs 51 --duration 10 --json # more runs, as data",
  ],
} as const;

await runCommand(COMMAND, async (flags) => {
  const quick = flags.quick === true;
  const settings: BenchSettings = {
    runs: integerFlag(flags.runs, "runs", { min: 5, max: 101, fallback: quick ? 5 : 21 }),
    rounds: integerFlag(flags.rounds, "rounds", { min: 1, max: 20, fallback: quick ? 3 : 5 }),
    duration: integerFlag(flags.duration, "duration", { min: 1, max: 60, fallback: quick ? 1 : 5 }),
    connections: CONNECTIONS,
    quick,
  };
  const started = performance.now();
  const step = (what: string) =>
    console.error(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${what}`);

  step("planning the staging stack");
  const file = readStackFile(REPO_ROOT, "staging");
  const config = offlineConfig(file.text, file.source);
  const plan = await planPlatform({
    config,
    stack: file.stack,
    root: REPO_ROOT,
    source: file.source,
  });
  step(`esbuild, ${settings.rounds} rounds`);
  const build = await measureBuilds(plan, REPO_ROOT, settings.rounds);
  step(`start-up, ${settings.runs} runs`);
  const startup = await measureStartup(plan, REPO_ROOT, settings.runs);
  step("starting workerd");
  const platform = await startBenchPlatform(plan);
  const loads = await (async () => {
    try {
      step(`router overhead, ${settings.rounds} × 2 runs of ${settings.duration} s`);
      const overhead = await measureOverhead(platform, settings.rounds, settings.duration);
      step(`fallback path, ${settings.rounds} × 3 runs of ${settings.duration} s`);
      const fallback = await measureFallback(platform, settings.rounds, settings.duration);
      return { overhead, fallback };
    } finally {
      await platform.dispose();
    }
  })();
  step("split");
  const split = measureSplit(randomKeys());

  const measured = { sizes: sizesOf(plan), build, startup, ...loads, split };
  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: machineOf(REPO_ROOT),
    settings,
    ...measured,
    targets: judgeTargets(measured),
    seconds: (performance.now() - started) / 1000,
  };
  const wrote = quick ? [] : writeReports(REPO_ROOT, results);
  console.log(flags.json ? JSON.stringify(results, null, 2) : summaryText(results, wrote));
  return results.targets.every((target) => target.met) ? 0 : 1;
});
