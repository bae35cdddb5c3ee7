// Everything `pulumi up` decides before it declares a resource: config → topology → build →
// budgets → script names, settings and bindings. Pure of Pulumi, so a bad config or an over-budget
// bundle fails here, before anything is registered. The program declares exactly this plan, and
// every command (local platform, offline plan, rollout, bench) reads it instead of deriving again.

import { join } from "node:path";
import type { RouterConfig } from "../shared/router-config.ts";
import type { RouteTarget, WorkerName } from "../shared/workers.ts";
import { type ScriptBinding, type SecretsStoreRef, scriptBindingsFor } from "./bindings.ts";
import { type BudgetLine, type Budgets, checkBudgets, loadBudgets } from "./budgets.ts";
import { buildWorkers, type WorkerBuild } from "./build.ts";
import { parseStackConfig, type StackConfig } from "./config.ts";
import { loadMigrations, type Migration } from "./migrations/files.ts";
import {
  jwtSecretNameFor,
  type ScriptSettings,
  scriptNameFor,
  scriptSettingsFor,
} from "./script-settings.ts";
import { routerConfigFor, type WorkerSpec, workersFor } from "./topology.ts";

export interface PlanInput {
  /** Raw stack config: `pulumi.runtime.allConfig()`, or a stack file's `config` block. */
  config: Record<string, unknown>;
  /** Stack name, e.g. `staging`; named in config errors. */
  stack: string;
  /** Repo root: build entries, bundle-budgets.json and shared/migrations are read from it. */
  root: string;
  /** Budgets to check against; defaults to `<root>/bundle-budgets.json`. */
  budgets?: Budgets;
  /** Where the config came from, for error messages (e.g. `Pulumi.staging.yaml`). */
  source?: string;
}

/** The stack's D1 database as the plan knows it: created by name, or adopted by id. */
export type DatabaseRef = StackConfig["database"];

/** One worker this stack deploys from this repo, decided down to its bindings. */
export interface PlannedWorker {
  spec: WorkerSpec;
  /** Script name on Cloudflare, e.g. `pitch-prod-investor`. */
  scriptName: string;
  build: WorkerBuild;
  /** Its size against its budget; checked already (infra/budgets.ts), so within it. */
  budget: BudgetLine;
  settings: ScriptSettings;
  /** In declaration order; a `d1` binding points at the stack's database. */
  bindings: ScriptBinding<DatabaseRef>[];
}

export interface PlatformPlan {
  stack: string;
  config: StackConfig;
  /** The workers this stack deploys, router first; the monolith only as a deployed stand-in. */
  workers: PlannedWorker[];
  /** The blue side: its script name, and whether this stack deploys it (the stand-in). */
  monolith?: { scriptName: string; deployed: boolean };
  routerConfig: RouterConfig;
  /** Ordered D1 migrations with their sha256, for the step that applies them on `up`. */
  migrations: Migration[];
  /** Where the JWT key lives in the account's Secrets Store. */
  jwtSecret: SecretsStoreRef;
  /** How the internet reaches the router. */
  endpoint: { kind: StackConfig["publicEndpoint"]; hostname: string; url: string };
}

export async function planPlatform(input: PlanInput): Promise<PlatformPlan> {
  const config = parseStackConfig(input.config, {
    stack: input.stack,
    ...(input.source ? { source: input.source } : {}),
  });
  const specs = deployedWorkers(config);
  const budgets = input.budgets ?? loadBudgets(join(input.root, "bundle-budgets.json"));
  const migrations = loadMigrations(join(input.root, "shared/migrations"));
  const builds = await buildWorkers(specs, input.root);
  const budgetLines = checkBudgets(builds.values(), budgets);

  const routerConfig = routerConfigFor(config);
  const jwtSecret = { storeId: config.secretsStoreId, secretName: jwtSecretNameFor(config) };
  const monolithName = scriptNameFor(config, "monolith");
  const scriptNames: Partial<Record<RouteTarget, string>> = {};
  for (const spec of specs) {
    if (spec.kind === "service") scriptNames[spec.name] = scriptNameFor(config, spec.name);
  }
  if (monolithName) scriptNames.monolith = monolithName;

  const workers = specs.map((spec): PlannedWorker => {
    const build = builds.get(spec.name) as WorkerBuild;
    return {
      spec,
      scriptName: scriptNameFor(config, spec.name) as string,
      build,
      budget: budgetLines.find((line) => line.name === spec.name) as BudgetLine,
      settings: scriptSettingsFor(config, spec.name),
      bindings: scriptBindingsFor(spec.name, spec.bindings, {
        databaseId: config.database,
        scriptNames,
        routerConfigJson: JSON.stringify(routerConfig),
        jwtSecret,
        ...(config.telemetry ? { telemetryDataset: config.telemetry.dataset } : {}),
        ...(config.rateLimits ? { rateLimits: config.rateLimits } : {}),
      }),
    };
  });
  return {
    stack: input.stack,
    config,
    workers,
    ...(monolithName
      ? {
          monolith: {
            scriptName: monolithName,
            deployed: specs.some((s) => s.kind === "monolith"),
          },
        }
      : {}),
    routerConfig,
    migrations,
    jwtSecret,
    endpoint: {
      kind: config.publicEndpoint,
      hostname: config.hostname,
      url: `https://${config.hostname}`,
    },
  };
}

/** The bundles of a plan by worker name. */
export function buildsOf(plan: PlatformPlan): Map<WorkerName, WorkerBuild> {
  return new Map(plan.workers.map((worker) => [worker.spec.name, worker.build]));
}

/** Only what is deployed is built, so budgets apply to exactly that. */
function deployedWorkers(config: StackConfig): WorkerSpec[] {
  const standIn = config.monolith?.deployStandIn === true;
  return workersFor(config.workers).filter((w) => w.kind !== "monolith" || standIn);
}
