// The table of workers built from this repo: the only list of their names. Workers and infra/ both
// read it; infra/topology.ts adds the deploy details (build entry, bindings). Adding a service is
// a folder under services/ and a row here: docs/adding-a-service.md.

import type { PublicRoute } from "./router-config.ts";

interface Row {
  readonly name: string;
  readonly kind: "router" | "service" | "monolith";
  /** Path prefixes the worker serves, matched on whole segments. */
  readonly pathPrefixes: readonly string[];
  /** Tables whose writes belong to this worker; others only read them. */
  readonly ownsTables: readonly string[];
  /** Requests to this worker that pass the router without a token. */
  readonly publicRoutes: readonly PublicRoute[];
  /**
   * Services only: whether the old monolith serves these paths too (the blue side). `false` is new
   * functionality with no monolith counterpart: the router always sends it to the service, with
   * no split and no fallback, and the stack config refuses a weight for it.
   */
  readonly blueSide?: boolean;
}

export const WORKERS = [
  {
    name: "router",
    kind: "router",
    pathPrefixes: ["/"],
    ownsTables: [],
    publicRoutes: [
      { method: "GET", path: "/health" },
      { method: "HEAD", path: "/health" },
    ],
  },
  {
    name: "auth",
    kind: "service",
    pathPrefixes: ["/api/auth"],
    ownsTables: ["users", "sessions", "refresh_tokens"],
    publicRoutes: [
      { method: "POST", path: "/api/auth/register" },
      { method: "POST", path: "/api/auth/login" },
      // Called when the access token has expired, so with the refresh token alone.
      { method: "POST", path: "/api/auth/refresh" },
      { method: "POST", path: "/api/auth/logout" },
    ],
    blueSide: true,
  },
  {
    name: "creator",
    kind: "service",
    pathPrefixes: ["/api/creator"],
    ownsTables: ["pitches"],
    publicRoutes: [],
    blueSide: true,
  },
  {
    name: "investor",
    kind: "service",
    pathPrefixes: ["/api/investor"],
    ownsTables: ["watchlist", "investments"],
    publicRoutes: [],
    blueSide: true,
  },
  {
    name: "production",
    kind: "service",
    pathPrefixes: ["/api/production"],
    ownsTables: ["offers"],
    publicRoutes: [],
    blueSide: true,
  },
  {
    name: "browse",
    kind: "service",
    pathPrefixes: ["/api/browse"],
    ownsTables: [],
    publicRoutes: [
      { method: "GET", path: "/api/browse/*" },
      { method: "HEAD", path: "/api/browse/*" },
    ],
    blueSide: true,
  },
  {
    name: "analytics",
    kind: "service",
    pathPrefixes: ["/api/analytics"],
    ownsTables: ["events"],
    publicRoutes: [],
    blueSide: true,
  },
  {
    // The blue side: the old worker's stand-in, serving every service's paths plus the ones that
    // are not migrated yet (listed here).
    name: "monolith",
    kind: "monolith",
    pathPrefixes: ["/api/nda", "/api/messages"],
    ownsTables: ["ndas", "messages"],
    publicRoutes: [],
  },
] as const satisfies readonly Row[];

export type WorkerRow = (typeof WORKERS)[number];
export type WorkerName = WorkerRow["name"];
export type ServiceRow = Extract<WorkerRow, { kind: "service" }>;
export type ServiceName = ServiceRow["name"];

/** Where a request can be sent: a green service or the blue monolith. */
export type RouteTarget = ServiceName | "monolith";

export const WORKER_NAMES: readonly WorkerName[] = /* @__PURE__ */ WORKERS.map((row) => row.name);

export const SERVICES: readonly ServiceRow[] = /* @__PURE__ */ WORKERS.filter(
  (row): row is ServiceRow => row.kind === "service",
);

export const SERVICE_NAMES: readonly ServiceName[] = /* @__PURE__ */ SERVICES.map(
  (row) => row.name,
);

/** The service-binding name a worker is reached through, e.g. `investor` → `INVESTOR`. */
export function bindingNameOf(target: RouteTarget): string {
  return target.toUpperCase();
}

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

export function isWorkerName(value: string): value is WorkerName {
  return (WORKER_NAMES as readonly string[]).includes(value);
}

/** Whether the monolith serves this service's paths too; false for new functionality. */
export function hasBlueSide(service: ServiceName): boolean {
  const row: Row | undefined = SERVICES.find((r) => r.name === service);
  return row?.blueSide !== false;
}
