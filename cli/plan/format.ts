// Plain-text rendering of an offline plan and of a plan diff, for terminals and CI logs.

import { budgetUse, formatBytes } from "../../infra/budgets.ts";
import { textTable } from "../text-table.ts";
import type { BasePlan } from "./base.ts";
import { diffPlans, summarizeChanges } from "./diff.ts";
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
  const bindings = plan.workers.flatMap((w) => [
    `  ${w.name} bindings: ${w.bindings.join(", ") || "(none)"}`,
    ...(w.bindingsSecret
      ? [
          `  warning: ${w.name}'s bindings are marked secret; pulumi preview will show [secret] instead of their changes`,
        ]
      : []),
  ]);
  const rollout = Object.entries(plan.rollout).map(([service, weight]) => [
    service,
    `${weight}%`,
    `${100 - weight}%`,
    "#".repeat(Math.round(weight / 10)).padEnd(10, "."),
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
