// The views of an offline plan: plain text of the plan and of a plan diff, for terminals and CI
// logs, and the budget report CI posts on pull requests (markdown: every worker's size against its
// budget and against the base branch, calling out any worker that grew more than the threshold).

import { budgetUse, formatBytes } from "../../infra/budgets.ts";
import { isRecord } from "../stack-file.ts";
import { textTable } from "../text-table.ts";
import type { BasePlan } from "./base.ts";
import { diffPlans, signedBytes, summarizeChanges } from "./diff.ts";
import type { OfflinePlan } from "./view.ts";

export function formatPlan(plan: OfflinePlan): string {
  const workers = plan.workers.map((w) => [
    w.name,
    w.scriptName,
    formatBytes(w.bytes),
    formatBytes(w.gzipBytes),
    budgetUse(w.gzipBytes, w.budget),
    w.route ?? (w.workersDev === false ? "no route, workers.dev off" : "no route"),
  ]);
  const hidden =
    "bindings are marked secret; pulumi preview will show [secret] instead of their changes";
  const bindings = plan.workers.flatMap((w) => [
    `  ${w.name} bindings: ${w.bindings.join(", ") || "(none)"}`,
    ...(w.bindingsSecret ? [`  warning: ${w.name}'s ${hidden}`] : []),
  ]);
  const rollout = Object.entries(plan.rollout).map(([service, weight]) => [
    service,
    `${weight}%`,
    `${100 - weight}%`,
    "#".repeat(Math.round(weight / 10)).padEnd(10, "."),
  ]);
  const upstreams = Object.entries(routerUpstreams(plan)).map(([worker, policy]) => [
    worker,
    `${(policy.deadlineMs ?? 0) / 1000} s`,
    policy.skipAfterFailures === undefined
      ? worker === "monolith"
        ? "never (it is the blue side)"
        : "never (no blue side to skip to)"
      : `after ${policy.skipAfterFailures} failures in a row, for ${(policy.skipForMs ?? 0) / 1000} s`,
  ]);
  const migrations = plan.migrations.map((m) => m.name).join(", ");
  return [
    `Offline plan for stack "${plan.stack}" (Pulumi mocks, no credentials)`,
    "",
    "Workers:",
    ...textTable([["worker", "script", "size", "gzip", "budget (gzip)", "route"], ...workers]),
    ...bindings,
    "",
    plan.monolith
      ? `Rollout (share of each service's traffic on the new service; the rest goes to ${plan.monolith}):`
      : "Rollout (no monolith: every service serves all of its traffic):",
    ...textTable([["service", "new", "monolith", ""], ...rollout]),
    ...(upstreams.length
      ? [
          "",
          "Router deadlines (for response headers) and skips (safe requests to the monolith):",
          ...textTable([["worker", "deadline", "skipped"], ...upstreams]),
        ]
      : []),
    ...(plan.migrations.length
      ? ["", `Migrations (applied on \`pulumi up\` when pending): ${migrations}`]
      : []),
    "",
    `Resources (${plan.resources.length}; on an empty stack all would be created):`,
    ...textTable(plan.resources.map((r) => ["+", r.type, r.name, r.detail])),
  ].join("\n");
}

/** What changes against the base, one line each, after the note on a base without a plan. */
export function formatDiff(base: BasePlan, head: OfflinePlan): string {
  const changes = diffPlans(base.plan, head);
  return [
    ...(base.note ? [`note: ${base.note}`] : []),
    `Changes against ${base.ref}:`,
    ...(changes.length ? changes.map((c) => `  ${c.subject}: ${c.text}`) : ["  no changes"]),
    `  (${summarizeChanges(changes, head)})`,
  ].join("\n");
}

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

type UpstreamView = { deadlineMs?: number; skipAfterFailures?: number; skipForMs?: number };

/** The router's per-worker deadline and skip settings, from its CONFIG binding. */
function routerUpstreams(plan: OfflinePlan): Record<string, UpstreamView> {
  const upstreams = plan.workers.find((w) => w.config)?.config?.upstreams;
  return isRecord(upstreams) ? (upstreams as Record<string, UpstreamView>) : {};
}
