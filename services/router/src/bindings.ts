// What the router is bound to (see ROUTER in infra/topology.ts) and what it keeps per request.

import type { JwtSecretBinding } from "../../../shared/jwt-secret.ts";
import type { RouterConfig } from "../../../shared/router-config.ts";
import type { ServiceName } from "../../../shared/workers.ts";
import type { AnalyticsEngineDataset } from "./telemetry.ts";

/** A service binding as the router uses it; tests pass plain objects with a `fetch`. */
export interface ServiceBinding {
  fetch(request: Request, init?: { signal?: AbortSignal }): Promise<Response>;
}

export type Bindings = {
  CONFIG: RouterConfig;
  JWT_SECRET: JwtSecretBinding;
  /** The blue side; absent once the migration is finished (`CONFIG.monolith === false`). */
  MONOLITH?: ServiceBinding;
  /** Workers Analytics Engine dataset for rollout health; without it nothing is written. */
  TELEMETRY?: AnalyticsEngineDataset;
} & Record<Uppercase<ServiceName>, ServiceBinding>;

export type RouterEnv = {
  Bindings: Bindings;
  Variables: { requestId: string; config: RouterConfig };
};
