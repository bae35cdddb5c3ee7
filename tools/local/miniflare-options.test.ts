import { resolve } from "node:path";
import type { WorkerOptions } from "miniflare";
import { describe, expect, it } from "vitest";
import type { WorkerBuild } from "../../infra/build.ts";
import { parseStackConfig, type StackConfig } from "../../infra/config.ts";
import { routerConfigFor } from "../../infra/topology.ts";
import { WORKERS } from "../../infra/topology.ts";
import { WORKER_NAMES, type WorkerName } from "../../shared/workers.ts";
import {
  LOCAL_D1_DATABASE_ID,
  LOCAL_JWT_SECRET_REF,
  miniflareOptionsFor,
} from "./miniflare-options.ts";
import { stateLayout } from "./state.ts";

const STATE = stateLayout("/tmp/platform-state");

function stackConfig(extra: Record<string, unknown> = {}): StackConfig {
  return parseStackConfig(
    {
      accountId: "0123456789abcdef0123456789abcdef",
      zoneId: "fedcba9876543210fedcba9876543210",
      hostname: "api.test.example.com",
      namePrefix: "pitch-test",
      secretsStoreId: "00112233445566778899aabbccddeeff",
      monolith: { scriptName: "pitch-test-monolith", deployStandIn: true },
      database: { name: "pitch-test" },
      corsOrigins: ["http://localhost:5173"],
      rollout: { investor: 50 },
      jwtSecret: "a-local-secret-that-is-long-enough-0123456789",
      ...extra,
    },
    { stack: "test" },
  );
}

function fakeBuilds(): Map<WorkerName, WorkerBuild> {
  return new Map(
    WORKER_NAMES.map((name) => [
      name,
      {
        name,
        code: `export default { fetch() { return new Response("${name}") } };`,
        bytes: 10,
        gzipBytes: 10,
        sha256: "0".repeat(64),
        metafile: { inputs: {}, outputs: {} },
        mainModule: `${name}.js`,
      },
    ]),
  );
}

function optionsFor(config = stackConfig(), logPrefix = true) {
  const options = miniflareOptionsFor({
    builds: fakeBuilds(),
    config,
    state: STATE,
    port: 8787,
    logPrefix,
  });
  const workers = (options as { workers: WorkerOptions[] }).workers;
  const byName = (name: string) => workers.find((w) => w.name === name) as WorkerOptions;
  return { options, workers, byName };
}

describe("miniflareOptionsFor", () => {
  it("runs one worker per topology entry, router first (the only one Miniflare exposes)", () => {
    const { workers } = optionsFor();
    expect(workers.map((w) => w.name)).toEqual(WORKERS.map((w) => w.name));
    expect(workers[0]?.name).toBe("router");
  });

  it("listens on 127.0.0.1 only and persists D1 and the secrets store in the state folder", () => {
    const { options } = optionsFor();
    expect(options).toMatchObject({
      host: "127.0.0.1",
      port: 8787,
      cf: false,
      d1Persist: resolve("/tmp/platform-state/d1"),
      secretsStorePersist: resolve("/tmp/platform-state/secrets-store"),
    });
  });

  it("binds the router to every service, the monolith, CONFIG and the JWT secret", () => {
    const config = stackConfig();
    const router = optionsFor(config).byName("router");
    expect(router.serviceBindings).toEqual({
      AUTH: "auth",
      CREATOR: "creator",
      INVESTOR: "investor",
      PRODUCTION: "production",
      BROWSE: "browse",
      ANALYTICS: "analytics",
      MONOLITH: "monolith",
    });
    expect(router.bindings).toEqual({ CONFIG: routerConfigFor(config) });
    expect(router.secretsStoreSecrets).toEqual({ JWT_SECRET: LOCAL_JWT_SECRET_REF });
    expect(router.d1Databases).toBeUndefined();
  });

  it("gives every worker with a d1 binding the same database, and the JWT secret only where declared", () => {
    const { workers, byName } = optionsFor();
    for (const worker of workers.filter((w) => w.name !== "router")) {
      expect(worker.d1Databases).toEqual({ DB: LOCAL_D1_DATABASE_ID });
      expect(worker.serviceBindings).toBeUndefined();
    }
    expect(byName("auth").secretsStoreSecrets).toEqual({ JWT_SECRET: LOCAL_JWT_SECRET_REF });
    expect(byName("monolith").secretsStoreSecrets).toEqual({ JWT_SECRET: LOCAL_JWT_SECRET_REF });
    expect(byName("creator").secretsStoreSecrets).toBeUndefined();
  });

  it("runs the deployed bundle byte for byte, behind a local entry that names the worker in logs", () => {
    const builds = fakeBuilds();
    const { byName } = optionsFor();
    const modules = byName("investor").modules as { path: string; contents: string }[];
    expect(modules.map((m) => m.path)).toEqual([
      "local-entry.js",
      "local-log-prefix.js",
      "investor.js",
    ]);
    expect(modules[2]?.contents).toBe(builds.get("investor")?.code);
    expect(modules[0]?.contents).toContain('import worker from "./investor.js"');
    expect(modules[1]?.contents).toContain('"[investor]"');
    const plain = optionsFor(stackConfig(), false).byName("investor").modules;
    expect(plain).toEqual([
      { type: "ESModule", path: "investor.js", contents: builds.get("investor")?.code },
    ]);
  });

  it("takes compatibility date and flags from the stack, with per-worker overrides", () => {
    const config = stackConfig({
      compatibilityDate: "2025-10-01",
      compatibilityFlags: ["no_global_fetch_mock"],
      workers: {
        browse: { compatibilityDate: "2025-11-01", compatibilityFlags: ["nodejs_compat"] },
      },
    });
    const { byName } = optionsFor(config);
    expect(byName("auth").compatibilityDate).toBe("2025-10-01");
    expect(byName("auth").compatibilityFlags).toEqual(["no_global_fetch_mock"]);
    expect(byName("browse").compatibilityDate).toBe("2025-11-01");
    expect(byName("browse").compatibilityFlags).toEqual(["nodejs_compat"]);
  });

  it("routes a service's extra path prefixes from the stack in the router's CONFIG", () => {
    const config = stackConfig({ workers: { browse: { pathPrefixes: ["/api/search"] } } });
    const router = optionsFor(config).byName("router");
    const routes = (router.bindings as { CONFIG: ReturnType<typeof routerConfigFor> }).CONFIG
      .routes;
    expect(routes).toContainEqual({ prefix: "/api/search", target: "browse" });
  });

  it("says which worker has no build", () => {
    const builds = fakeBuilds();
    builds.delete("browse");
    expect(() =>
      miniflareOptionsFor({ builds, config: stackConfig(), state: STATE, port: 8787 }),
    ).toThrow('no build for worker "browse"; build every topology entry');
  });
});
