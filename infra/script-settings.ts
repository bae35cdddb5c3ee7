// What each worker script is called on Cloudflare and how it runs (compatibility date and flags,
// observability): the stack's defaults with `workers.<name>` overrides applied. Pure.

import type { WorkerName } from "../shared/workers.ts";
import type { StackConfig } from "./config.ts";

export interface ScriptSettings {
  compatibilityDate: string;
  compatibilityFlags: string[];
  observability: {
    enabled: boolean;
    headSamplingRate: number;
    logs: { enabled: boolean; headSamplingRate: number; invocationLogs: boolean; persist: boolean };
  };
}

/**
 * Observability on, every request sampled, with Workers Logs kept and invocation logs on. The API
 * reads `logs` back whether we send it or not (the provider's own acceptance tests expect a
 * non-empty plan after apply for that reason), so the whole object is declared, with the values
 * Cloudflare gives a script that enables observability (wrangler's remote-config fixture), and
 * what we send is what comes back.
 */
export const DEFAULT_OBSERVABILITY: ScriptSettings["observability"] = {
  enabled: true,
  headSamplingRate: 1,
  logs: { enabled: true, headSamplingRate: 1, invocationLogs: true, persist: true },
};

export function scriptSettingsFor(
  config: Pick<StackConfig, "compatibilityDate" | "compatibilityFlags" | "workers">,
  worker: WorkerName,
): ScriptSettings {
  const overrides = config.workers[worker] ?? {};
  return {
    compatibilityDate: overrides.compatibilityDate ?? config.compatibilityDate,
    compatibilityFlags: [...(overrides.compatibilityFlags ?? config.compatibilityFlags)],
    observability: {
      enabled: overrides.observability?.enabled ?? DEFAULT_OBSERVABILITY.enabled,
      headSamplingRate:
        overrides.observability?.headSamplingRate ?? DEFAULT_OBSERVABILITY.headSamplingRate,
      logs: { ...DEFAULT_OBSERVABILITY.logs, ...definedOnly(overrides.observability?.logs) },
    },
  };
}

/**
 * Script name of a worker: `<namePrefix>-<worker>`, except the monolith, which keeps the name of
 * the existing worker (`monolith.scriptName`). Undefined for the monolith when there is none.
 */
export function scriptNameFor(
  config: Pick<StackConfig, "namePrefix" | "monolith">,
  worker: WorkerName,
): string | undefined {
  if (worker === "monolith") return config.monolith?.scriptName;
  return `${config.namePrefix}-${worker}`;
}

/** The Secrets Store name of the stack's JWT key; letters, digits and `_` only, to fit its rules. */
export function jwtSecretNameFor(config: Pick<StackConfig, "namePrefix">): string {
  return `${config.namePrefix.replaceAll("-", "_")}_jwt`;
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
