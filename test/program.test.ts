// The real Pulumi program under `pulumi.runtime.setMocks`, with each stack file's config: which
// resources it declares, how they are named and bound, what it exports. Changes and failures are
// in program-changes.test.ts.

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { RATE_LIMITS, type RateLimitName } from "../shared/rate-limits.ts";
import { SERVICE_NAMES, type ServiceName, type WorkerName } from "../shared/workers.ts";
import {
  byName,
  outputValue,
  plainBindings,
  plainText,
  type Run,
  runProgram,
} from "./support/pulumi-mocks.ts";
import { rolloutOf, stackConfig, stackFile, TEST_JWT_SECRET } from "./support/stack-configs.ts";

/** The services that enforce a rate limit, and which. */
const LIMITED: Partial<Record<ServiceName, RateLimitName[]>> = {
  auth: ["login", "loginClient", "register"],
  analytics: ["events"],
};
const SUBDOMAIN_TYPE = "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain";

describe.each(["staging", "prod"])("stack %s", (stack) => {
  const file = stackFile(stack);
  const prefix = file["platform:namePrefix"] as string;
  const monolith = file["platform:monolith"] as { scriptName: string; deployStandIn?: boolean };
  const standIn = monolith.deployStandIn === true;
  const deployed = ["router", ...SERVICE_NAMES, ...(standIn ? ["monolith"] : [])];
  const adopted = file["platform:database"] as { id?: string };
  // The stack files set only the namespace ids: limit and period are the defaults.
  const rateLimits = file["platform:rateLimits"] as Record<RateLimitName, { namespaceId: number }>;
  const databaseId = adopted.id ?? "database-d1_id";
  const jwtBinding = {
    type: "secrets_store_secret",
    name: "JWT_SECRET",
    storeId: file["platform:secretsStoreId"],
    secretName: `${prefix.replaceAll("-", "_")}_jwt`,
  };

  let run: Run;
  beforeAll(async () => {
    run = await runProgram(stackConfig(stack), { stack });
    if (run.error) throw run.error;
  });

  it("declares the expected resources, named after their components", () => {
    const expected = [
      ...(adopted.id ? [] : ["database-d1"]),
      "jwt-secret",
      "database-migrations",
      ...deployed.flatMap((w) => [`${w}-script`, `${w}-workers-dev`]),
      "api-route",
    ];
    const custom = run.resources.filter((r) => r.custom).map((r) => r.name);
    expect(custom.sort()).toEqual(expected.sort());
    const components = run.resources.filter((r) => !r.custom).map((r) => `${r.type} ${r.name}`);
    expect(components.sort()).toEqual(
      [
        "platform:cloudflare:Database database",
        "platform:cloudflare:JwtSecret jwt",
        "platform:cloudflare:PublicEndpoint api",
        ...deployed.map((w) => `platform:cloudflare:WorkerScript ${w}`),
      ].sort(),
    );
  });

  it("applies every migration file, in order, to the stack's database", () => {
    const inputs = byName(run, "database-migrations").inputs as {
      databaseId: string;
      migrations: { name: string; sha256: string }[];
    };
    expect(inputs.databaseId).toBe(databaseId);
    const names = inputs.migrations.map((m) => m.name);
    expect(names[0]).toBe("0001_auth_users.sql");
    expect(names).toEqual([...names].sort());
    expect(names).toContain("0006_monolith_ndas_messages.sql");
    for (const m of inputs.migrations) expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("names scripts <namePrefix>-<worker>, and the monolith by its own name", () => {
    for (const worker of ["router", ...SERVICE_NAMES]) {
      expect(byName(run, `${worker}-script`).inputs.scriptName).toBe(`${prefix}-${worker}`);
    }
    if (standIn) expect(byName(run, "monolith-script").inputs.scriptName).toBe(monolith.scriptName);
    expect(run.platform?.outputs.workerNames).toEqual({
      router: `${prefix}-router`,
      ...Object.fromEntries(SERVICE_NAMES.map((s) => [s, `${prefix}-${s}`])),
      monolith: monolith.scriptName,
    });
  });

  it("binds each service and the monolith to the router by script name, then CONFIG, the key and telemetry", async () => {
    const router = run.platform?.resources.router.script;
    expect(router && (await pulumi.isSecret(router.bindings)), "router bindings are secret").toBe(
      false,
    );
    const bindings = plainBindings(byName(run, "router-script"));
    const services = SERVICE_NAMES.length + 1; // every service, then the monolith
    expect(bindings?.slice(0, services)).toEqual([
      ...SERVICE_NAMES.map((s) => ({
        type: "service",
        name: s.toUpperCase(),
        service: `${prefix}-${s}`,
      })),
      { type: "service", name: "MONOLITH", service: monolith.scriptName },
    ]);
    expect(bindings?.[services]).toMatchObject({ type: "json", name: "CONFIG" });
    expect(bindings?.[services + 1]).toEqual(jwtBinding);
    const telemetry = file["platform:telemetry"] as { dataset: string };
    expect(bindings?.[services + 2]).toEqual({
      type: "analytics_engine",
      name: "TELEMETRY",
      dataset: telemetry.dataset,
    });
    expect(bindings).toHaveLength(services + 3);
    const config = JSON.parse(bindings?.[services]?.json as string);
    expect(config.rollout).toEqual(run.platform?.outputs.rollout);
    expect(config.monolith).toBe(true);
    expect(config.corsOrigins).toEqual(file["platform:corsOrigins"]);
  });

  it("gives services D1, and auth and the monolith the key, in the topology's order", () => {
    for (const service of SERVICE_NAMES) {
      const expected: unknown[] = [{ type: "d1", name: "DB", databaseId }];
      if (service === "auth") expected.push(jwtBinding);
      const limits = LIMITED[service] ?? [];
      for (const limit of limits) {
        const namespaceId = String(rateLimits[limit].namespaceId);
        const simple = { limit: RATE_LIMITS[limit].limit, period: RATE_LIMITS[limit].period };
        expected.push({ type: "ratelimit", name: RATE_LIMITS[limit].binding, namespaceId, simple });
      }
      if (limits.length > 0) {
        const periods = Object.fromEntries(limits.map((l) => [l, { period: 60 }]));
        expected.push({ type: "json", name: "RATE_LIMITS", json: JSON.stringify(periods) });
      }
      expect(plainBindings(byName(run, `${service}-script`))).toEqual(expected);
    }
    if (standIn) {
      expect(plainBindings(byName(run, "monolith-script"))).toEqual([
        { type: "d1", name: "DB", databaseId },
        jwtBinding,
      ]);
    }
  });

  it("uploads ES modules with their content hash, compatibility settings and observability on", () => {
    for (const worker of deployed) {
      const { inputs } = byName(run, `${worker}-script`);
      const build = run.platform?.plan.workers.find(
        (w) => w.spec.name === (worker as WorkerName),
      )?.build;
      expect(inputs).toMatchObject({
        accountId: file["platform:accountId"],
        mainModule: `${worker}.js`,
        content: build?.code,
        contentSha256: build?.sha256,
        compatibilityDate: "2025-09-01",
        compatibilityFlags: [],
        observability: { enabled: true, headSamplingRate: 1 },
      });
    }
  });

  it("turns workers.dev off for every script, the router's too (it is reached by the route)", () => {
    const switches = run.resources.filter((r) => r.type === SUBDOMAIN_TYPE);
    expect(switches.map((s) => s.inputs.scriptName).sort()).toEqual(
      deployed.map((w) => (w === "monolith" ? monolith.scriptName : `${prefix}-${w}`)).sort(),
    );
    for (const s of switches)
      expect(s.inputs).toMatchObject({ enabled: false, previewsEnabled: false });
  });

  it("routes <hostname>/* on the zone to the router", () => {
    expect(byName(run, "api-route").inputs).toEqual({
      zoneId: file["platform:zoneId"],
      pattern: `${file["platform:hostname"]}/*`,
      script: `${prefix}-router`,
    });
  });

  it("creates the database by name, or adopts it by id without creating one", () => {
    if (adopted.id) {
      expect(run.resources.some((r) => r.type.includes("d1Database"))).toBe(false);
    } else {
      expect(byName(run, "database-d1").inputs).toEqual({
        accountId: file["platform:accountId"],
        name: (file["platform:database"] as { name: string }).name,
        readReplication: { mode: "disabled" },
      });
      // Mocks do not report resource options; the SDK keeps `protect` on the resource itself.
      const d1 = run.platform?.resources.database.d1 as unknown as { __protect?: boolean };
      expect(d1.__protect, "a created database is protected from replacement").toBe(true);
    }
  });

  it("keeps the JWT key secret: a secret input and output, in clear nowhere", async () => {
    const secret = byName(run, "jwt-secret");
    expect(secret.inputs).toMatchObject({
      storeId: file["platform:secretsStoreId"],
      scopes: ["workers"],
    });
    expect(pulumi.runtime.isRpcSecret(secret.inputs.value)).toBe(true);
    expect(pulumi.runtime.unwrapRpcSecret(secret.inputs.value)).toBe(TEST_JWT_SECRET);
    const value = run.platform?.resources.jwtSecret.value;
    expect(value && (await pulumi.isSecret(value))).toBe(true);
    for (const resource of run.resources) {
      expect(plainText(resource.inputs), resource.name).not.toContain(TEST_JWT_SECRET);
    }
  });

  it("exports the URL, worker names, bundle sizes and rollout, all in clear", async () => {
    const outputs = run.platform?.outputs;
    if (!outputs) throw new Error("no outputs");
    expect(await pulumi.isSecret(outputs.url)).toBe(false);
    expect(await outputValue(outputs.url)).toBe(`https://${file["platform:hostname"]}`);
    expect(outputs.rollout).toEqual(rolloutOf(file));
    expect(Object.keys(outputs.bundles).sort()).toEqual([...deployed].sort());
    for (const worker of deployed) {
      const build = run.platform?.plan.workers.find(
        (w) => w.spec.name === (worker as WorkerName),
      )?.build;
      expect(outputs.bundles[worker as WorkerName]).toEqual({
        bytes: build?.bytes,
        gzipBytes: build?.gzipBytes,
      });
    }
    expect(JSON.stringify(outputs)).not.toContain(TEST_JWT_SECRET);
  });
});
