// `npm run rollout -- --auto` and `--status`: where the weight lives and where health is read,
// for a stack (the stack file, then `pulumi up` through the Pulumi CLI; Analytics Engine's SQL
// API) or for the local platform (`--local --url`: its control routes and telemetry store).

import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseStackConfig } from "../../infra/config.ts";
import {
  hasBlueSide,
  isServiceName,
  SERVICE_NAMES,
  type ServiceName,
} from "../../shared/workers.ts";
import { type FlagValues, UsageError, urlFlag } from "../args.ts";
import { offlineConfig, readStackFile, writeStackFile } from "../stack-file.ts";
import { textTable } from "../text-table.ts";
import { formatDuration, parseDuration, type RolloutTarget, runAutoRollout } from "./auto.ts";
import type { ROLLOUT_COMMAND } from "./command.ts";
import { GATE_DEFAULTS } from "./gate.ts";
import { analyticsEngineHealth, errorRate, localHealth } from "./health.ts";

type Flags = FlagValues<typeof ROLLOUT_COMMAND.flags>;

/** The local platform's weights and telemetry, through its front's `/__local/` routes. */
export function localTarget(url: string): RolloutTarget {
  const base = url.replace(/\/+$/, "");
  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json()) as {
      weights?: Record<string, number>;
      error?: { message: string };
    };
    if (!response.ok) throw new Error(`${base}${path}: ${body.error?.message ?? response.status}`);
    return body;
  };
  return {
    describe: `the local platform at ${base}`,
    weight: async (service) => (await call("/__local/rollout")).weights?.[service] ?? 0,
    setWeight: async (service, weight) => {
      await call("/__local/rollout", { method: "PUT", body: JSON.stringify({ service, weight }) });
    },
    health: localHealth(base),
  };
}

/**
 * A deployed stack: the weight is the stack file's (checked as `pulumi up` would), setting it
 * writes the file and runs `pulumi up` (`PULUMI_COMMAND` names another executable, for tests), and
 * health comes from the stack's Analytics Engine dataset (`telemetry.dataset`).
 */
