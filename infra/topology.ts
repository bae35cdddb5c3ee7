// The deploy details of the table of workers (shared/workers.ts): what each is built from and what
// it is bound to, plus the router's CONFIG value derived from them. The resources, the local
// platform, the budgets and the offline plan all read it.

import {
  RATE_LIMIT_PERIODS_BINDING,
  RATE_LIMITS,
  type RateLimitName,
} from "../shared/rate-limits.ts";
import {
  type PublicRoute,
  type RouteEntry,
  type RouterConfig,
  UPSTREAM_DEFAULTS,
  type UpstreamPolicy,
} from "../shared/router-config.ts";
import {
  bindingNameOf,
  hasBlueSide,
  type RouteTarget,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceRow,
  WORKERS as TABLE,
  type WorkerName,
  type WorkerRow,
} from "../shared/workers.ts";
import { PROJECT } from "./config-schema.ts";

/** One binding a worker declares; the resources and the local platform map each kind. */
export type BindingSpec =
  | { type: "d1"; name: "DB" }
  | { type: "service"; name: string; target: RouteTarget }
  | { type: "json"; name: "CONFIG" | typeof RATE_LIMIT_PERIODS_BINDING }
  | { type: "secret"; name: "JWT_SECRET" }
  | { type: "analytics_engine"; name: "TELEMETRY" }
  | { type: "ratelimit"; name: string; limit: RateLimitName };

interface SpecBase {
  /** Build entry, relative to the repo root. */
  entry: string;
  pathPrefixes: readonly string[];
  ownsTables: readonly string[];
  publicRoutes: readonly PublicRoute[];
  /** In the order they are declared on the script (fixed, so plans stay stable). */
  bindings: readonly BindingSpec[];
}

export interface RouterSpec extends SpecBase {
  name: "router";
  kind: "router";
}

export interface ServiceSpec extends SpecBase {
  name: ServiceName;
  kind: "service";
  /** Whether the monolith serves these paths too; see `blueSide` in shared/workers.ts. */
  blueSide: boolean;
}

export interface MonolithSpec extends SpecBase {
  name: "monolith";
  kind: "monolith";
  /** The services whose apps the stand-in monolith composes (those with a blue side). */
  composes: readonly ServiceName[];
}

export type WorkerSpec = RouterSpec | ServiceSpec | MonolithSpec;

const DB: BindingSpec = { type: "d1", name: "DB" };
const JWT_SECRET: BindingSpec = { type: "secret", name: "JWT_SECRET" };

const rateLimit = (limit: RateLimitName): BindingSpec => ({
  type: "ratelimit",
  name: RATE_LIMITS[limit].binding,
  limit,
});
// Each limit's period, for `Retry-After`; declared, like the limits, only when the stack has them.
const RATE_LIMIT_PERIODS: BindingSpec = { type: "json", name: RATE_LIMIT_PERIODS_BINDING };

/** Bindings a service needs besides `DB`; a service not listed needs only `DB`. */
const EXTRA_BINDINGS: Partial<Record<ServiceName, readonly BindingSpec[]>> = {
  auth: [JWT_SECRET, rateLimit("login"), rateLimit("loginClient"), rateLimit("register")],
  analytics: [rateLimit("events")],
};

/** Services that enforce a rate limit also get the periods binding, after their limits. */
function serviceBindings(name: ServiceName): BindingSpec[] {
  const extra = EXTRA_BINDINGS[name] ?? [];
  const limited = extra.some((binding) => binding.type === "ratelimit");
  return [DB, ...extra, ...(limited ? [RATE_LIMIT_PERIODS] : [])];
}

const entryOf = (name: WorkerName) => `services/${name}/src/index.ts`;

function specOf(row: WorkerRow): WorkerSpec {
  const base = {
    entry: entryOf(row.name),
    pathPrefixes: row.pathPrefixes,
    ownsTables: row.ownsTables,
    publicRoutes: row.publicRoutes,
  };
  switch (row.kind) {
    case "router":
      return {
        ...base,
        name: row.name,
        kind: row.kind,
        bindings: [
          ...SERVICE_NAMES.map(
            (target): BindingSpec => ({ type: "service", name: bindingNameOf(target), target }),
          ),
          { type: "service", name: bindingNameOf("monolith"), target: "monolith" },
          { type: "json", name: "CONFIG" },
          JWT_SECRET,
          // Rollout health; declared only when the stack names a dataset (`telemetry.dataset`).
          { type: "analytics_engine", name: "TELEMETRY" },
        ],
      };
    case "service": {
      const service: ServiceRow = row;
      return {
        ...base,
        name: service.name,
        kind: service.kind,
        blueSide: hasBlueSide(service.name),
        bindings: serviceBindings(service.name),
      };
    }
    case "monolith":
      return {
        ...base,
        name: row.name,
        kind: row.kind,
        composes: SERVICE_NAMES.filter(hasBlueSide),
        bindings: [DB, JWT_SECRET],
      };
  }
}

/** Every worker built from this repo, router first, in the table's order. */
export const WORKERS: readonly WorkerSpec[] = TABLE.map(specOf);

export type SpecOf<N extends WorkerName> = N extends "router"
  ? RouterSpec
  : N extends "monolith"
    ? MonolithSpec
    : ServiceSpec;

export function workerSpec<N extends WorkerName>(name: N): SpecOf<N>;
export function workerSpec(name: WorkerName): WorkerSpec {
  const spec = WORKERS.find((worker) => worker.name === name);
  if (!spec) throw new Error(`unknown worker "${name}"`);
  return spec;
}

export const ROUTER = workerSpec("router");
export const MONOLITH = workerSpec("monolith");

