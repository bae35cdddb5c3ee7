// Pure: builds + stack config + state folder → Miniflare options for the whole platform, one
// workerd worker per topology entry (router first: Miniflare exposes only the first worker).

import type { MiniflareOptions, WorkerOptions } from "miniflare";
import { scriptBindingsFor } from "../../infra/bindings.ts";
import type { WorkerBuild } from "../../infra/build.ts";
import type { StackConfig } from "../../infra/config.ts";
import { routerConfigFor } from "../../infra/topology.ts";
import { scriptSettingsFor } from "../../infra/script-settings.ts";
import { type WorkerSpec, workersFor } from "../../infra/topology.ts";
import { type RouteTarget, SERVICE_NAMES, type WorkerName } from "../../shared/workers.ts";
import { LOCAL_HOST } from "./flags.ts";
import type { StateLayout } from "./state.ts";

/** The one local D1 database every worker with a `d1` binding shares. */
export const LOCAL_D1_DATABASE_ID = "pitch-local";
/** Where the JWT key lives in the local secrets store; start-up writes the value there. */
export const LOCAL_JWT_SECRET_REF = { store_id: "local", secret_name: "jwt" } as const;

export interface LocalPlatformInput {
  builds: ReadonlyMap<WorkerName, WorkerBuild>;
  config: StackConfig;
  state: StateLayout;
  port: number;
  /** Prefix workers' console output with their name (a small local-only entry module). */
  logPrefix?: boolean;
}

export function miniflareOptionsFor(input: LocalPlatformInput): MiniflareOptions {
  const specs = workersFor(input.config.workers);
  const routerFirst = [
    ...specs.filter((s) => s.kind === "router"),
    ...specs.filter((s) => s.kind !== "router"),
  ];
  return {
    host: LOCAL_HOST,
    port: input.port,
    // The real `cf` object is fetched from the internet; a placeholder keeps start-up offline.
    cf: false,
    d1Persist: input.state.d1Dir,
    secretsStorePersist: input.state.secretsStoreDir,
    workers: routerFirst.map((spec) =>
      workerOptionsFor(spec, buildOf(input.builds, spec), input.config, input.logPrefix ?? true),
    ),
  };
}

function buildOf(builds: LocalPlatformInput["builds"], spec: WorkerSpec): WorkerBuild {
  const build = builds.get(spec.name);
  if (!build) throw new Error(`no build for worker "${spec.name}"; build every topology entry`);
  return build;
}

export function workerOptionsFor(
  spec: WorkerSpec,
  build: WorkerBuild,
  config: StackConfig,
  logPrefix = true,
): WorkerOptions {
  // The program's own settings, so compatibility date and flags match the deployed script.
  const settings = scriptSettingsFor(config, spec.name);
  return {
    name: spec.name,
    compatibilityDate: settings.compatibilityDate,
    compatibilityFlags: settings.compatibilityFlags,
    modules: logPrefix
      ? [
          { type: "ESModule", path: "local-entry.js", contents: localEntry(spec.name, build) },
          { type: "ESModule", path: "local-log-prefix.js", contents: logPrefixModule(spec.name) },
          { type: "ESModule", path: build.mainModule, contents: build.code },
        ]
      : [{ type: "ESModule", path: build.mainModule, contents: build.code }],
    ...bindingOptionsFor(spec, config),
  };
}

type BindingOptions = Partial<
  Pick<WorkerOptions, "d1Databases" | "serviceBindings" | "bindings" | "secretsStoreSecrets">
>;

/** Locally each worker is named after its topology entry, and the stand-in monolith always runs. */
const LOCAL_SCRIPT_NAMES = Object.fromEntries(
  [...SERVICE_NAMES, "monolith" as const].map((target) => [target, target]),
) as Record<RouteTarget, string>;

/**
 * The program's own binding list for the worker (infra/bindings.ts), each entry as Miniflare
 * spells it, so a binding the program adds, drops or reorders shows up locally as well.
 */
export function bindingOptionsFor(spec: WorkerSpec, config: StackConfig): BindingOptions {
  const declared = scriptBindingsFor(spec.name, spec.bindings, {
    databaseId: LOCAL_D1_DATABASE_ID,
    scriptNames: LOCAL_SCRIPT_NAMES,
    routerConfigJson: JSON.stringify(routerConfigFor(config)),
    jwtSecret: {
      storeId: LOCAL_JWT_SECRET_REF.store_id,
      secretName: LOCAL_JWT_SECRET_REF.secret_name,
    },
  });
  const d1Databases: Record<string, string> = {};
  const serviceBindings: Record<string, string> = {};
  const json: Record<string, unknown> = {};
  const secretsStoreSecrets: Record<string, { store_id: string; secret_name: string }> = {};
  for (const binding of declared) {
    switch (binding.type) {
      case "d1":
        d1Databases[binding.name] = binding.id;
        break;
      case "service":
        serviceBindings[binding.name] = binding.service;
        break;
      case "json":
        json[binding.name] = JSON.parse(binding.json);
        break;
      case "secrets_store_secret":
        secretsStoreSecrets[binding.name] = {
          store_id: binding.storeId,
          secret_name: binding.secretName,
        };
        break;
      default:
        throw new Error(`unknown binding kind ${JSON.stringify(binding satisfies never)}`);
    }
  }
  const options: BindingOptions = {};
  if (Object.keys(d1Databases).length) options.d1Databases = d1Databases;
  if (Object.keys(serviceBindings).length) options.serviceBindings = serviceBindings;
  if (Object.keys(json).length) options.bindings = json;
  if (Object.keys(secretsStoreSecrets).length) options.secretsStoreSecrets = secretsStoreSecrets;
  return options;
}

/**
 * The local entry: patches console first (imports evaluate in order), then re-exports the
 * deployed module's handlers, logging any exception that escapes them under the worker's name,
 * since workerd reports neither the worker nor the error.
 */
function localEntry(name: WorkerName, build: WorkerBuild): string {
  return `import "./local-log-prefix.js";
import worker from "./${build.mainModule}";
const HANDLERS = ["fetch", "scheduled", "queue", "email", "tail"];
function logged(kind, handler) {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      console.error("uncaught exception in " + kind + ":", error);
      throw error;
    }
  };
}
export default worker !== null && typeof worker === "object"
  ? Object.fromEntries(HANDLERS.filter((kind) => typeof worker[kind] === "function").map((kind) => [kind, logged(kind, worker[kind].bind(worker))]))
  : worker;
// worker: ${name}
`;
}

function logPrefixModule(name: WorkerName): string {
  const prefix = JSON.stringify(`[${name}]`);
  return `const PREFIX = ${prefix};
for (const level of ["log", "info", "warn", "error", "debug", "trace"]) {
  const original = console[level];
  if (typeof original !== "function") continue;
  // Services already prefix their own error lines; do not say the name twice.
  console[level] = (...args) =>
    typeof args[0] === "string" && args[0].startsWith(PREFIX)
      ? original.apply(console, args)
      : original.call(console, PREFIX, ...args);
}
`;
}
