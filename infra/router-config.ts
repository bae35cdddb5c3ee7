// Builds the router's CONFIG binding from the topology and a stack's config. Pure, so the program,
// the local platform and the offline plan send the router exactly the same value.

import type { RouterConfig } from "../shared/router-config.ts";
import type { StackConfig } from "./config.ts";
import { publicRoutes, routeTable, workersFor } from "./topology.ts";

export function routerConfigFor(
  config: Pick<StackConfig, "rollout" | "corsOrigins" | "monolith" | "workers">,
): RouterConfig {
  const workers = workersFor(config.workers);
  return {
    routes: routeTable(workers),
    rollout: { ...config.rollout },
    corsOrigins: [...config.corsOrigins],
    publicRoutes: publicRoutes(workers),
    monolith: config.monolith !== undefined,
  };
}
