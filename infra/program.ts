// The Pulumi program as a function: plan first (config, topology, build, budgets; nothing is
// registered until all of them pass), then declare exactly that plan. index.ts runs it for the
// CLI; the preview harness (preview.ts) runs it under `pulumi.runtime.setMocks`.

import type * as pulumi from "@pulumi/pulumi";
import type { ServiceName, WorkerName } from "../shared/workers.ts";
import { Database } from "./components/database.ts";
import { JwtSecret } from "./components/jwt-secret.ts";
import { PublicEndpoint } from "./components/public-endpoint.ts";
import { WorkerScript } from "./components/worker-script.ts";
import { type PlanInput, type PlannedWorker, type PlatformPlan, planPlatform } from "./plan.ts";

export type PlatformArgs = PlanInput;

/** The stack outputs; none of them holds the JWT key. */
export interface PlatformOutputs {
  /** `https://<hostname>`. */
  url: pulumi.Output<string>;
  /** Script name per worker, the monolith's included when one is configured. */
  workerNames: Partial<Record<WorkerName, string>>;
  /** Bundle size per deployed worker, uncompressed and gzip. */
  bundles: Partial<Record<WorkerName, { bytes: number; gzipBytes: number }>>;
  /** Every service's weight, defaults filled in. */
  rollout: Record<ServiceName, number>;
}

export interface PlatformResources {
  /** The D1 database with its migrations, applied before any worker that reads it is updated. */
  database: Database;
  jwtSecret: JwtSecret;
  /** Every deployed worker but the router: the services, and the stand-in monolith if deployed. */
  workers: WorkerScript[];
  router: WorkerScript;
  endpoint: PublicEndpoint;
}

export interface Platform {
  plan: PlatformPlan;
  resources: PlatformResources;
  outputs: PlatformOutputs;
}

export async function definePlatform(args: PlatformArgs): Promise<Platform> {
  const plan = await planPlatform(args);
  const resources = declarePlatform(plan);
  return { plan, resources, outputs: outputsOf(plan, resources) };
}

/** Declares every resource of a checked plan. Synchronous: it only registers. */
export function declarePlatform(plan: PlatformPlan): PlatformResources {
  const { config } = plan;
  const accountId = config.accountId;

  const database = new Database("database", {
    accountId,
    database: config.database,
    migrations: plan.migrations,
  });
  const jwtSecret = new JwtSecret("jwt", {
    accountId,
    storeId: plan.jwtSecret.storeId,
    secretName: plan.jwtSecret.secretName,
    value: config.jwtSecret,
  });

  // Workers that read the database wait for its migrations (the component's children); a worker
  // that binds the key waits for it.
  const declareWorker = (worker: PlannedWorker, after: pulumi.Resource[]) =>
    new WorkerScript(
      worker.spec.name,
      { accountId, worker, databaseId: database.id },
      {
        dependsOn: [
          ...(worker.bindings.some((b) => b.type === "d1") ? [database] : []),
          ...(worker.bindings.some((b) => b.type === "secrets_store_secret") ? [jwtSecret] : []),
          ...after,
        ],
      },
    );
  const workers = plan.workers
    .filter((worker) => worker.spec.kind !== "router")
    .map((worker) => declareWorker(worker, []));
  const routerPlan = plan.workers.find((worker) => worker.spec.kind === "router");
  if (!routerPlan) throw new Error("the plan has no router");
  // The router binds every service by name; it goes after them so the names exist.
  const router = declareWorker(routerPlan, workers);

  const endpoint = new PublicEndpoint(
    "api",
    {
      accountId,
      zoneId: config.zoneId,
      hostname: plan.endpoint.hostname,
      kind: plan.endpoint.kind,
      scriptName: router.scriptName,
    },
    { dependsOn: [router] },
  );

  return { database, jwtSecret, workers, router, endpoint };
}

function outputsOf(plan: PlatformPlan, resources: PlatformResources): PlatformOutputs {
  const workerNames: PlatformOutputs["workerNames"] = {};
  const bundles: PlatformOutputs["bundles"] = {};
  for (const worker of plan.workers) {
    workerNames[worker.spec.name] = worker.scriptName;
    bundles[worker.spec.name] = { bytes: worker.build.bytes, gzipBytes: worker.build.gzipBytes };
  }
  if (plan.monolith) workerNames.monolith = plan.monolith.scriptName;
  return {
    url: resources.endpoint.url,
    workerNames,
    bundles,
    rollout: { ...plan.config.rollout },
  };
}