/** The table with a stack's extra path prefixes applied (`workers.<service>.pathPrefixes`). */
export function workersFor(
  overrides: Partial<Record<WorkerName, { pathPrefixes?: string[] | undefined }>>,
): WorkerSpec[] {
  return WORKERS.map((worker) => {
    const extra = worker.kind === "service" ? (overrides[worker.name]?.pathPrefixes ?? []) : [];
    return extra.length ? { ...worker, pathPrefixes: [...worker.pathPrefixes, ...extra] } : worker;
  });
}

/** The router's routing table: every service prefix, then the paths only the monolith serves. */
export function routeTable(workers: readonly WorkerSpec[] = WORKERS): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const worker of workers) {
    if (worker.kind !== "service") continue;
    for (const prefix of worker.pathPrefixes) {
      routes.push(
        worker.blueSide
          ? { prefix, target: worker.name }
          : { prefix, target: worker.name, blueSide: false },
      );
    }
  }
  for (const worker of workers) {
    if (worker.kind !== "monolith") continue;
    for (const prefix of worker.pathPrefixes) routes.push({ prefix, target: "monolith" });
  }
  return routes;
}

export function publicRoutes(workers: readonly WorkerSpec[] = WORKERS): PublicRoute[] {
  return workers.filter((w) => w.kind !== "monolith").flatMap((w) => w.publicRoutes);
}

/**
 * The router's CONFIG binding. Pure, so the program, the local platform and the offline plan
 * send the router exactly the same value; a weight change changes only this value.
 */
export function routerConfigFor(config: {
  rollout: Record<ServiceName, number>;
  corsOrigins: readonly string[];
  monolith?: unknown;
  workers: Partial<Record<WorkerName, PolicyOverrides & { pathPrefixes?: string[] | undefined }>>;
}): RouterConfig {
  const workers = workersFor(config.workers);
  const monolith = config.monolith !== undefined;
  const called = workers.filter((w) => w.kind === "service" || (monolith && w.kind === "monolith"));
  return {
    routes: routeTable(workers),
    rollout: { ...config.rollout },
    corsOrigins: [...config.corsOrigins],
    publicRoutes: publicRoutes(workers),
    monolith,
    upstreams: Object.fromEntries(
      called.map((w) => {
        const policy = upstreamPolicy(config.workers[w.name]);
        // Only a service with a monolith behind it is ever skipped.
        const skippable = w.kind === "service" && w.blueSide && monolith;
        return [w.name, skippable ? policy : { deadlineMs: policy.deadlineMs }];
      }),
    ),
  };
}

type PolicyOverrides = { [K in keyof UpstreamPolicy]?: number | undefined };

/** A worker's deadline and skip settings, stack overrides over the defaults. */
export function upstreamPolicy(overrides: PolicyOverrides = {}): UpstreamPolicy {
  return {
    deadlineMs: overrides.deadlineMs ?? UPSTREAM_DEFAULTS.deadlineMs,
    skipAfterFailures: overrides.skipAfterFailures ?? UPSTREAM_DEFAULTS.skipAfterFailures,
    skipForMs: overrides.skipForMs ?? UPSTREAM_DEFAULTS.skipForMs,
  };
}

const WORKER_NAME = /^[a-z][a-z0-9]{1,30}$/;
const PATH_PREFIX = /^\/[a-z0-9][a-z0-9/_-]*$/;

/**
 * Checks the table (with a stack's overrides applied): names, prefixes that start with `/`, have
 * no trailing slash and are claimed once, and tables with exactly one owner. A prefix a stack
 * added is named by its config key. Returns every problem found.
 */
export function topologyProblems(workers: readonly WorkerSpec[] = WORKERS): string[] {
  const problems: string[] = [];
  const seenNames = new Set<string>();
  const tableOwner = new Map<string, string>();
  for (const worker of workers) {
    if (seenNames.has(worker.name)) problems.push(`worker "${worker.name}" is declared twice`);
    seenNames.add(worker.name);
    if (!WORKER_NAME.test(worker.name)) {
      problems.push(
        `worker "${worker.name}" must be named with 2-31 lowercase letters or digits, starting with a letter`,
      );
    }
    for (const table of worker.ownsTables) {
      const owner = tableOwner.get(table);
      if (owner) problems.push(`table "${table}" is owned by both "${owner}" and "${worker.name}"`);
      tableOwner.set(table, worker.name);
    }
  }
  // The table's own prefixes first, so a clash with a stack's extra prefix names the config key.
  const claims = workers
    .filter((worker) => worker.kind !== "router")
    .flatMap((worker) => {
      const own = new Set<string>(TABLE.find((row) => row.name === worker.name)?.pathPrefixes);
      return worker.pathPrefixes.map((prefix) => ({ worker, prefix, extra: !own.has(prefix) }));
    })
    .sort((a, b) => Number(a.extra) - Number(b.extra));
  const prefixOwner = new Map<string, string>();
  for (const { worker, prefix, extra } of claims) {
    if (!PATH_PREFIX.test(prefix) || prefix.endsWith("/")) {
      problems.push(
        `worker "${worker.name}" path prefix "${prefix}" must start with "/", use lowercase letters, digits, "-" or "_", and not end with "/"`,
      );
    }
    const owner = prefixOwner.get(prefix);
    if (owner && extra) {
      problems.push(
        `${PROJECT}:workers.${worker.name}.pathPrefixes has "${prefix}", already served by "${owner}"; each path prefix belongs to one worker`,
      );
    } else if (owner) {
      problems.push(`path prefix "${prefix}" is claimed by both "${owner}" and "${worker.name}"`);
    }
    prefixOwner.set(prefix, worker.name);
  }
  return problems;
}
