// The offline plan as data: `planFrom` turns the resources the program registers under Pulumi mocks
// into workers (size vs budget, bindings, route), the rollout table and the resources to create.

import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { Budget, Budgets } from "../../infra/budgets.ts";
import { formatBytes } from "../../infra/budgets.ts";
import { WORKER_NAMES } from "../../shared/workers.ts";

/** One resource as the mocks saw it registered. */
export interface PlannedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** False for component resources, which Cloudflare never sees. */
  custom?: boolean;
}

export interface PlannedWorker {
  /** Worker name in the topology (`router`, `investor`, …), else the script name. */
  name: string;
  scriptName: string;
  bytes: number;
  gzipBytes: number;
  /** sha256 of the deployed code: equal hashes mean no code change. */
  sha256: string;
  budget?: Budget;
  /** One line per binding, in declared order, e.g. `DB → d1 <id>`; never a secret value. */
  bindings: string[];
  /** True when Pulumi marks the whole bindings list secret (preview would show `[secret]`). */
  bindingsSecret: boolean;
  /** The parsed CONFIG json binding (the router's routes, rollout and CORS). */
  config?: Record<string, unknown>;
  route?: string;
  workersDev?: boolean;
  compatibilityDate?: string;
}

export interface Plan {
  version: 1;
  stack: string;
  workers: PlannedWorker[];
  /** Weight (0-100) per service from the router's CONFIG: the share served by the new service. */
  rollout: Record<string, number>;
  /** Script name of the blue side, when the router has a MONOLITH binding. */
  monolith?: string;
  migrations: { name: string; sha256: string }[];
  /** Every Cloudflare resource the program declares (all would be created on an empty stack). */
  resources: { type: string; name: string; detail: string }[];
  /** Budget problems; the CLI exits non-zero when there are any. */
  problems: string[];
}

const T = {
  script: "cloudflare:index/workersScript:WorkersScript",
  route: "cloudflare:index/workersRoute:WorkersRoute",
  customDomain: "cloudflare:index/workersCustomDomain:WorkersCustomDomain",
  subdomain: "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain",
  database: "cloudflare:index/d1Database:D1Database",
};

/** Pulumi's marker for a secret value in serialized inputs (what mocks receive). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function isSecret(value: unknown): value is { value: unknown } {
  return isRecord(value) && value[SECRET_SIG] === SECRET_VALUE;
}

/** The value under Pulumi's secret wrapper, if any. */
export function reveal(value: unknown): unknown {
  return isSecret(value) ? value.value : value;
}

export function planFrom(
  resources: readonly PlannedResource[],
  options: { stack: string; budgets: Budgets },
): Plan {
  const custom = resources.filter((r) => r.custom !== false && !r.type.startsWith("pulumi:"));
  const routes = new Map<string, string>();
  const workersDev = new Map<string, boolean>();
  for (const r of custom) {
    const inputs = r.inputs;
    if (r.type === T.route) routes.set(str(inputs.script), `${str(inputs.pattern)} (zone route)`);
    if (r.type === T.customDomain) {
      routes.set(str(inputs.service), `${str(inputs.hostname)} (custom domain)`);
    }
    if (r.type === T.subdomain) workersDev.set(str(inputs.scriptName), inputs.enabled === true);
  }

  const workers = custom
    .filter((r) => r.type === T.script)
    .map((r) => plannedWorker(r, options.budgets, routes, workersDev))
    .sort((a, b) => topologyOrder(a.name) - topologyOrder(b.name));
  const router = workers.find((w) => w.name === "router");
  const rollout = rolloutOf(router?.config);
  const monolithLine = router?.bindings.find((b) => b.startsWith("MONOLITH → "));
  const migrations = custom
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic") && Array.isArray(r.inputs.migrations))
    .flatMap((r) => (r.inputs.migrations as { name: string; sha256: string }[]) ?? [])
    .map(({ name, sha256 }) => ({ name, sha256 }));

  return {
    version: 1,
    stack: options.stack,
    workers,
    rollout,
    ...(monolithLine ? { monolith: monolithLine.replace(/^MONOLITH → service /, "") } : {}),
    migrations,
    resources: custom.map((r) => ({
      type: shortType(r.type),
      name: r.name,
      detail: describeResource(r),
    })),
    problems: workers.flatMap(budgetProblems),
  };
}

