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

export interface RouterConfig {
  routes: RouteEntry[];
  /** Share (0-100) of each service's traffic served by the new service; the rest goes to the monolith. */
  rollout: Record<ServiceName, number>;
  corsOrigins: string[];
  /** Requests that pass without a token. */
  publicRoutes: PublicRoute[];
  /** Whether a MONOLITH binding exists (blue side and fallback). */
  monolith: boolean;
}
