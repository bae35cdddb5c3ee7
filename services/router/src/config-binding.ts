// Reads the CONFIG binding (built by infra/topology.ts `routerConfigFor`). A wrong value is an operator error,
// so it becomes a 500 that names the binding and the key instead of a confusing routing failure.

import { ApiError } from "../../../shared/errors.ts";
import { MAX_SKIP_AFTER_FAILURES, type RouterConfig } from "../../../shared/router-config.ts";

type Json = Record<string, unknown>;

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Checked configs by binding object, so each isolate validates (and sorts) a config once. */
const checked = new WeakMap<object, RouterConfig>();

/** The config with its routes sorted longest prefix first; throws a 500 ApiError when invalid. */
export function readRouterConfig(binding: unknown): RouterConfig {
  const hit = isObject(binding) ? checked.get(binding) : undefined;
  if (hit) return hit;
  const problem = configProblem(binding);
  if (problem || !isObject(binding)) {
    throw new ApiError(
      500,
      "router_misconfigured",
      `The router's CONFIG binding ${problem}; deploy it with the value infra/topology.ts builds.`,
    );
  }
  const config = binding as unknown as RouterConfig;
  const sorted = {
    ...config,
    routes: [...config.routes].sort((a, b) => b.prefix.length - a.prefix.length),
  };
  checked.set(binding, sorted);
  return sorted;
}

/** The first thing wrong with a CONFIG value, phrased to follow "The router's CONFIG binding". */
export function configProblem(value: unknown): string | undefined {
  if (value === undefined) return "is missing";
  if (!isObject(value)) return `must be a JSON object, got ${JSON.stringify(value)}`;
  const { routes, rollout, corsOrigins, publicRoutes, monolith } = value;
  if (!Array.isArray(routes)) return "has no routes list (CONFIG.routes)";
  for (const [i, route] of routes.entries()) {
    if (!isObject(route) || typeof route.prefix !== "string" || !/^\/.*[^/]$/.test(route.prefix)) {
      return `CONFIG.routes[${i}].prefix must be a path like "/api/name" without a trailing "/", got ${JSON.stringify(isObject(route) ? route.prefix : route)}`;
    }
    const target = route.target;
    if (typeof target !== "string" || !/^[a-z][a-z0-9]*$/.test(target)) {
      return `CONFIG.routes[${i}].target must be a worker name like "investor" or "monolith", got ${JSON.stringify(target)}`;
    }
    if (route.blueSide !== undefined && route.blueSide !== false) {
      return `CONFIG.routes[${i}].blueSide must be false or absent, got ${JSON.stringify(route.blueSide)}`;
    }
  }
  if (!isObject(rollout)) return "has no rollout object (CONFIG.rollout)";
  for (const [name, weight] of Object.entries(rollout)) {
    if (!Number.isInteger(weight) || (weight as number) < 0 || (weight as number) > 100) {
      return `CONFIG.rollout.${name} must be an integer 0-100, got ${JSON.stringify(weight)}`;
    }
  }
  if (!Array.isArray(corsOrigins) || corsOrigins.some((o) => typeof o !== "string")) {
    return "CONFIG.corsOrigins must be a list of origins";
  }
  if (
    !Array.isArray(publicRoutes) ||
    publicRoutes.some(
      (r) => !isObject(r) || !METHODS.includes(r.method as string) || typeof r.path !== "string",
    )
  ) {
    return 'CONFIG.publicRoutes must be a list of { method, path } like { "method": "GET", "path": "/health" }';
  }
  if (typeof monolith !== "boolean") {
    return `CONFIG.monolith must be true or false, got ${JSON.stringify(monolith)}`;
  }
  return upstreamsProblem(value.upstreams);
}

const POLICY_RANGES = {
  deadlineMs: [1, 600_000],
  skipAfterFailures: [1, MAX_SKIP_AFTER_FAILURES],
  skipForMs: [1, 3_600_000],
} as const;

function upstreamsProblem(upstreams: unknown): string | undefined {
  if (upstreams === undefined) return undefined;
  if (!isObject(upstreams)) return "CONFIG.upstreams must be an object of worker names";
  for (const [name, policy] of Object.entries(upstreams)) {
    if (!isObject(policy)) return `CONFIG.upstreams.${name} must be an object`;
    for (const [key, value] of Object.entries(policy)) {
      const range = POLICY_RANGES[key as keyof typeof POLICY_RANGES];
      if (!range) {
        return `CONFIG.upstreams.${name}.${key} is not a setting; expected ${Object.keys(POLICY_RANGES).join(", ")}`;
      }
      if (
        !Number.isInteger(value) ||
        (value as number) < range[0] ||
        (value as number) > range[1]
      ) {
        return `CONFIG.upstreams.${name}.${key} must be an integer ${range[0]}-${range[1]}, got ${JSON.stringify(value)}`;
      }
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
