// What changes between two offline plans, in the words a release manager reads in a PR:
// "router: rollout.investor 25 → 50", "investor: code changed, +1.2 KB gzip".

import { formatBytes } from "../../infra/budgets.ts";
import type { OfflinePlan, PlannedWorkerView } from "./view.ts";

export interface PlanChange {
  /** The worker or resource that changes, e.g. `router`, `D1Migrations`. */
  subject: string;
  kind: "add" | "remove" | "change";
  text: string;
}

export function diffPlans(base: OfflinePlan, head: OfflinePlan): PlanChange[] {
  const changes: PlanChange[] = [];
  const baseWorkers = new Map(base.workers.map((w) => [w.name, w]));
  const headWorkers = new Map(head.workers.map((w) => [w.name, w]));
  for (const worker of head.workers) {
    const before = baseWorkers.get(worker.name);
    if (!before) {
      changes.push({
        subject: worker.name,
        kind: "add",
        text: `new worker ${worker.scriptName}, ${formatBytes(worker.gzipBytes)} gzip`,
      });
      continue;
    }
    for (const text of workerChanges(before, worker)) {
      changes.push({ subject: worker.name, kind: "change", text });
    }
  }
  for (const worker of base.workers) {
    if (!headWorkers.has(worker.name)) {
      changes.push({
        subject: worker.name,
        kind: "remove",
        text: `worker ${worker.scriptName} removed`,
      });
    }
  }
  changes.push(...migrationChanges(base, head));
  changes.push(...otherResourceChanges(base, head));
  return changes;
}

function workerChanges(before: PlannedWorkerView, after: PlannedWorkerView): string[] {
  const texts: string[] = [];
  if (before.sha256 !== after.sha256) {
    texts.push(`code changed, ${signedBytes(after.gzipBytes - before.gzipBytes)} gzip`);
  }
  texts.push(...configChanges(before.config, after.config));
  const bindingsBefore = new Set(before.bindings);
  const bindingsAfter = new Set(after.bindings);
  const added = after.bindings.filter((b) => !bindingsBefore.has(b));
  const removed = before.bindings.filter((b) => !bindingsAfter.has(b));
  if (added.length || removed.length) {
    texts.push(
      `bindings ${[...added.map((b) => `+${b}`), ...removed.map((b) => `-${b}`)].join(", ")}`,
    );
  } else if (before.bindings.join("\n") !== after.bindings.join("\n")) {
    texts.push("bindings reordered");
  }
  if (!before.bindingsSecret && after.bindingsSecret) {
    texts.push("bindings are now marked secret (pulumi preview will hide their changes)");
  }
  for (const key of ["route", "compatibilityDate", "workersDev", "scriptName"] as const) {
    if (before[key] !== after[key]) {
      texts.push(`${key} ${show(before[key])} → ${show(after[key])}`);
    }
  }
  return texts;
}

/** The router's CONFIG binding, key by key; rollout weights one service at a time. */
function configChanges(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): string[] {
  if (!before && !after) return [];
  if (!before || !after) return [after ? "CONFIG binding added" : "CONFIG binding removed"];
  const texts: string[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (key === "rollout" && isRecord(a) && isRecord(b)) {
      for (const service of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
        if (a[service] !== b[service]) {
          texts.push(`rollout.${service} ${show(a[service])} → ${show(b[service])}`);
        }
      }
    } else if (Array.isArray(a) && Array.isArray(b)) {
      const was = new Set(a.map((x) => JSON.stringify(x)));
      const now = new Set(b.map((x) => JSON.stringify(x)));
      const plus = b.filter((x) => !was.has(JSON.stringify(x))).map((x) => `+${listItem(x)}`);
      const minus = a.filter((x) => !now.has(JSON.stringify(x))).map((x) => `-${listItem(x)}`);
      texts.push(`${key} ${[...plus, ...minus].join(", ") || "reordered"}`);
    } else {
      texts.push(`${key} ${show(a)} → ${show(b)}`);
    }
  }
  return texts;
}

function migrationChanges(base: OfflinePlan, head: OfflinePlan): PlanChange[] {
  const before = new Map(base.migrations.map((m) => [m.name, m.sha256]));
  const changes: PlanChange[] = [];
  for (const migration of head.migrations) {
    const sha256 = before.get(migration.name);
    if (sha256 === undefined) {
      changes.push({ subject: "migrations", kind: "add", text: `+${migration.name}` });
    } else if (sha256 !== migration.sha256) {
      changes.push({
        subject: "migrations",
        kind: "change",
        text: `${migration.name} changed; an applied migration must not change, so \`pulumi up\` will refuse it`,
      });
    }
  }
  return changes;
}

/** Resources other than workers (and their routes), by type and name. */
function otherResourceChanges(base: OfflinePlan, head: OfflinePlan): PlanChange[] {
  const workerTypes = new Set(["WorkersScript", "D1Migrations"]);
  const key = (r: OfflinePlan["resources"][number]) => `${r.type} ${r.name}`;
  const keep = (r: OfflinePlan["resources"][number]) => !workerTypes.has(r.type);
  const before = new Map(base.resources.filter(keep).map((r) => [key(r), r]));
  const after = new Map(head.resources.filter(keep).map((r) => [key(r), r]));
  const changes: PlanChange[] = [];
  for (const [k, r] of after) {
    const old = before.get(k);
    if (!old) changes.push({ subject: r.type, kind: "add", text: `+${r.name} (${r.detail})` });
    else if (old.detail !== r.detail) {
      changes.push({
        subject: r.type,
        kind: "change",
        text: `${r.name}: ${old.detail} → ${r.detail}`,
      });
    }
  }
  for (const [k, r] of before) {
    if (!after.has(k)) changes.push({ subject: r.type, kind: "remove", text: `-${r.name}` });
  }
  return changes;
}

/** `+1.2 KB`, `-300 B`, `±0 B`. */
export function signedBytes(delta: number): string {
  if (delta === 0) return "±0 B";
  return `${delta > 0 ? "+" : "-"}${formatBytes(Math.abs(delta))}`;
}

/** One sentence on which workers change, for the end of the diff. */
export function summarizeChanges(changes: readonly PlanChange[], head: OfflinePlan): string {
  if (changes.length === 0) return "no changes";
  const workerNames = new Set(head.workers.map((w) => w.name));
  const workers = [...new Set(changes.map((c) => c.subject))].filter((s) => workerNames.has(s));
  const others = changes.filter((c) => !workerNames.has(c.subject));
  if (workers.length === 1 && others.length === 0) return `only the ${workers[0]} changes`;
  const parts = [];
  if (workers.length) parts.push(`${workers.length} worker(s) change: ${workers.join(", ")}`);
  if (others.length) parts.push(`${others.length} other change(s)`);
  return parts.join("; ");
}

function listItem(value: unknown): string {
  if (typeof value === "string") return value;
  if (isRecord(value) && typeof value.prefix === "string") {
    return `${value.prefix} → ${String(value.target)}`;
  }
  if (isRecord(value) && typeof value.path === "string")
    return `${String(value.method)} ${value.path}`;
  return JSON.stringify(value);
}

function show(value: unknown): string {
  return value === undefined ? "(none)" : typeof value === "string" ? value : JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
