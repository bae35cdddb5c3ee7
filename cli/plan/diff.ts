// What changes between two offline plans, in the words a release manager reads in a PR:
// "router: rollout.investor 25 → 50", "investor: code changed, +1.2 KB gzip".

import { formatBytes } from "../../infra/budgets.ts";
import { isRecord } from "../stack-file.ts";
import type { OfflinePlan, PlannedWorkerView } from "./view.ts";

export interface PlanChange {
  /** The worker or resource that changes, e.g. `router`, `D1Migrations`. */
  subject: string;
  kind: "add" | "remove" | "change";
  text: string;
}

/** Compared as workers and migrations, so left out of the other resources. */
const WORKER_TYPES = new Set(["WorkersScript", "D1Migrations"]);

/** From base to head; without a base plan (an older commit without one), everything is new. */
export function diffPlans(basePlan: OfflinePlan | undefined, head: OfflinePlan): PlanChange[] {
  const base = basePlan ?? { ...head, workers: [], migrations: [], resources: [] };
  const others = (plan: OfflinePlan) => plan.resources.filter((r) => !WORKER_TYPES.has(r.type));
  return [
    ...keyedChanges(base.workers, head.workers, {
      key: (w) => w.name,
      subject: (w) => w.name,
      add: (w) => `new worker ${w.scriptName}, ${formatBytes(w.gzipBytes)} gzip`,
      change: workerChanges,
      remove: (w) => `worker ${w.scriptName} removed`,
    }),
    // A removed migration file is not reported.
    ...keyedChanges(base.migrations, head.migrations, {
      key: (m) => m.name,
      subject: () => "migrations",
      add: (m) => `+${m.name}`,
      change: (was, now) =>
        was.sha256 === now.sha256
          ? []
          : [
              `${now.name} changed; an applied migration must not change, so \`pulumi up\` will refuse it`,
            ],
    }),
    ...keyedChanges(others(base), others(head), {
      key: (r) => `${r.type} ${r.name}`,
      subject: (r) => r.type,
      add: (r) => `+${r.name} (${r.detail})`,
      change: (was, now) =>
        was.detail === now.detail ? [] : [`${now.name}: ${was.detail} → ${now.detail}`],
      remove: (r) => `-${r.name}`,
    }),
  ];
}

/** Head's items in order (added or changed), then those only base has (removed). */
function keyedChanges<T>(
  base: readonly T[],
  head: readonly T[],
  spec: {
    key(item: T): string;
    subject(item: T): string;
    add(item: T): string;
    change(was: T, now: T): string[];
    remove?(item: T): string;
  },
): PlanChange[] {
  const before = new Map(base.map((item) => [spec.key(item), item]));
  const after = new Map(head.map((item) => [spec.key(item), item]));
  const changes: PlanChange[] = [];
  const push = (item: T, kind: PlanChange["kind"], text: string) =>
    changes.push({ subject: spec.subject(item), kind, text });
  for (const [key, now] of after) {
    const was = before.get(key);
    for (const text of was ? spec.change(was, now) : [spec.add(now)]) {
      push(now, was ? "change" : "add", text);
    }
  }
  for (const [key, was] of before) {
    if (!after.has(key) && spec.remove) push(was, "remove", spec.remove(was));
  }
  return changes;
}

function workerChanges(before: PlannedWorkerView, after: PlannedWorkerView): string[] {
  const delta = signedBytes(after.gzipBytes - before.gzipBytes);
  const texts = before.sha256 === after.sha256 ? [] : [`code changed, ${delta} gzip`];
  texts.push(
    ...configChanges(before.config, after.config),
    ...listChange("bindings", before.bindings, after.bindings),
  );
  if (!before.bindingsSecret && after.bindingsSecret) {
    texts.push("bindings are now marked secret (pulumi preview will hide their changes)");
  }
  for (const key of ["route", "compatibilityDate", "workersDev", "scriptName"] as const) {
    if (before[key] !== after[key]) texts.push(`${key} ${show(before[key])} → ${show(after[key])}`);
  }
  return texts;
}

/** The router's CONFIG binding, key by key; weights and upstream settings one at a time. */
function configChanges(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): string[] {
  if (!before || !after) {
    return before === after ? [] : [after ? "CONFIG binding added" : "CONFIG binding removed"];
  }
  return changedKeys(before, after).flatMap((key) => {
    const [a, b] = [before[key], after[key]];
    if (key === "rollout" && isRecord(a) && isRecord(b)) {
      return changedKeys(a, b).map(
        (service) => `rollout.${service} ${show(a[service])} → ${show(b[service])}`,
      );
    }
    // Deadlines and skip settings one worker and one setting at a time.
    if (key === "upstreams" && isRecord(a) && isRecord(b)) {
      return changedKeys(a, b).flatMap((worker) => {
        const [was, now] = [a[worker], b[worker]];
        if (!isRecord(was) || !isRecord(now))
          return [`upstreams.${worker} ${show(was)} → ${show(now)}`];
        return changedKeys(was, now).map(
          (setting) =>
            `upstreams.${worker}.${setting} ${show(was[setting])} → ${show(now[setting])}`,
        );
      });
    }
    if (Array.isArray(a) && Array.isArray(b)) return listChange(key, a, b);
    return [`${key} ${show(a)} → ${show(b)}`];
  });
}

/** Keys of either record (base's order first) whose values differ. */
function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]));
}

/** `label +added, -removed`, or `label reordered` when only the order differs. */
function listChange(
  label: string,
  before: readonly unknown[],
  after: readonly unknown[],
): string[] {
  const was = new Set(before.map((x) => JSON.stringify(x)));
  const now = new Set(after.map((x) => JSON.stringify(x)));
  const edits = [
    ...after.filter((x) => !was.has(JSON.stringify(x))).map((x) => `+${listItem(x)}`),
    ...before.filter((x) => !now.has(JSON.stringify(x))).map((x) => `-${listItem(x)}`),
  ];
  if (edits.length) return [`${label} ${edits.join(", ")}`];
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [`${label} reordered`];
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
  const { prefix, target, method, path } = isRecord(value) ? value : {};
  if (typeof prefix === "string") return `${prefix} → ${String(target)}`;
  return typeof path === "string" ? `${String(method)} ${path}` : JSON.stringify(value);
}

function show(value: unknown): string {
  return value === undefined ? "(none)" : typeof value === "string" ? value : JSON.stringify(value);
}