function plannedWorker(
  resource: PlannedResource,
  budgets: Budgets,
  routes: Map<string, string>,
  workersDev: Map<string, boolean>,
): PlannedWorker {
  const inputs = resource.inputs;
  const scriptName = str(inputs.scriptName) || resource.name;
  const code = Buffer.from(str(reveal(inputs.content)), "utf8");
  const name = workerNameOf(scriptName, resource.name);
  const rawBindings = reveal(inputs.bindings);
  const bindings = Array.isArray(rawBindings) ? rawBindings.map(reveal).filter(isRecord) : [];
  const configBinding = bindings.find((b) => b.type === "json" && b.name === "CONFIG");
  const budget = budgets[name as keyof Budgets];
  const route = routes.get(scriptName);
  const dev = workersDev.get(scriptName);
  const compatibilityDate = str(inputs.compatibilityDate);
  return {
    name,
    scriptName,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    sha256: createHash("sha256").update(code).digest("hex"),
    ...(budget ? { budget } : {}),
    bindings: bindings.map(describeBinding),
    bindingsSecret: isSecret(inputs.bindings),
    ...(configBinding ? { config: parseJsonObject(reveal(configBinding.json)) } : {}),
    ...(route ? { route } : {}),
    ...(dev !== undefined ? { workersDev: dev } : {}),
    ...(compatibilityDate ? { compatibilityDate } : {}),
  };
}

/** Router first, then the services, then the monolith, as in infra/topology.ts. */
function topologyOrder(name: string): number {
  const index = (WORKER_NAMES as readonly string[]).indexOf(name);
  return index === -1 ? WORKER_NAMES.length : index;
}

/** `pitch-staging-investor` → `investor`; the longest worker name that ends the script name. */
function workerNameOf(scriptName: string, resourceName: string): string {
  const matches = WORKER_NAMES.filter(
    (w) => scriptName === w || scriptName.endsWith(`-${w}`) || resourceName === w,
  );
  return matches.sort((a, b) => b.length - a.length)[0] ?? scriptName;
}

/** Names what a binding points at, never a value: secret text and plain text show as `[hidden]`. */
export function describeBinding(binding: Record<string, unknown>): string {
  const name = str(binding.name);
  const type = str(binding.type);
  switch (type) {
    case "service":
      return `${name} → service ${str(binding.service)}`;
    case "d1":
      return `${name} → d1 ${str(reveal(binding.id)) || "(new database)"}`;
    case "json":
      return `${name} → json`;
    case "secrets_store_secret":
      return `${name} → secrets store ${str(binding.secretName)}`;
    case "secret_text":
    case "plain_text":
      return `${name} → ${type} [hidden]`;
    default:
      return `${name} → ${type}`;
  }
}

function rolloutOf(config: Record<string, unknown> | undefined): Record<string, number> {
  const rollout = config?.rollout;
  if (!isRecord(rollout)) return {};
  return Object.fromEntries(
    Object.entries(rollout).filter((e): e is [string, number] => typeof e[1] === "number"),
  );
}

function budgetProblems(worker: PlannedWorker): string[] {
  if (!worker.budget) return [];
  const problems: string[] = [];
  if (worker.gzipBytes > worker.budget.maxGzipBytes) {
    problems.push(
      `bundle "${worker.name}" is ${formatBytes(worker.gzipBytes)} gzip, over its ${formatBytes(worker.budget.maxGzipBytes)} budget`,
    );
  }
  if (worker.bytes > worker.budget.maxBytes) {
    problems.push(
      `bundle "${worker.name}" is ${formatBytes(worker.bytes)}, over its ${formatBytes(worker.budget.maxBytes)} budget (uncompressed)`,
    );
  }
  return problems;
}

/** One line on what a resource is; secret inputs (e.g. a Secrets Store value) are never shown. */
function describeResource(resource: PlannedResource): string {
  const inputs = resource.inputs;
  switch (resource.type) {
    case T.script:
      return str(inputs.scriptName);
    case T.route:
      return `${str(inputs.pattern)} → ${str(inputs.script)}`;
    case T.customDomain:
      return `${str(inputs.hostname)} → ${str(inputs.service)}`;
    case T.subdomain:
      return `${str(inputs.scriptName)} workers.dev ${inputs.enabled === true ? "on" : "off"}`;
    case T.database:
      return str(inputs.name);
    default: {
      if (Array.isArray(inputs.migrations)) {
        const names = (inputs.migrations as { name: string }[]).map((m) => m.name);
        return `${names.length} migration file(s): ${names.join(", ")}`;
      }
      return str(inputs.name) || str(inputs.scriptName) || "";
    }
  }
}

function shortType(type: string): string {
  if (type.startsWith("pulumi-nodejs:dynamic")) return type.split(":").pop() || "Dynamic";
  return type.split(":").pop() ?? type;
}

function parseJsonObject(value: unknown): Record<string, unknown> | undefined {
  if (isRecord(value)) return value;
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
