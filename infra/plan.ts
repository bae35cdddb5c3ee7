// Everything `pulumi up` decides before it declares a resource: config → topology → build →
// budgets (design "Data flow"). Pure of Pulumi, so a bad config or an over-budget bundle fails
// here, before anything is registered, and tools can print the same plan offline.

import { join } from "node:path";
import type { RouterConfig } from "../shared/router-config.ts";
import type { WorkerName } from "../shared/workers.ts";
import { type BudgetLine, type Budgets, checkBudgets, loadBudgets } from "./budgets.ts";
import { buildWorkers, type WorkerBuild } from "./build.ts";
import { parseStackConfig, type StackConfig } from "./config.ts";
import { loadMigrations, type Migration } from "./migrations.ts";
import { routerConfigFor } from "./router-config.ts";
import { scriptNameFor } from "./script-settings.ts";
import { topologyProblems, type WorkerSpec, workersFor } from "./topology.ts";

export interface PlanInput {
  /** Raw stack config: `pulumi.runtime.allConfig()`, or a stack file's `config` block. */
  config: Record<string, unknown>;
  /** Stack name, e.g. `staging`; named in config errors. */
  stack: string;
  /** Repo root: build entries, bundle-budgets.json and shared/migrations are read from it. */
  root: string;
  /** Budgets to check against; defaults to `<root>/bundle-budgets.json`. */
  budgets?: Budgets;
}

export interface PlatformPlan {
  config: StackConfig;
  /** The workers this stack deploys from this repo, router first; the monolith only as stand-in. */
  workers: WorkerSpec[];
  builds: Map<WorkerName, WorkerBuild>;
  budgetLines: BudgetLine[];
  /** Script name per worker; the monolith's is present whenever one is configured. */
  scriptNames: Partial<Record<WorkerName, string>>;
  routerConfig: RouterConfig;
  /** Ordered D1 migrations with their sha256, for the step that applies them on `up`. */
  migrations: Migration[];
}

export async function planPlatform(input: PlanInput): Promise<PlatformPlan> {
  const config = parseStackConfig(input.config, { stack: input.stack });
  const workers = deployedWorkers(config);
  const problems = topologyProblems(workers);
  if (problems.length > 0)
    throw new Error(`topology is inconsistent:\n  - ${problems.join("\n  - ")}`);
  const budgets = input.budgets ?? loadBudgets(join(input.root, "bundle-budgets.json"));
  const migrations = loadMigrations(join(input.root, "shared/migrations"));
  const builds = await buildWorkers(workers, input.root);
  const budgetLines = checkBudgets(builds.values(), budgets);
  return {
    config,
    workers,
    builds,
    budgetLines,
    scriptNames: scriptNamesFor(config),
    routerConfig: routerConfigFor(config),
    migrations,
  };
}

/** Only what is deployed is built, so budgets apply to exactly that. */
function deployedWorkers(config: StackConfig): WorkerSpec[] {
  const standIn = config.monolith?.deployStandIn === true;
  return workersFor(config.workers).filter((w) => w.kind !== "monolith" || standIn);
}

function scriptNamesFor(config: StackConfig): Partial<Record<WorkerName, string>> {
  const names: Partial<Record<WorkerName, string>> = {};
  for (const worker of workersFor(config.workers)) {
    const name = scriptNameFor(config, worker.name);
    if (name !== undefined) names[worker.name] = name;
  }
  return names;
}
