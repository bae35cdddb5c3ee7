// Turns a worker's BindingSpec list (infra/topology.ts) into the bindings its WorkersScript
// declares, in the table's order so plans stay stable. Pure: no Pulumi, so tests and the local
// platform can read the same list.

import type { RateLimitName, RateLimitPeriod, RateLimitPeriods } from "../shared/rate-limits.ts";
import type { RouteTarget } from "../shared/workers.ts";
import type { BindingSpec } from "./topology.ts";

/**
 * One binding as Cloudflare's script API takes it (a subset of `WorkersScriptBinding`). `Ref` is
 * the type of the database id: a plain string here, a Pulumi output in the components.
 */
export type ScriptBinding<Ref = string> =
  | { type: "d1"; name: string; databaseId: Ref }
  | { type: "service"; name: string; service: string }
  | { type: "json"; name: string; json: string }
  | { type: "secrets_store_secret"; name: string; storeId: string; secretName: string }
  | { type: "analytics_engine"; name: string; dataset: string }
  | {
      type: "ratelimit";
      name: string;
      namespaceId: string;
      simple: { limit: number; period: RateLimitPeriod };
    };

/** One of the stack's rate limits: its namespace in the account, and how many requests per period. */
export interface RateLimitSetting {
  namespaceId: string;
  limit: number;
  period: RateLimitPeriod;
}

/** Where a Secrets Store secret lives; a binding names it, it never carries the value. */
export interface SecretsStoreRef {
  storeId: string;
  secretName: string;
}

/** What the specs refer to; each field is needed only by workers whose specs use it. */
export interface BindingContext<Ref = string> {
  /** The D1 database behind `DB`. */
  databaseId?: Ref;
  /** Script name per service-binding target; without a monolith its binding is left out. */
  scriptNames?: Partial<Record<RouteTarget, string>>;
  /** The router's CONFIG value, already JSON-encoded. */
  routerConfigJson?: string;
  /** The JWT key in the account's Secrets Store. */
  jwtSecret?: SecretsStoreRef;
  /** The Analytics Engine dataset the router writes rollout health to; none means no binding. */
  telemetryDataset?: string;
  /** The stack's rate limits (`platform:rateLimits`); none means no limit is declared. */
  rateLimits?: Record<RateLimitName, RateLimitSetting>;
}

/**
 * The bindings of `worker`, in the order of `specs`. Throws when a spec needs something the
 * context lacks, naming the worker and the binding.
 */
export function scriptBindingsFor<Ref>(
  worker: string,
  specs: readonly BindingSpec[],
  context: BindingContext<Ref>,
): ScriptBinding<Ref>[] {
  const missing = (binding: string, what: string) =>
    new Error(`worker "${worker}" binds ${binding} but no ${what} was given`);
  const bindings: ScriptBinding<Ref>[] = [];
  for (const spec of specs) {
    switch (spec.type) {
      case "d1": {
        if (context.databaseId === undefined) throw missing(spec.name, "database id");
        // `databaseId`, not the deprecated `id`: the API reads it back as `database_id`.
        bindings.push({ type: "d1", name: spec.name, databaseId: context.databaseId });
        break;
      }
      case "service": {
        const service = context.scriptNames?.[spec.target];
        // No monolith configured means the migration is done: there is no blue side to bind.
        if (service === undefined && spec.target === "monolith") break;
        if (service === undefined) throw missing(spec.name, `script name for "${spec.target}"`);
        bindings.push({ type: "service", name: spec.name, service });
        break;
      }
      case "json": {
        if (spec.name === "RATE_LIMITS") {
          if (context.rateLimits === undefined) break;
          const json = JSON.stringify(periodsOf(specs, context.rateLimits));
          bindings.push({ type: "json", name: spec.name, json });
          break;
        }
        if (context.routerConfigJson === undefined) throw missing(spec.name, "router config");
        bindings.push({ type: "json", name: spec.name, json: context.routerConfigJson });
        break;
      }
      case "secret": {
        // A Secrets Store reference, not `secret_text`: a secret value inside `bindings` would make
        // Pulumi mark the whole list secret and hide every other binding's change in previews.
        if (context.jwtSecret === undefined) throw missing(spec.name, "Secrets Store secret");
        bindings.push({ type: "secrets_store_secret", name: spec.name, ...context.jwtSecret });
        break;
      }
      case "analytics_engine": {
        // Optional: without a dataset the router simply writes nothing.
        if (context.telemetryDataset === undefined) break;
        bindings.push({
          type: "analytics_engine",
          name: spec.name,
          dataset: context.telemetryDataset,
        });
        break;
      }
      case "ratelimit": {
        // Optional as a whole: a stack without `rateLimits` limits nothing.
        const setting = context.rateLimits?.[spec.limit];
        if (setting === undefined) break;
        const { namespaceId, limit, period } = setting;
        bindings.push({
          type: "ratelimit",
          name: spec.name,
          namespaceId,
          simple: { limit, period },
        });
        break;
      }
    }
  }
  return bindings;
}

/** The period of each limit among `specs`, as the service reads it for `Retry-After`. */
function periodsOf(
  specs: readonly BindingSpec[],
  settings: Record<RateLimitName, RateLimitSetting>,
): RateLimitPeriods {
  const periods: RateLimitPeriods = {};
  for (const spec of specs) {
    if (spec.type === "ratelimit") periods[spec.limit] = { period: settings[spec.limit].period };
  }
  return periods;
}
