// The budget report CI posts on pull requests: a markdown table of every worker's size against its
// budget and against the base branch, calling out any worker that grew more than the threshold.

import { budgetUse, formatBytes } from "../../infra/budgets.ts";
import type { BasePlan } from "./base.ts";
import { diffPlans, signedBytes, summarizeChanges } from "./diff.ts";
import type { OfflinePlan } from "./view.ts";

export interface ReportOptions {
  /** The base commit: its plan adds the Δ column and the changes; without one, its note says why. */
  base?: BasePlan;
  /** Growth in gzip bytes (percent) above which a worker is called out. Default 10. */
  growthThresholdPercent?: number;
}

export const DEFAULT_GROWTH_THRESHOLD = 10;

export function budgetReport(head: OfflinePlan, options: ReportOptions = {}): string {
  const { ref, plan: base, note } = options.base ?? {};
  const threshold = options.growthThresholdPercent ?? DEFAULT_GROWTH_THRESHOLD;
  const baseWorkers = new Map(base?.workers.map((w) => [w.name, w]));
  const header = ["worker", "bytes", "gzip", "budget (gzip)"];
  if (base) header.push(`Δ gzip vs ${ref}`);
  const warnings: string[] = [];
  const rows = head.workers.map((worker) => {
    const before = baseWorkers.get(worker.name);
    const growth = before && growthPercent(before.gzipBytes, worker.gzipBytes);
    const over = growth !== undefined && growth > threshold;
    const delta = before && signedBytes(worker.gzipBytes - before.gzipBytes);
    if (over) {
      warnings.push(
        `> ⚠️ **${worker.name}** grew ${growth.toFixed(1)}% gzip (${delta}), over the ${threshold}% threshold.`,
      );
    }
    const sizes = [worker.bytes, worker.gzipBytes].map(formatBytes);
    const cells = [
      over ? `**${worker.name}** ⚠️` : worker.name,
      ...sizes,
      budgetUse(worker.gzipBytes, worker.budget),
    ];
    if (!base) return cells;
    if (!before || growth === undefined) return [...cells, "new"];
    if (before.sha256 === worker.sha256) return [...cells, "unchanged"];
    const change = `${delta} (${growth > 0 ? "+" : ""}${growth.toFixed(1)}%)`;
    return [...cells, over ? `**${change}**` : change];
  });
  const lines = [
    `### Worker bundles: stack \`${head.stack}\``,
    "",
    ...[header, header.map((_, i) => (i ? "---:" : "---")), ...rows].map(
      (cells) => `| ${cells.join(" | ")} |`,
    ),
  ];
  if (warnings.length > 0) lines.push("", ...warnings);
  if (note) lines.push("", `_${note}_`);
  if (base) {
    const changes = diffPlans(base, head);
    const items = changes.map((c) => `- **${c.subject}**: ${c.text.replace(/([|*_`])/g, "\\$1")}`);
    lines.push("", `#### Changes vs ${ref}`, "", ...(items.length ? items : ["No changes."]));
    lines.push("", `_${summarizeChanges(changes, head)}_`);
  }
  const weights = Object.entries(head.rollout).map(([service, weight]) => `${service} ${weight}%`);
  lines.push("", weights.length ? `Rollout (new service share): ${weights.join(", ")}` : "");
  return `${lines.join("\n")}\n`;
}

/** Percent growth; from 0 bytes any growth is infinite. */
function growthPercent(before: number, after: number): number {
  return before === after ? 0 : ((after - before) / before) * 100;
}
