// The stand-in monolith as the build composes it (infra/build.ts): every service with a blue side
// in the table of workers, mounted in the table's order.

import type { Hono } from "hono";
import { MONOLITH } from "../../infra/topology.ts";
import { monolithApp } from "../../services/monolith/src/index.ts";
import type { ServiceEnv } from "../../shared/http/app.ts";

export async function standInMonolith(): Promise<Hono<ServiceEnv>> {
  const apps: Record<string, Hono<ServiceEnv>> = {};
  for (const name of MONOLITH.composes) {
    const module = (await import(`../../services/${name}/src/index.ts`)) as {
      default: Hono<ServiceEnv>;
    };
    apps[name] = module.default;
  }
  return monolithApp(apps);
}
