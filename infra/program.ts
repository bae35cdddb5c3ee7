// The Pulumi program as a function: plan first (config, topology, build, budgets; nothing is
// registered until all of them pass), then declare the resources. index.ts runs it for the CLI;
// tests run it under `pulumi.runtime.setMocks`.

import type * as pulumi from "@pulumi/pulumi";
import type { RouteTarget, ServiceName, WorkerName } from "../shared/workers.ts";
import type { WorkerBuild } from "./build.ts";
import { D1Migrations } from "./components/d1-migrations.ts";
import { Database } from "./components/database.ts";
import { JwtSecret } from "./components/jwt-secret.ts";
import { PublicEndpoint } from "./components/public-endpoint.ts";
import { RouterWorker } from "./components/router-worker.ts";
import { ServiceWorker } from "./components/service-worker.ts";
import { type PlanInput, type PlatformPlan, planPlatform } from "./plan.ts";
import { jwtSecretNameFor, scriptSettingsFor } from "./script-settings.ts";
import type { WorkerSpec } from "./topology.ts";

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
  database: Database;
  /** Applies pending D1 migrations before any worker that reads the database is updated. */
  migrations: D1Migrations;
  jwtSecret: JwtSecret;
  services: ServiceWorker[];
  /** The stand-in monolith, when this stack deploys it. */
  monolith?: ServiceWorker;
  router: RouterWorker;
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
  const buildOf = (spec: WorkerSpec): WorkerBuild => {
    const build = plan.builds.get(spec.name);
    if (!build) throw new Error(`worker "${spec.name}" is deployed but was not built`);
    return build;
  };
  const scriptNameOf = (spec: WorkerSpec): string => {
    const name = plan.scriptNames[spec.name];
    if (!name) throw new Error(`worker "${spec.name}" has no script name`);
    return name;
  };

  const database = new Database("database", { accountId, database: config.database });
  const migrations = new D1Migrations(
    "migrations",
    { accountId, databaseId: database.id, migrations: plan.migrations },
    { dependsOn: [database] },
  );
  const jwtSecret = new JwtSecret("jwt", {
    accountId,
    storeId: config.secretsStoreId,
    secretName: jwtSecretNameFor(config),
    value: config.jwtSecret,
  });

  // Services need the migrated database (and the key, if they bind it) before they are updated.
  const declareServiceWorker = (spec: WorkerSpec) =>
    new ServiceWorker(
      spec.name,
      {
        accountId,
        spec,
        scriptName: scriptNameOf(spec),
        build: buildOf(spec),
        settings: scriptSettingsFor(config, spec.name),
        databaseId: database.id,
        jwtSecret: jwtSecret.binding,
      },
      {
        dependsOn: spec.bindings.some((b) => b.type === "secret")
          ? [database, migrations, jwtSecret]
          : [database, migrations],
      },
    );
  const services = plan.workers.filter((w) => w.kind === "service").map(declareServiceWorker);
  const monolithSpec = plan.workers.find((w) => w.kind === "monolith");
  const monolith = monolithSpec ? declareServiceWorker(monolithSpec) : undefined;

  const routerSpec = plan.workers.find((w) => w.kind === "router");
  if (!routerSpec) throw new Error("the topology has no router");
  const targets: Partial<Record<RouteTarget, string>> = {};
  for (const service of plan.workers.filter((w) => w.kind === "service")) {
    targets[service.name as ServiceName] = scriptNameOf(service);
  }
  if (plan.scriptNames.monolith) targets.monolith = plan.scriptNames.monolith;
  // The router binds every service by name; it goes after them so the names exist.
  const router = new RouterWorker(
    "router",
    {
      accountId,
      spec: routerSpec,
      scriptName: scriptNameOf(routerSpec),
      build: buildOf(routerSpec),
      settings: scriptSettingsFor(config, "router"),
      targets,
      routerConfig: plan.routerConfig,
      jwtSecret: jwtSecret.binding,
    },
    { dependsOn: [...services, ...(monolith ? [monolith] : []), jwtSecret] },
  );

  const endpoint = new PublicEndpoint(
    "api",
    {
      accountId,
      zoneId: config.zoneId,
      hostname: config.hostname,
      kind: config.publicEndpoint,
      scriptName: router.scriptName,
    },
    { dependsOn: [router] },
  );

  return {
    database,
    migrations,
    jwtSecret,
    services,
    ...(monolith ? { monolith } : {}),
    router,
    endpoint,
  };
}

function outputsOf(plan: PlatformPlan, resources: PlatformResources): PlatformOutputs {
  const bundles: PlatformOutputs["bundles"] = {};
  for (const line of plan.budgetLines) {
    bundles[line.name] = { bytes: line.bytes, gzipBytes: line.gzipBytes };
  }
  return {
    url: resources.endpoint.url,
    workerNames: { ...plan.scriptNames },
    bundles,
    rollout: { ...plan.config.rollout },
  };
}
