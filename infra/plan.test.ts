// planPlatform: what the program decides before declaring anything. Only deployed workers are
// built (so budgets apply to what is deployed), and config comes before any build.

import { describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "../shared/workers.ts";
import { ROOT, stackConfig } from "../test/support/stack-configs.ts";
import { BudgetError, loadBudgets } from "./budgets.ts";
import { ConfigError } from "./config.ts";
import { planPlatform } from "./plan.ts";

const budgets = loadBudgets(`${ROOT}/bundle-budgets.json`);

describe("planPlatform", () => {
  it("builds the stand-in monolith only where it is deployed", async () => {
    const prod = await planPlatform({ config: stackConfig("prod"), stack: "prod", root: ROOT });
    expect([...prod.builds.keys()]).toEqual(["router", ...SERVICE_NAMES]);
    expect(prod.workers.map((w) => w.name)).toEqual(["router", ...SERVICE_NAMES]);
    expect(prod.scriptNames.monolith).toBe("pitch-api");

    const staging = await planPlatform({
      config: stackConfig("staging"),
      stack: "staging",
      root: ROOT,
    });
    expect([...staging.builds.keys()]).toEqual(["router", ...SERVICE_NAMES, "monolith"]);
    expect(staging.budgetLines.map((line) => line.name)).toEqual([...staging.builds.keys()]);
  });

  it("checks budgets against what is deployed: no monolith budget is needed in prod", async () => {
    const { monolith: _, ...withoutMonolith } = budgets;
    const prod = planPlatform({
      config: stackConfig("prod"),
      stack: "prod",
      root: ROOT,
      budgets: withoutMonolith,
    });
    await expect(prod).resolves.toBeDefined();
    const staging = planPlatform({
      config: stackConfig("staging"),
      stack: "staging",
      root: ROOT,
      budgets: withoutMonolith,
    });
    await expect(staging).rejects.toThrow(BudgetError);
    await expect(staging).rejects.toThrow('worker "monolith" has no budget');
  });

  it("fails on config before building anything", async () => {
    const plan = planPlatform({
      config: stackConfig("staging", { "platform:rollout": { investor: 150 } }),
      stack: "staging",
      // Nothing is read from the root: a config problem stops the plan first.
      root: "/nonexistent",
    });
    await expect(plan).rejects.toThrow(ConfigError);
  });

  it("carries the router's CONFIG, the script names and the ordered migrations", async () => {
    const plan = await planPlatform({ config: stackConfig("prod"), stack: "prod", root: ROOT });
    expect(plan.routerConfig.rollout).toEqual(plan.config.rollout);
    expect(plan.routerConfig.monolith).toBe(true);
    expect(plan.scriptNames.router).toBe("pitch-prod-router");
    const names = plan.migrations.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe("0001_auth_users.sql");
    for (const migration of plan.migrations) expect(migration.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
