// What each worker script is called on Cloudflare and how it runs (compatibility date and flags,
// observability): the stack's defaults with `workers.<name>` overrides applied. Pure.

import type { WorkerName } from "../shared/workers.ts";
import type { StackConfig } from "./config.ts";

export interface ScriptSettings {
  compatibilityDate: string;
  compatibilityFlags: string[];
  observability: { enabled: boolean; headSamplingRate?: number };
}

/** Logs and traces on, every request sampled, unless a stack turns it down. */
export const DEFAULT_OBSERVABILITY = { enabled: true, headSamplingRate: 1 } as const;

export function scriptSettingsFor(
  config: Pick<StackConfig, "compatibilityDate" | "compatibilityFlags" | "workers">,
  worker: WorkerName,
): ScriptSettings {
  const overrides = config.workers[worker] ?? {};
  return {
    compatibilityDate: overrides.compatibilityDate ?? config.compatibilityDate,
    compatibilityFlags: [...(overrides.compatibilityFlags ?? config.compatibilityFlags)],
    observability: { ...(overrides.observability ?? DEFAULT_OBSERVABILITY) },
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
