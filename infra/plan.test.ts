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
    expect(prod.workers.map((w) => w.spec.name)).toEqual(["router", ...SERVICE_NAMES]);
    expect(prod.monolith).toEqual({ scriptName: "pitch-api", deployed: false });

    const staging = await planPlatform({
      config: stackConfig("staging"),
      stack: "staging",
      root: ROOT,
    });
    expect(staging.workers.map((w) => w.spec.name)).toEqual([
      "router",
      ...SERVICE_NAMES,
      "monolith",
    ]);
    expect(staging.monolith).toEqual({ scriptName: "pitch-staging-monolith", deployed: true });
    for (const worker of staging.workers) {
      expect(worker.budget).toMatchObject({
        name: worker.spec.name,
        gzipBytes: worker.build.gzipBytes,
      });
    }
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

  it("carries the router's CONFIG, script names, bindings and the ordered migrations", async () => {
    const plan = await planPlatform({ config: stackConfig("prod"), stack: "prod", root: ROOT });
    expect(plan.routerConfig.rollout).toEqual(plan.config.rollout);
    expect(plan.routerConfig.monolith).toBe(true);
    const [router, auth] = plan.workers;
    expect(router?.scriptName).toBe("pitch-prod-router");
    expect(router?.bindings.find((b) => b.name === "MONOLITH")).toEqual({
      type: "service",
      name: "MONOLITH",
      service: "pitch-api",
    });
    expect(router?.bindings.find((b) => b.name === "CONFIG")).toEqual({
      type: "json",
      name: "CONFIG",
      json: JSON.stringify(plan.routerConfig),
    });
    expect(auth?.bindings).toEqual([
      { type: "d1", name: "DB", databaseId: plan.config.database },
      { type: "secrets_store_secret", name: "JWT_SECRET", ...plan.jwtSecret },
      ...(
        [
          ["RATE_LIMIT_LOGIN", "2001", 5],
          ["RATE_LIMIT_LOGIN_CLIENT", "2002", 30],
          ["RATE_LIMIT_REGISTER", "2003", 10],
        ] as const
      ).map(([name, namespaceId, limit]) => ({
        type: "ratelimit",
        name,
        namespaceId,
        simple: { limit, period: 60 },
      })),
      {
        type: "json",
        name: "RATE_LIMITS",
        json: '{"login":{"period":60},"loginClient":{"period":60},"register":{"period":60}}',
      },
    ]);
    const names = plan.migrations.map((m) => m.name);
    expect(names).toEqual([...names].sort());
    expect(names[0]).toBe("0001_auth_users.sql");
    for (const migration of plan.migrations) expect(migration.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});
