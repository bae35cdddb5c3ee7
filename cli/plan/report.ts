// The budget report CI posts on pull requests: a markdown table of every worker's size against its
// budget and against the base branch, calling out any worker that grew more than the threshold.

import { budgetUse, formatBytes } from "../../infra/budgets.ts";
import { type PlanChange, signedBytes, summarizeChanges } from "./diff.ts";
import type { OfflinePlan, PlannedWorkerView } from "./view.ts";

export interface ReportOptions {
  /** The plan of the base commit, when there is one. */
  base?: OfflinePlan;
  baseLabel?: string;
  /** Changes from base to head, shown under the table. */
  changes?: readonly PlanChange[];
  /** Growth in gzip bytes (percent) above which a worker is called out. Default 10. */
  growthThresholdPercent?: number;
  /** Why there is no base plan, shown instead of the Δ column. */
  baseNote?: string;
}

export const DEFAULT_GROWTH_THRESHOLD = 10;

export function budgetReport(head: OfflinePlan, options: ReportOptions = {}): string {
  const threshold = options.growthThresholdPercent ?? DEFAULT_GROWTH_THRESHOLD;
  const baseWorkers = new Map(options.base?.workers.map((w) => [w.name, w]) ?? []);
  const lines = [`### Worker bundles: stack \`${head.stack}\``, ""];
  const warnings: string[] = [];

  const header = ["worker", "bytes", "gzip", "budget (gzip)"];
  if (options.base) header.push(`Δ gzip vs ${options.baseLabel ?? "base"}`);
  lines.push(
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i ? "---:" : "---")).join("|")}|`,
  );

  for (const worker of head.workers) {
    const before = baseWorkers.get(worker.name);
    const growth = before ? growthPercent(before.gzipBytes, worker.gzipBytes) : undefined;
    const overGrowth = growth !== undefined && growth > threshold;
    const cells = [
      overGrowth ? `**${worker.name}** ⚠️` : worker.name,
      formatBytes(worker.bytes),
      formatBytes(worker.gzipBytes),
      budgetUse(worker.gzipBytes, worker.budget),
    ];
    if (options.base) cells.push(deltaCell(before, worker, growth, overGrowth));
    lines.push(`| ${cells.join(" | ")} |`);
    if (overGrowth && before) {
      warnings.push(
        `> ⚠️ **${worker.name}** grew ${growth.toFixed(1)}% gzip (${signedBytes(worker.gzipBytes - before.gzipBytes)}), over the ${threshold}% threshold.`,
      );
    }
  }

  if (warnings.length > 0) lines.push("", ...warnings);
  if (options.baseNote) lines.push("", `_${options.baseNote}_`);
  if (options.changes && options.base) {
    lines.push("", `#### Changes vs ${options.baseLabel ?? "base"}`, "");
    if (options.changes.length === 0) lines.push("No changes.");
    for (const change of options.changes) {
      lines.push(`- **${change.subject}**: ${escapeMarkdown(change.text)}`);
    }
    lines.push("", `_${summarizeChanges(options.changes, head)}_`);
  }
  lines.push("", rolloutLine(head));
  return `${lines.join("\n")}\n`;
}

export function growthPercent(before: number, after: number): number {
  if (before === 0) return after === 0 ? 0 : Number.POSITIVE_INFINITY;
  return ((after - before) / before) * 100;
}

function deltaCell(
  before: PlannedWorkerView | undefined,
  worker: PlannedWorkerView,
  growth: number | undefined,
  overGrowth: boolean,
): string {
  if (!before || growth === undefined) return "new";
  if (before.sha256 === worker.sha256) return "unchanged";
  const sign = growth > 0 ? "+" : "";
  const text = `${signedBytes(worker.gzipBytes - before.gzipBytes)} (${sign}${growth.toFixed(1)}%)`;
  return overGrowth ? `**${text}**` : text;
}

function rolloutLine(plan: OfflinePlan): string {
  const weights = Object.entries(plan.rollout).map(([s, w]) => `${s} ${w}%`);
  return weights.length ? `Rollout (new service share): ${weights.join(", ")}` : "";
}

function escapeMarkdown(text: string): string {
  return text.replace(/([|*_`])/g, "\\$1");
}
