// `npm run rollout -- --auto`: raise a service's weight step by step while it is as healthy as the
// monolith. At each step: set the weight, wait the interval, judge that window only (gate.ts),
// then promote, hold (inconclusive or one failed check) or roll back. Every step is appended to a
// log, so a run that crashed resumes where it stopped.

import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { textTable } from "../text-table.ts";
import { type GateOptions, judge, type Verdict } from "./gate.ts";
import { errorRate, type HealthSource, type SideHealth } from "./health.ts";

export interface AutoOptions extends GateOptions {
  service: string;
  steps: number[];
  intervalMs: number;
  /** Failed checks in the run that roll back. */
  threshold: number;
  /** Inconclusive looks in a row a step may take before the run rolls back. */
  maxInconclusive: number;
  dryRun: boolean;
}

/** Where the weight lives and how health is read: a stack (pulumi up) or the local platform. */
export interface RolloutTarget {
  describe: string;
  weight(service: string): Promise<number>;
  setWeight(service: string, weight: number): Promise<void>;
  health: HealthSource;
}

export interface StepRecord {
  run: string;
  service: string;
  /** The weight the run started from, to roll back to. */
  from: number;
  weight: number;
  since: number;
  until: number;
  green?: SideHealth;
  blue?: SideHealth;
  verdict: Verdict | "rolled-back" | "done";
  reasons: string[];
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Exit codes: 0 promoted to the last step, 1 rolled back, 3 rolled back as inconclusive. */
export async function runAutoRollout(
  options: AutoOptions,
  target: RolloutTarget,
  logPath: string,
  print: (line: string) => void,
  clock: Clock = REAL_CLOCK,
  /** Called after each record is logged (CI commits the weight and the log line to main). */
  afterRecord: (record: StepRecord) => Promise<void> = async () => {},
): Promise<number> {
  const previous = unfinishedRun(logPath, options.service);
  const current = await target.weight(options.service);
  const from = previous?.[0]?.from ?? current;
  const run = previous?.[0]?.run ?? `${options.service}-${clock.now().toString(36)}`;
  const records: StepRecord[] = [...(previous ?? [])];
  const promoted = records.filter((r) => r.verdict === "promote").map((r) => r.weight);
  const steps = options.steps.filter(
    (w) => w > current || (w === current && !promoted.includes(w)),
  );
  if (previous) {
    print(
      `resuming run ${run} of ${options.service} from ${logPath}: at ${current}, started from ${from}`,
    );
  }
  print(
    `${options.dryRun ? "dry run: would roll" : "rolling"} ${options.service} out on ${target.describe}: ${[current, ...steps].join(" → ")}, judging every ${formatDuration(options.intervalMs)} by ${target.health.describe}`,
  );
  if (options.dryRun) {
    print(
      `gate: at least ${options.minSamples} requests; error rate at most the monolith's + ${options.maxErrorDelta} points; p99 at most ${options.maxP99Ratio} × the monolith's (or ${options.p99SlackMs} ms over it); over ${options.hardErrorRate}% rolls back at once; ${options.threshold} failed checks roll back to ${from}`,
    );
    return 0;
  }
  const write = async (record: StepRecord) => {
    records.push(record);
    mkdirSync(dirname(logPath), { recursive: true });
    appendFileSync(logPath, `${JSON.stringify(record)}\n`);
    await afterRecord(record);
  };
  const rollBack = async (code: number, why: string) => {
    await target.setWeight(options.service, from);
    const now = clock.now();
    await write({
      run,
      service: options.service,
      from,
      weight: from,
      since: now,
      until: now,
      verdict: "rolled-back",
      reasons: [why],
    });
    print(report(records));
    print(`rolled ${options.service} back to ${from}: ${why}`);
    return code;
  };

  let failed = records.filter((r) => r.verdict === "fail").length;
  let baseline = [...records].reverse().find((r) => r.verdict === "promote")?.blue;
  for (const weight of steps) {
    await target.setWeight(options.service, weight);
    print(`${options.service} at ${weight}%; waiting ${formatDuration(options.intervalMs)}`);
    for (let looks = 1; ; looks++) {
      const since = clock.now();
      await clock.sleep(options.intervalMs);
      const until = clock.now();
      const look = { run, service: options.service, from, weight, since, until };
      let record: StepRecord;
      try {
        const health = await target.health.read(options.service, since, until);
        const decision = judge(health, options, baseline);
        const { verdict, reasons } = decision;
        record = { ...look, green: health.green, blue: health.blue, verdict, reasons };
        if (decision.verdict === "promote" && health.blue.requests >= options.minSamples) {
          baseline = health.blue;
        }
      } catch (error) {
        const reasons = [`the health query failed: ${(error as Error).message}`];
        record = { ...look, verdict: "inconclusive", reasons };
      }
      await write(record);
      print(`  ${weight}%: ${record.verdict}: ${record.reasons.join("; ")}`);
      if (record.verdict === "promote") break;
      if (record.verdict === "hard-fail") return rollBack(1, record.reasons.join("; "));
      if (record.verdict === "fail" && ++failed >= options.threshold) {
        return rollBack(1, `${failed} failed checks (threshold ${options.threshold})`);
      }
      if (record.verdict === "inconclusive" && looks > options.maxInconclusive) {
        return rollBack(
          3,
          `${looks} inconclusive looks at ${weight}% (at most ${options.maxInconclusive})`,
        );
      }
    }
  }
  const now = clock.now();
  await write({
    run,
    service: options.service,
    from,
    weight: steps.at(-1) ?? current,
    since: now,
    until: now,
    verdict: "done",
    reasons: [],
  });
  print(report(records));
  print(`${options.service} promoted to ${steps.at(-1) ?? current}%`);
  return 0;
}

/** The records of the service's last run in the log, if it has not finished. */
export function unfinishedRun(logPath: string, service: string): StepRecord[] | undefined {
  if (!existsSync(logPath)) return undefined;
  const records = readFileSync(logPath, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as StepRecord)
    .filter((r) => r.service === service);
  const last = records.at(-1);
  if (!last || last.verdict === "done" || last.verdict === "rolled-back") return undefined;
  return records.filter((r) => r.run === last.run);
}

/** The run as a table and a Mermaid chart (GitHub renders it in a job summary). */
export function report(records: readonly StepRecord[]): string {
  const steps = records.filter((r) => r.green);
  const rate = (side?: SideHealth) => (side ? `${errorRate(side).toFixed(2)}%` : "–");
  const p99 = (side?: SideHealth) => (side ? `${side.p99.toFixed(0)} ms` : "–");
  const table = textTable([
    ["weight", "decision", "new: requests", "errors", "p99", "monolith: requests", "errors", "p99"],
    ...steps.map((r) => [
      `${r.weight}%`,
      r.verdict,
      String(r.green?.requests ?? 0),
      rate(r.green),
      p99(r.green),
      String(r.blue?.requests ?? 0),
      rate(r.blue),
      p99(r.blue),
    ]),
  ]);
  const labels = steps.map((r, i) => `"${i + 1}: ${r.weight}%"`).join(", ");
  const series = (pick: (r: StepRecord) => number) =>
    steps.map((r) => pick(r).toFixed(2)).join(", ");
  const chart = [
    "```mermaid",
    "xychart-beta",
    '  title "Error rate per step (%): new side (first line), monolith (second)"',
    `  x-axis [${labels}]`,
    '  y-axis "error rate %"',
    `  line [${series((r) => (r.green ? errorRate(r.green) : 0))}]`,
    `  line [${series((r) => (r.blue ? errorRate(r.blue) : 0))}]`,
    "```",
    "```mermaid",
    "xychart-beta",
    '  title "p99 per step (ms): new side (first line), monolith (second)"',
    `  x-axis [${labels}]`,
    '  y-axis "p99 ms"',
    `  line [${series((r) => r.green?.p99 ?? 0)}]`,
    `  line [${series((r) => r.blue?.p99 ?? 0)}]`,
    "```",
  ];
  return [...table, "", ...chart].join("\n");
}

/** `30s`, `10m`, `1h` → milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(s|m|h)$/.exec(text);
  if (!match) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
  return Number(match[1]) * unit;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
