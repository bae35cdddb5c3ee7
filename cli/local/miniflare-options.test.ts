import { resolve } from "node:path";
import type { WorkerOptions } from "miniflare";
import { beforeAll, describe, expect, it } from "vitest";
import type { WorkerBuild } from "../../infra/build.ts";
import type { PlatformPlan } from "../../infra/plan.ts";
import { RATE_LIMITS, type RateLimitName } from "../../shared/rate-limits.ts";
import {
  bindingNameOf,
  SERVICE_NAMES,
  WORKER_NAMES,
  type WorkerName,
} from "../../shared/workers.ts";
import { localPlan } from "../../test/support/local-plan.ts";
import { LOCAL_RATE_LIMIT, stateLayout } from "./local-config.ts";
import { LOCAL_D1_DATABASE_ID, LOCAL_JWT_SECRET_REF, miniflareOptionsFor } from "./platform.ts";

const STATE = stateLayout("/tmp/platform-state");
const output = { info: () => {}, error: () => {} };

let plan: PlatformPlan;
beforeAll(async () => {
  plan = await localPlan();
});

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

function optionsFor(planned = plan, logPrefix = true) {
  const options = miniflareOptionsFor({
    plan: planned,
    builds: fakeBuilds(),
    state: STATE,

    output,
    logPrefix,
  });
  const workers = (options as { workers: WorkerOptions[] }).workers;
  const byName = (name: string) => workers.find((w) => w.name === name) as WorkerOptions;
  return { options, workers, byName };
}

describe("miniflareOptionsFor", () => {
  it("runs one worker per topology entry, router first (the only one Miniflare exposes)", () => {
    const { workers } = optionsFor();
    expect(workers.map((w) => w.name)).toEqual([...WORKER_NAMES]);
    expect(workers[0]?.name).toBe("router");
  });

  it("listens on 127.0.0.1 only and persists D1 and the secrets store in the state folder", () => {
    const { options } = optionsFor();
    expect(options).toMatchObject({
      host: "127.0.0.1",

      cf: false,
      d1Persist: resolve("/tmp/platform-state/d1"),
      secretsStorePersist: resolve("/tmp/platform-state/secrets-store"),
    });
  });

  it("binds the router to every service, the monolith, CONFIG and the JWT secret", () => {
    const router = optionsFor().byName("router");
    expect(router.serviceBindings).toEqual(
      Object.fromEntries(
        [...SERVICE_NAMES, "monolith" as const].map((name) => [bindingNameOf(name), name]),
      ),
    );
    expect(router.bindings).toEqual({ CONFIG: plan.routerConfig });
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

  it("gives auth and analytics their rate limits as Miniflare counts them, with the periods", () => {
    const { byName } = optionsFor();
    const simple = (name: RateLimitName) => ({
      simple: { limit: LOCAL_RATE_LIMIT, period: RATE_LIMITS[name].period },
    });
    expect(byName("auth").ratelimits).toEqual({
      RATE_LIMIT_LOGIN: simple("login"),
      RATE_LIMIT_LOGIN_CLIENT: simple("loginClient"),
      RATE_LIMIT_REGISTER: simple("register"),
    });
    expect(byName("auth").bindings).toEqual({
      RATE_LIMITS: { login: { period: 60 }, loginClient: { period: 60 }, register: { period: 60 } },
    });
    expect(byName("analytics").ratelimits).toEqual({ RATE_LIMIT_EVENTS: simple("events") });
    expect(byName("creator").ratelimits).toBeUndefined();
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
    const plain = optionsFor(plan, false).byName("investor").modules;
    expect(plain).toEqual([
      { type: "ESModule", path: "investor.js", contents: builds.get("investor")?.code },
    ]);
  });

  it("takes compatibility date and flags from the stack, with per-worker overrides", async () => {
    const planned = await localPlan({
      "platform:compatibilityDate": "2025-10-01",
      "platform:compatibilityFlags": ["no_global_fetch_mock"],
      "platform:workers": {
        browse: { compatibilityDate: "2025-11-01", compatibilityFlags: ["nodejs_compat"] },
      },
    });
    const { byName } = optionsFor(planned);
    expect(byName("auth").compatibilityDate).toBe("2025-10-01");
    expect(byName("auth").compatibilityFlags).toEqual(["no_global_fetch_mock"]);
    expect(byName("browse").compatibilityDate).toBe("2025-11-01");
    expect(byName("browse").compatibilityFlags).toEqual(["nodejs_compat"]);
  });

  it("routes a service's extra path prefixes from the stack in the router's CONFIG", async () => {
    const planned = await localPlan({
      "platform:workers": { browse: { pathPrefixes: ["/api/search"] } },
    });
    const router = optionsFor(planned).byName("router");
    const routes = (router.bindings as { CONFIG: PlatformPlan["routerConfig"] }).CONFIG.routes;
    expect(routes).toContainEqual({ prefix: "/api/search", target: "browse" });
  });

  it("runs the plan's own bundles unless dev mode rebuilt some", () => {
    const options = miniflareOptionsFor({
      plan,
      state: STATE,

      output,
      logPrefix: false,
    });
    const investor = (options as { workers: WorkerOptions[] }).workers[3];
    const planned = plan.workers.find((w) => w.spec.name === "investor");
    expect(investor?.modules).toEqual([
      { type: "ESModule", path: "investor.js", contents: planned?.build.code },
    ]);
  });
});