export function stackTarget(
  root: string,
  stack: string,
  print: (line: string) => void,
): RolloutTarget {
  const read = () => {
    const file = readStackFile(root, stack);
    return { file, config: parseStackConfig(offlineConfig(file.text, file.source), file) };
  };
  const { config, file } = read();
  const apiToken = process.env.CLOUDFLARE_API_TOKEN;
  if (!config.telemetry) {
    throw new UsageError(
      `${file.source} has no platform:telemetry.dataset, so there is no health to read`,
    );
  }
  if (!apiToken) throw new UsageError("CLOUDFLARE_API_TOKEN must be set to read Analytics Engine");
  return {
    describe: `stack ${stack} (pulumi up)`,
    weight: async (service) => read().config.rollout[service as ServiceName] ?? 0,
    setWeight: async (service, weight) => {
      const { setRolloutWeight } = await import("./command.ts");
      const current = read().file;
      const edit = setRolloutWeight(current, service as ServiceName, weight);
      if (edit.before !== edit.after) writeStackFile(current, edit.text);
      const pulumi = process.env.PULUMI_COMMAND ?? "pulumi";
      print(
        `${current.source}: rollout.${service} ${edit.before} → ${weight}; ${pulumi} up --stack ${stack}`,
      );
      const run = spawnSync(pulumi, ["up", "--yes", "--stack", stack], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
      if (run.status !== 0) {
        const tail = `${run.stdout ?? ""}${run.stderr ?? ""}`
          .trim()
          .split("\n")
          .slice(-5)
          .join(" / ");
        throw new Error(`pulumi up failed (exit ${run.status ?? run.error?.message}): ${tail}`);
      }
    },
    health: analyticsEngineHealth({
      accountId: config.accountId,
      dataset: config.telemetry.dataset,
      apiToken,
      ...(process.env.CLOUDFLARE_API_BASE_URL
        ? { baseUrl: process.env.CLOUDFLARE_API_BASE_URL }
        : {}),
    }),
  };
}

function number(flag: string, raw: string | undefined, fallback: number, min: number, max: number) {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be a number ${min}-${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function duration(flag: string, raw: string | undefined, fallback: string): number {
  const value = parseDuration(raw ?? fallback);
  if (value === undefined || value === 0) {
    throw new UsageError(
      `--${flag} takes a duration like 30s, 10m or 1h, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

function targetOf(
  flags: Flags,
  root: string,
  print: (line: string) => void,
): { target: RolloutTarget; log: string } {
  if (flags.local) {
    if (flags.stack)
      throw new UsageError("--local and --stack both name where to roll out; give one");
    const url = urlFlag(flags.url ?? "http://127.0.0.1:8787");
    return {
      target: localTarget(url),
      log: resolve(flags.log ?? join(root, ".local/rollouts.jsonl")),
    };
  }
  if (!flags.stack) throw new UsageError("--stack (or --local) is required");
  const dir = resolve(flags.dir ?? root);
  const stack = readStackFile(dir, flags.stack).stack;
  return {
    target: stackTarget(dir, flags.stack, print),
    log: resolve(flags.log ?? join(dir, "rollouts", `${stack}.jsonl`)),
  };
}

/** `--auto`: the gated rollout of one service. */
export async function runGated(
  flags: Flags,
  root: string,
  print: (line: string) => void,
): Promise<number> {
  const service = flags.service;
  if (!service || !isServiceName(service) || !hasBlueSide(service)) {
    throw new UsageError(
      `--service must be a service with a blue side (${SERVICE_NAMES.filter(hasBlueSide).join(", ")}), got ${JSON.stringify(service ?? null)}`,
    );
  }
  const steps = (flags.steps ?? "5,25,50,100").split(",").map((s) => Number(s.trim()));
  if (
    steps.some((s) => !Number.isInteger(s) || s < 1 || s > 100) ||
    steps.some((s, i) => i > 0 && s <= (steps[i - 1] ?? 0))
  ) {
    throw new UsageError(
      `--steps must be rising weights 1-100 like 5,25,50,100, got ${JSON.stringify(flags.steps)}`,
    );
  }
  const options = {
    service,
    steps,
    intervalMs: duration("interval", flags.interval, "10m"),
    minSamples: number("min-samples", flags["min-samples"], GATE_DEFAULTS.minSamples, 1, 1e9),
    threshold: number("threshold", flags.threshold, 2, 1, 100),
    maxErrorDelta: number(
      "max-error-delta",
      flags["max-error-delta"],
      GATE_DEFAULTS.maxErrorDelta,
      0,
      100,
    ),
    maxP99Ratio: number("max-p99-ratio", flags["max-p99-ratio"], GATE_DEFAULTS.maxP99Ratio, 1, 100),
    p99SlackMs: number("p99-slack", flags["p99-slack"], GATE_DEFAULTS.p99SlackMs, 0, 60_000),
    hardErrorRate: number(
      "hard-error-rate",
      flags["hard-error-rate"],
      GATE_DEFAULTS.hardErrorRate,
      0,
      100,
    ),
    maxInconclusive: number("max-inconclusive", flags["max-inconclusive"], 3, 0, 100),
    dryRun: flags["dry-run"] ?? false,
  };
  const { target, log } = targetOf(flags, root, print);
  const commit = flags.commit ? gitCommitter(resolve(flags.dir ?? root), log, print) : undefined;
  return runAutoRollout(options, target, log, print, undefined, commit);
}

/**
 * `--commit` (CI): after each step, commit the stack file and the log line and push them, so main
 * always holds the live weight (the deploy workflow applies main on every push) and a later run
 * resumes from the log. `[skip ci]`: the weight is live already.
 */
function gitCommitter(dir: string, log: string, print: (line: string) => void) {
  const git = (...args: string[]) => {
    const run = spawnSync("git", args, { cwd: dir, encoding: "utf8" });
    if (run.status !== 0)
      throw new Error(`git ${args[0]} failed: ${(run.stderr || run.stdout).trim()}`);
    return run.stdout;
  };
  return async (record: { service: string; weight: number; verdict: string }) => {
    const paths = [log, ...stackFilesIn(dir)];
    git("add", "--", ...paths);
    if (git("status", "--porcelain", "--", ...paths).trim() === "") return;
    git(
      "commit",
      "-m",
      `rollout: ${record.service} ${record.verdict} at ${record.weight}% [skip ci]`,
    );
    git("push", "origin", "HEAD");
    print(`committed and pushed: ${record.service} ${record.verdict} at ${record.weight}%`);
  };
}

function stackFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^Pulumi\.[\w-]+\.yaml$/.test(f))
    .map((f) => join(dir, f));
}

/** `--status`: every service's weight and both sides' health over the window. */
export async function runStatus(
  flags: Flags,
  root: string,
  print: (line: string) => void,
): Promise<number> {
  const windowMs = duration("window", flags.window, "5m");
  const { target } = targetOf(flags, root, print);
  const until = Date.now();
  const rows: string[][] = [];
  for (const service of SERVICE_NAMES) {
    const weight = await target.weight(service);
    const health = await target.health.read(service, until - windowMs, until);
    const cells = (side: typeof health.green) => [
      String(side.requests),
      `${errorRate(side).toFixed(2)}%`,
      `${side.p50.toFixed(0)} ms`,
      `${side.p99.toFixed(0)} ms`,
    ];
    rows.push([service, `${weight}%`, ...cells(health.green), ...cells(health.blue)]);
  }
  print(
    `Rollout status of ${target.describe}, last ${formatDuration(windowMs)} (${target.health.describe}):`,
  );
  for (const line of textTable(
    [
      [
        "service",
        "weight",
        "new: requests",
        "errors",
        "p50",
        "p99",
        "monolith: requests",
        "errors",
        "p50",
        "p99",
      ],
      ...rows,
    ],
    { right: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
  )) {
    print(line);
  }
  return 0;
}
