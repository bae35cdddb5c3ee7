// The router's CONFIG binding: a JSON value the program (and the local platform) builds from the
// topology and the stack config (infra/topology.ts `routerConfigFor`). Changing a rollout weight changes only this value.

import type { RouteTarget, ServiceName } from "./workers.ts";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

export interface RouteEntry {
  /** Path prefix matched on whole segments: `/api/creator` matches `/api/creator/x`, not `/api/creatorx`. */
  prefix: string;
  /** The service that owns the prefix, or `monolith` for paths not migrated yet. */
  target: RouteTarget;
  /** `false` for a service the monolith never served: no split, no fallback. */
  blueSide?: false;
}

export interface PublicRoute {
  method: HttpMethod;
  /** Exact path, or a prefix when it ends with `/*`. */
  path: string;
}

/** How the router treats one worker it calls (stack config `workers.<name>.*`). */
export interface UpstreamPolicy {
  /** Time allowed for the response headers; past it the call is aborted (bodies then stream). */
  deadlineMs: number;
  /** Failures in a row (throw, 5xx, timeout) after which safe requests skip the service. */
  skipAfterFailures: number;
  /** How long safe requests skip it before one request probes it again. */
  skipForMs: number;
}

/** The most failures in a row a stack may ask for before a skip (the stack config and CONFIG agree). */
export const MAX_SKIP_AFTER_FAILURES = 1000;

export const UPSTREAM_DEFAULTS: UpstreamPolicy = {
  deadlineMs: 10_000,
  skipAfterFailures: 5,
  skipForMs: 30_000,
};

export interface RouterConfig {
  routes: RouteEntry[];
  /** Share (0-100) of each service's traffic served by the new service; the rest goes to the monolith. */
  rollout: Record<ServiceName, number>;
  corsOrigins: string[];
  /** Requests that pass without a token. */
  publicRoutes: PublicRoute[];
  /** Whether a MONOLITH binding exists (blue side and fallback). */
  monolith: boolean;
  /** Per worker the router calls; a missing worker or field takes UPSTREAM_DEFAULTS. */
  upstreams?: Partial<Record<RouteTarget, Partial<UpstreamPolicy>>>;
}
