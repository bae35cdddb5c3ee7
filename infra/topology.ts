// The one table of workers: what each is built from, which paths it serves, which tables it owns
// and what it is bound to. The router's routes, the resources, the local platform and the budgets
// all read it.

import type { PublicRoute, RouteEntry } from "../shared/router-config.ts";
import {
  bindingNameOf,
  type RouteTarget,
  SERVICE_NAMES,
  type ServiceName,
  type WorkerName,
} from "../shared/workers.ts";

/** One binding a worker declares; the resources and the local platform map each kind. */
export type BindingSpec =
  | { type: "d1"; name: "DB" }
  | { type: "service"; name: string; target: RouteTarget }
  | { type: "json"; name: "CONFIG" }
  | { type: "secret"; name: "JWT_SECRET" };

export interface WorkerSpec {
  name: WorkerName;
  /** `router`, one of the six green `service`s, or the blue stand-in `monolith`. */
  kind: "router" | "service" | "monolith";
  /** Build entry, relative to the repo root. */
  entry: string;
  /** Path prefixes the worker serves (whole segments). */
  pathPrefixes: string[];
  /** Tables whose writes belong to this worker; others only read them. */
  ownsTables: string[];
  /** In the order they are declared on the script (fixed, so plans stay stable). */
  bindings: BindingSpec[];
  /** Requests to this worker that pass the router without a token. */
  publicRoutes: PublicRoute[];
}

const DB: BindingSpec = { type: "d1", name: "DB" };
const JWT_SECRET: BindingSpec = { type: "secret", name: "JWT_SECRET" };

function service(
  name: ServiceName,
  ownsTables: string[],
  extra: { bindings?: BindingSpec[]; publicRoutes?: PublicRoute[] } = {},
): WorkerSpec {
  return {
    name,
    kind: "service",
    entry: `services/${name}/src/index.ts`,
    pathPrefixes: [`/api/${name}`],
    ownsTables,
    bindings: [DB, ...(extra.bindings ?? [])],
    publicRoutes: extra.publicRoutes ?? [],
  };
}

/** Paths that only the monolith serves until they are migrated. */
export const MONOLITH_ONLY_PREFIXES = ["/api/nda", "/api/messages"];

export const SERVICES: readonly WorkerSpec[] = [
  service("auth", ["users"], {
    bindings: [JWT_SECRET],
    publicRoutes: [
      { method: "POST", path: "/api/auth/register" },
      { method: "POST", path: "/api/auth/login" },
    ],
  }),
  service("creator", ["pitches"]),
  service("investor", ["watchlist", "investments"]),
  service("production", ["offers"]),
  service("browse", [], {
    publicRoutes: [
      { method: "GET", path: "/api/browse/*" },
      { method: "HEAD", path: "/api/browse/*" },
    ],
  }),
  service("analytics", ["events"]),
];

export const ROUTER: WorkerSpec = {
  name: "router",
  kind: "router",
  entry: "services/router/src/index.ts",
  pathPrefixes: ["/"],
  ownsTables: [],
  bindings: [
    ...SERVICE_NAMES.map(
      (target): BindingSpec => ({
        type: "service",
        name: bindingNameOf(target),
        target,
      }),
    ),
    { type: "service", name: bindingNameOf("monolith"), target: "monolith" },
    { type: "json", name: "CONFIG" },
    JWT_SECRET,
  ],
  publicRoutes: [
    { method: "GET", path: "/health" },
    { method: "HEAD", path: "/health" },
  ],
};

export const MONOLITH: WorkerSpec = {
  name: "monolith",
  kind: "monolith",
  entry: "services/monolith/src/index.ts",
  pathPrefixes: MONOLITH_ONLY_PREFIXES,
  ownsTables: ["ndas", "messages"],
  bindings: [DB, JWT_SECRET],
  publicRoutes: [],
};

/** Every worker built from this repo, router first. */
export const WORKERS: readonly WorkerSpec[] = [ROUTER, ...SERVICES, MONOLITH];

export function workerSpec(name: WorkerName): WorkerSpec {
  const spec = WORKERS.find((worker) => worker.name === name);
  if (!spec) throw new Error(`unknown worker "${name}"`);
  return spec;
}

/** The router's routing table: every service prefix, then the paths only the monolith serves. */
export function routeTable(workers: readonly WorkerSpec[] = WORKERS): RouteEntry[] {
  const routes: RouteEntry[] = [];
  for (const worker of workers) {
    if (worker.kind === "service") {
      for (const prefix of worker.pathPrefixes)
        routes.push({ prefix, target: worker.name as ServiceName });
    }
  }
  for (const prefix of MONOLITH_ONLY_PREFIXES) routes.push({ prefix, target: "monolith" });
  return routes;
}

export function publicRoutes(workers: readonly WorkerSpec[] = WORKERS): PublicRoute[] {
  return workers.filter((w) => w.kind !== "monolith").flatMap((w) => w.publicRoutes);
}

/**
 * Checks the table itself: unique names, prefixes that start with `/`, have no trailing slash
 * and are claimed once, and tables with exactly one owner. Returns every problem found.
 */
export function topologyProblems(workers: readonly WorkerSpec[] = WORKERS): string[] {
  const problems: string[] = [];
  const seenNames = new Set<string>();
  const prefixOwner = new Map<string, string>();
  const tableOwner = new Map<string, string>();
  for (const worker of workers) {
    if (seenNames.has(worker.name)) problems.push(`worker "${worker.name}" is declared twice`);
    seenNames.add(worker.name);
    if (worker.kind === "router") continue;
    for (const prefix of worker.pathPrefixes) {
      if (!/^\/[a-z0-9][a-z0-9/_-]*$/.test(prefix) || prefix.endsWith("/")) {
        problems.push(
          `worker "${worker.name}" path prefix "${prefix}" must start with "/", use lowercase letters, digits, "-" or "_", and not end with "/"`,
        );
      }
      const owner = prefixOwner.get(prefix);
      if (owner) {
        problems.push(`path prefix "${prefix}" is claimed by both "${owner}" and "${worker.name}"`);
      }
      prefixOwner.set(prefix, worker.name);
    }
    for (const table of worker.ownsTables) {
      const owner = tableOwner.get(table);
      if (owner) problems.push(`table "${table}" is owned by both "${owner}" and "${worker.name}"`);
      tableOwner.set(table, worker.name);
    }
  }
  return problems;
}

/** The table with a stack's per-worker overrides applied (extra path prefixes for services). */
export function workersFor(
  overrides: Partial<Record<WorkerName, { pathPrefixes?: string[] | undefined }>>,
): WorkerSpec[] {
  return WORKERS.map((worker) => {
    const extra = worker.kind === "service" ? (overrides[worker.name]?.pathPrefixes ?? []) : [];
    return extra.length ? { ...worker, pathPrefixes: [...worker.pathPrefixes, ...extra] } : worker;
  });
}
