// The start-up summary `npm start` prints: the URL, every worker's bundle against its budget and
// the rollout weights the router uses. Pure, so tests read it without starting anything.

import { formatBytes } from "../../infra/budgets.ts";
import type { MigrationReport } from "../../infra/migrations/apply.ts";
import type { PlannedWorker, PlatformPlan } from "../../infra/plan.ts";
import { upstreamPolicy } from "../../infra/topology.ts";
import { textTable } from "../text-table.ts";
import { describeFault } from "./faults.ts";
import type { StartOptions } from "./flags.ts";

export interface StartupSummary {
  url: string;
  plan: Pick<PlatformPlan, "stack" | "config" | "workers">;
  /** The weights `--rollout` overrides, `--watch` and the faults in force (`--fault`). */
  flags: Pick<StartOptions, "rollout" | "watch" | "faults">;
  stateDir: string;
  jwtSecretFrom: string;
  migrations: MigrationReport;
  buildMs: number;
  startMs: number;
}

/** The line tests and scripts wait for; keep its shape. */
export function readyLine(url: string): string {
  return `Local platform ready at ${url}`;
}

export function formatStartupTable(summary: StartupSummary): string {
  const url = summary.url.replace(/\/$/, "");
  const { applied, unchanged, adopted } = summary.migrations;
  const migrations = applied.length
    ? `applied ${applied.join(", ")}`
    : `${unchanged.length + adopted.length} applied, none pending`;
  return [
    readyLine(url),
    "",
    `  stack      ${summary.plan.stack} (local: stand-in monolith is the blue side)`,
    `  state      ${summary.stateDir} (D1, secrets store, JWT key: ${summary.jwtSecretFrom})`,
    `  D1         migrations ${migrations}`,
    `  CORS       ${summary.plan.config.corsOrigins.join(", ") || "(no origins allowed)"}`,
    `  limits     ${rateLimitsLine(summary.plan.config.rateLimits)}`,
    `  timing     build ${Math.round(summary.buildMs)} ms, workerd start ${Math.round(summary.startMs)} ms`,
    "",
    ...textTable([
      ["worker", "bytes", "gzip / budget", "used", "traffic", "deadline, skip", "fault"],
      ...summary.plan.workers.map(({ budget: line, spec }) => {
        const fault = summary.flags.faults[spec.name];
        return [
          spec.name,
          formatBytes(line.bytes),
          `${formatBytes(line.gzipBytes)} / ${formatBytes(line.budget.maxGzipBytes)}`,
          `${Math.round((line.gzipBytes / line.budget.maxGzipBytes) * 100)}%`,
          servedBy(spec, summary),
          limits(spec, summary.plan.config.workers[spec.name]),
          fault ? describeFault(fault) : "",
        ];
      }),
    ]),
    "",
    `  Only the router listens (${url}); services are reached through its bindings.`,
    summary.flags.watch
      ? "  Watching for changes: edits rebuild and reload the workers; data is kept. Ctrl-C stops."
      : "  Ctrl-C stops.",
    "",
  ].join("\n");
}

/** `10 s, after 5 failures 30 s`: the router's deadline and skip settings for the worker. */
function limits(spec: PlannedWorker["spec"], overrides: Parameters<typeof upstreamPolicy>[0]) {
  if (spec.kind === "router") return "";
  const policy = upstreamPolicy(overrides);
  const deadline = `${policy.deadlineMs / 1000} s`;
  if (spec.kind === "monolith" || !spec.blueSide) return deadline;
  return `${deadline}, after ${policy.skipAfterFailures} failures ${policy.skipForMs / 1000} s`;
}

function servedBy(spec: PlannedWorker["spec"], summary: StartupSummary): string {
  switch (spec.kind) {
    case "router":
      return "every request";
    case "monolith":
      return `blue side, ${spec.pathPrefixes.join(", ")}`;
    case "service": {
      if (!spec.blueSide) return "100% here (new: no blue side)";
      const weight = summary.plan.config.rollout[spec.name];
      const flag = Object.hasOwn(summary.flags.rollout, spec.name) ? " (--rollout)" : "";
      return `${weight}% here, ${100 - weight}% monolith${flag}`;
    }
  }
}

function rateLimitsLine(limits: PlatformPlan["config"]["rateLimits"]): string {
  if (!limits) return "none (the stack sets no rateLimits)";
  const each = Object.entries(limits).map(([name, l]) => `${name} ${l.limit}/${l.period} s`);
  return `${each.join(", ")} (local: raised so seed, smoke and stress run)`;
}
