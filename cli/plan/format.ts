// Plain-text rendering of an offline plan and of a plan diff, for terminals and CI logs.

import { budgetUse, formatBytes } from "../../infra/budgets.ts";
import { type PlanChange, summarizeChanges } from "./diff.ts";
import type { OfflinePlan } from "./view.ts";

export function formatPlan(plan: OfflinePlan): string {
  const lines: string[] = [`Offline plan for stack "${plan.stack}" (Pulumi mocks, no credentials)`];
  lines.push("", "Workers:");
  const rows = plan.workers.map((w) => [
    w.name,
    w.scriptName,
    formatBytes(w.bytes),
    formatBytes(w.gzipBytes),
    budgetUse(w.gzipBytes, w.budget),
    w.route ?? (w.workersDev === false ? "no route, workers.dev off" : "no route"),
  ]);
  lines.push(
    ...table([["worker", "script", "size", "gzip", "budget (gzip)", "route"], ...rows], "  "),
  );
  for (const worker of plan.workers) {
    lines.push(`  ${worker.name} bindings: ${worker.bindings.join(", ") || "(none)"}`);
    if (worker.bindingsSecret) {
      lines.push(
        `  warning: ${worker.name}'s bindings are marked secret; pulumi preview will show [secret] instead of their changes`,
      );
    }
  }

  lines.push("", formatRolloutHeading(plan));
  const services = Object.keys(plan.rollout);
  {
    const rolloutRows = services.map((service) => {
      const weight = plan.rollout[service] ?? 0;
      return [service, `${weight}%`, `${100 - weight}%`, bar(weight)];
    });
    lines.push(...table([["service", "new", "monolith", ""], ...rolloutRows], "  "));
  }

  if (plan.migrations.length > 0) {
    lines.push(
      "",
      `Migrations (applied on \`pulumi up\` when pending): ${plan.migrations.map((m) => m.name).join(", ")}`,
    );
  }

  lines.push("", `Resources (${plan.resources.length}; on an empty stack all would be created):`);
  lines.push(
    ...table(
      plan.resources.map((r) => ["+", r.type, r.name, r.detail]),
      "  ",
    ),
  );
  return lines.join("\n");
}

function formatRolloutHeading(plan: OfflinePlan): string {
  return plan.monolith
    ? `Rollout (share of each service's traffic on the new service; the rest goes to ${plan.monolith}):`
    : "Rollout (no monolith: every service serves all of its traffic):";
}

export function formatDiff(
  changes: readonly PlanChange[],
  head: OfflinePlan,
  baseLabel: string,
): string {
  const lines = [`Changes against ${baseLabel}:`];
  if (changes.length === 0) lines.push("  no changes");
  for (const change of changes) lines.push(`  ${change.subject}: ${change.text}`);
  lines.push(`  (${summarizeChanges(changes, head)})`);
  return lines.join("\n");
}

function bar(weight: number): string {
  const filled = Math.round(weight / 10);
  return `${"#".repeat(filled)}${".".repeat(10 - filled)}`;
}

/** Left-aligned columns; the first row is the header. */
function table(rows: string[][], indent: string): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    `${indent}${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd(),
  );
}
