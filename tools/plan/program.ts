// Runs the real Pulumi program (infra/program.ts) under `pulumi.runtime.setMocks` and records
// every resource it registers: no engine, no cloud, no credentials.

import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadBudgets } from "../../infra/budgets.ts";
import { type Plan, type PlannedResource, planFrom } from "./model.ts";

const D1_DATABASE = "cloudflare:index/d1Database:D1Database";

export interface ProgramRun {
  root: string;
  stack: string;
  /** Raw stack config (see stack-file.ts); jwtSecret is a placeholder. */
  config: Record<string, unknown>;
}

/** Registers the program's resources against mocks and answers them in registration order. */
export async function resourcesOf(run: ProgramRun): Promise<PlannedResource[]> {
  const resources: PlannedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs as Record<string, unknown>,
          custom: args.custom !== false,
        });
        // Ids only need to be stable between runs, so a base and a head plan agree.
        const id =
          args.type === D1_DATABASE
            ? `<new database ${String(args.inputs.name)}>`
            : `${args.name}-id`;
        return { id, state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    "platform",
    run.stack,
    true,
  );
  // Loaded on demand: the plan's pure modules (and their tests) need neither the program nor esbuild.
  const { definePlatform } = await import("../../infra/program.ts");
  await definePlatform({ config: run.config, stack: run.stack, root: run.root });
  await settled(() => resources.length);
  return resources;
}

/** The offline plan of one stack config: the program's resources, sized against the budgets. */
export async function planOfConfig(run: ProgramRun): Promise<Plan> {
  const resources = await resourcesOf(run);
  const budgets = loadBudgets(join(run.root, "bundle-budgets.json"));
  return planFrom(resources, { stack: run.stack, budgets });
}

/** Waits until the queued registrations have reached the mocks (bounded). */
async function settled(count: () => number): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (runtime.waitForRPCs) await runtime.waitForRPCs();
  let last = -1;
  for (let i = 0; i < 50 && count() !== last; i++) {
    last = count();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
