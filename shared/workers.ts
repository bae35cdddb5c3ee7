// The names of the workers built from this repo; the full table (prefixes, tables, bindings)
// lives in infra/topology.ts. Kept here so workers and infra agree on names without importing infra.

export const SERVICE_NAMES = [
  "auth",
  "creator",
  "investor",
  "production",
  "browse",
  "analytics",
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Every worker this repo builds: the router, the six services and the stand-in monolith. */
export const WORKER_NAMES = ["router", ...SERVICE_NAMES, "monolith"] as const;

export type WorkerName = (typeof WORKER_NAMES)[number];

/** Where a request can be sent: a green service or the blue monolith. */
export type RouteTarget = ServiceName | "monolith";

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
