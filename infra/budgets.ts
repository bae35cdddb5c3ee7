// Checks each bundle against bundle-budgets.json. An over-budget worker fails the program before
// any resource is registered, naming its size, its budget and its largest inputs.

import { readFileSync } from "node:fs";
import * as z from "zod";
import { isServiceName, isWorkerName, WORKER_NAMES, type WorkerName } from "../shared/workers.ts";
import type { WorkerBuild } from "./build.ts";

/** Cloudflare's own ceiling for one Worker, uncompressed (paid plan). */
export const CLOUDFLARE_MAX_BYTES = 64 * 1024 * 1024;

export interface Budget {
  /** Largest allowed bundle, uncompressed bytes. */
  maxBytes: number;
  /** Largest allowed bundle, gzip bytes (what cold start and upload limits track). */
  maxGzipBytes: number;
}

/** The key of the budget every service gets unless it has one of its own. */
export const SERVICE_DEFAULT = "$service";

export type Budgets = Partial<Record<WorkerName | typeof SERVICE_DEFAULT, Budget>>;

const budgetSchema = z.strictObject({
  maxBytes: z.number().int().positive(),
  maxGzipBytes: z.number().int().positive(),
});

/** Reads and validates a budgets file; every problem names the file and the key. */
export function loadBudgets(path: string): Budgets {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new BudgetError([`${path} could not be read as JSON: ${(error as Error).message}`]);
  }
  return parseBudgets(raw, path);
}

export function parseBudgets(raw: unknown, source = "bundle-budgets.json"): Budgets {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new BudgetError([
      `${source} must be an object of worker name → { maxBytes, maxGzipBytes }`,
    ]);
  }
  const problems: string[] = [];
  const budgets: Budgets = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === "$comment") continue;
    if (name !== SERVICE_DEFAULT && !isWorkerName(name)) {
      problems.push(
        `${source}: "${name}" is not a worker; expected one of ${WORKER_NAMES.join(", ")} or "${SERVICE_DEFAULT}" (the default of every service)`,
      );
      continue;
    }
    const parsed = budgetSchema.safeParse(value);
    if (!parsed.success) {
      problems.push(
        `${source}: "${name}" must be { "maxBytes": <positive integer>, "maxGzipBytes": <positive integer> }, got ${JSON.stringify(value)}`,
      );
      continue;
    }
    if (parsed.data.maxBytes > CLOUDFLARE_MAX_BYTES) {
      problems.push(`${source}: "${name}".maxBytes is over Cloudflare's limit of 64 MiB`);
    }
    budgets[name] = parsed.data;
  }
  if (problems.length > 0) throw new BudgetError(problems);
  return budgets;
}

export interface BudgetLine {
  name: WorkerName;
  bytes: number;
  gzipBytes: number;
  budget: Budget;
}

/**
 * Checks every build against its budget and Cloudflare's limit; a worker without a budget is an
 * error too. Returns one line per worker, or throws BudgetError listing every failure.
 */
export function checkBudgets(builds: Iterable<WorkerBuild>, budgets: Budgets): BudgetLine[] {
  const problems: string[] = [];
  const lines: BudgetLine[] = [];
  for (const build of builds) {
    const budget =
      budgets[build.name] ?? (isServiceName(build.name) ? budgets[SERVICE_DEFAULT] : undefined);
    if (!budget) {
      problems.push(
        `worker "${build.name}" has no budget; add "${build.name}": { "maxBytes": ..., "maxGzipBytes": ... } to bundle-budgets.json${isServiceName(build.name) ? ` (or a "${SERVICE_DEFAULT}" default for services)` : ""}`,
      );
      continue;
    }
    const largest = () =>
      `largest inputs: ${largestInputs(build)
        .map((i) => `${i.name} ${formatBytes(i.bytes)}`)
        .join(", ")}`;
    if (build.bytes > CLOUDFLARE_MAX_BYTES) {
      problems.push(
        `bundle "${build.name}" is ${formatBytes(build.bytes)}, over Cloudflare's 64 MiB limit for a Worker; ${largest()}`,
      );
    }
    if (build.gzipBytes > budget.maxGzipBytes) {
      problems.push(
        `bundle "${build.name}" is ${formatBytes(build.gzipBytes)} gzip, over its ${formatBytes(budget.maxGzipBytes)} budget; ${largest()}`,
      );
    }
    if (build.bytes > budget.maxBytes) {
      problems.push(
        `bundle "${build.name}" is ${formatBytes(build.bytes)}, over its ${formatBytes(budget.maxBytes)} budget (uncompressed); ${largest()}`,
      );
    }
    lines.push({ name: build.name, bytes: build.bytes, gzipBytes: build.gzipBytes, budget });
  }
  if (problems.length > 0) throw new BudgetError(problems);
  return lines;
}

/** The inputs that add most bytes to the output, grouped by npm package (else by file). */
export function largestInputs(build: WorkerBuild, count = 5): { name: string; bytes: number }[] {
  const output = build.metafile.outputs[build.mainModule];
  const totals = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(path);
    totals.set(name, (totals.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...totals]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
    .slice(0, count);
}

function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? path;
}

/** `12.0 KB (83%)`: the gzip budget and the share of it a bundle uses; `none` without a budget. */
export function budgetUse(gzipBytes: number, budget: Budget | undefined): string {
  if (!budget) return "none";
  return `${formatBytes(budget.maxGzipBytes)} (${Math.round((gzipBytes / budget.maxGzipBytes) * 100)}%)`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export class BudgetError extends Error {
  constructor(readonly problems: string[]) {
    super(`bundle budgets not met:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "BudgetError";
  }
}
