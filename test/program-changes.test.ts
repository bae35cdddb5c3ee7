// The program's guarantees under change and failure: bad config or an over-budget bundle registers
// nothing, a weight change touches only the router's CONFIG (in clear), and stack variants
// (no monolith, custom domain, per-worker overrides) declare what they should.

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { BudgetError, loadBudgets } from "../infra/budgets.ts";
import { ConfigError } from "../infra/config.ts";
import { type RegisteredResource, runUnderMocks } from "../infra/preview.ts";
import { hasBlueSide, SERVICE_NAMES } from "../shared/workers.ts";
import {
  byName,
  outputValue,
  plainBindings,
  plainText,
  runProgram,
} from "./support/pulumi-mocks.ts";
import {
  BAD_CONFIGS,
  ROOT,
  stackConfig,
  TEST_JWT_SECRET,
  withChange,
} from "./support/stack-configs.ts";

describe("failures register nothing", () => {
  it.each(BAD_CONFIGS)("$case: a ConfigError, no resource", async ({ change, problem }) => {
    const run = await runProgram(withChange(stackConfig("staging"), change));
    expect(run.error).toBeInstanceOf(ConfigError);
    expect((run.error as ConfigError).problems).toEqual([problem]);
    expect(run.resources).toEqual([]);
  });

  it("an over-budget bundle: a BudgetError naming the worker, no resource", async () => {
    const budgets = loadBudgets(`${ROOT}/bundle-budgets.json`);
    budgets.investor = { maxBytes: 204800, maxGzipBytes: 1024 };
    const run = await runProgram(stackConfig("staging"), { budgets });
    expect(run.error).toBeInstanceOf(BudgetError);
    expect((run.error as BudgetError).problems).toEqual([
      expect.stringMatching(
        /^bundle "investor" is \d+\.\d KB gzip, over its 1\.0 KB budget; largest inputs: .+ \d/,
      ),
    ]);
    expect(run.resources).toEqual([]);
  });
});

describe("a rollout weight change", () => {
  const inputsByName = (registered: readonly RegisteredResource[]) =>
    new Map(registered.map((r) => [`${r.type} ${r.name}`, JSON.stringify(r.inputs)]));

  it("changes only the router script's CONFIG binding, in clear", async () => {
    const rollout = (investor: number) => ({
      "platform:rollout": {
        ...Object.fromEntries(SERVICE_NAMES.filter(hasBlueSide).map((s) => [s, 100])),
        investor,
        production: 50,
      },
    });
    const before = await runProgram(stackConfig("staging", rollout(25)));
    const after = await runProgram(stackConfig("staging", rollout(50)));
    if (before.error || after.error) throw before.error ?? after.error;

    const a = inputsByName(before.resources);
    const b = inputsByName(after.resources);
    expect([...b.keys()]).toEqual([...a.keys()]);
    const changed = [...a.keys()].filter((key) => a.get(key) !== b.get(key));
    expect(changed).toEqual(["cloudflare:index/workersScript:WorkersScript router-script"]);

    const routerBefore = byName(before, "router-script");
    const routerAfter = byName(after, "router-script");
    const { bindings: bindingsBefore, ...restBefore } = routerBefore.inputs;
    const { bindings: bindingsAfter, ...restAfter } = routerAfter.inputs;
    expect(restAfter).toEqual(restBefore);
    const listBefore = plainBindings(routerBefore);
    const listAfter = plainBindings(routerAfter);
    expect(listAfter, "router bindings must not be secret").toBeDefined();
    const differing = listAfter?.filter(
      (binding, i) => JSON.stringify(binding) !== JSON.stringify(listBefore?.[i]),
    );
    expect(differing?.map((binding) => binding.name)).toEqual(["CONFIG"]);
    expect(JSON.parse(differing?.[0]?.json as string).rollout.investor).toBe(50);
    expect(bindingsBefore).not.toEqual(bindingsAfter);
  });

  it("would be caught if a secret entered the router's bindings", async () => {
    // The check above relies on plainBindings seeing secrets; prove it does with a secret_text.
    const run = await runUnderMocks("staging", () => {
      const script = new cloudflare.WorkersScript("leaky-script", {
        accountId: "0123456789abcdef0123456789abcdef",
        scriptName: "leaky",
        content: "export default {}",
        mainModule: "leaky.js",
        bindings: [
          { type: "json", name: "CONFIG", json: "{}" },
          { type: "secret_text", name: "JWT_SECRET", text: pulumi.secret("key") },
        ],
      });
      return pulumi.isSecret(script.bindings);
    });
    expect(plainBindings(byName(run, "leaky-script"))).toBeUndefined();
    expect(run.value).toBe(true);
  });
});

describe("infra/index.ts, the Pulumi entry", () => {
  it("reads the stack's config from Pulumi and exports the outputs", async () => {
    const config = Object.fromEntries(
      Object.entries(stackConfig("prod")).map(([key, value]) => [
        key,
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
    );
    const run = await runUnderMocks("prod", () => {
      pulumi.runtime.setAllConfig(config, ["platform:jwtSecret"]);
      return import("../infra/index.ts");
    });
    if (run.error) throw run.error;
    const entry = run.value as typeof import("../infra/index.ts");
    const registered = run.resources;
    expect(await outputValue(entry.url)).toBe("https://api.pitch.example.com");
    expect(entry.workerNames.monolith).toBe("pitch-api");
    expect(entry.rollout.investor).toBe(25);
    // prod references its monolith and adopts its database: the router and the services only.
    const deployed = ["router", ...SERVICE_NAMES];
    expect(Object.keys(entry.bundles)).toEqual(deployed);
    // A script and its workers.dev switch each, the JWT key, the migrations and the route.
    expect(registered.filter((r) => r.custom)).toHaveLength(2 * deployed.length + 3);
    for (const r of registered) expect(plainText(r.inputs)).not.toContain(TEST_JWT_SECRET);
  });
});

describe("stack variants", () => {
  it("without a monolith: no MONOLITH binding, every weight 100, no monolith name", async () => {
    const run = await runProgram(
      stackConfig("staging", {
        "platform:monolith": undefined,
        "platform:rollout": {},
        "platform:telemetry": undefined,
      }),
    );
    if (run.error) throw run.error;
    const bindings = plainBindings(byName(run, "router-script"));
    // No telemetry dataset in this variant either: the router writes nothing, and has no binding.
    expect(bindings?.map((b) => b.name)).toEqual([
      ...SERVICE_NAMES.map((s) => s.toUpperCase()),
      "CONFIG",
      "JWT_SECRET",
    ]);
    const config = JSON.parse(bindings?.find((b) => b.name === "CONFIG")?.json as string);
    expect(config.monolith).toBe(false);
    expect(run.platform?.outputs.rollout).toEqual(
      Object.fromEntries(SERVICE_NAMES.map((s) => [s, 100])),
    );
    expect(run.platform?.outputs.workerNames.monolith).toBeUndefined();
    expect(run.platform?.plan.workers.some((w) => w.spec.name === "monolith")).toBe(false);
    expect(run.resources.some((r) => r.name.startsWith("monolith"))).toBe(false);
  });

  it("with a custom domain: a WorkersCustomDomain for the router instead of a route", async () => {
    const run = await runProgram(
      stackConfig("prod", { "platform:publicEndpoint": "customDomain" }),
      {
        stack: "prod",
      },
    );
    if (run.error) throw run.error;
    expect(run.resources.some((r) => r.name === "api-route")).toBe(false);
    expect(byName(run, "api-domain").inputs).toEqual({
      accountId: "0123456789abcdef0123456789abcdef",
      zoneId: "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
      hostname: "api.pitch.example.com",
      service: "pitch-prod-router",
    });
  });

  it("applies per-worker overrides to that worker only", async () => {
    const run = await runProgram(
      stackConfig("staging", {
        "platform:compatibilityFlags": ["nodejs_compat"],
        "platform:workers": {
          investor: {
            compatibilityDate: "2025-10-01",
            compatibilityFlags: [],
            observability: { enabled: false },
          },
        },
      }),
    );
    if (run.error) throw run.error;
    expect(byName(run, "investor-script").inputs).toMatchObject({
      compatibilityDate: "2025-10-01",
      compatibilityFlags: [],
      observability: { enabled: false },
    });
    expect(byName(run, "creator-script").inputs).toMatchObject({
      compatibilityDate: "2025-09-01",
      compatibilityFlags: ["nodejs_compat"],
      observability: { enabled: true, headSamplingRate: 1 },
    });
  });
});
