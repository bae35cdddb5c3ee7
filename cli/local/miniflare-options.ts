// Pure: the program's plan + state folder → Miniflare options for the whole platform, one workerd
// worker per planned worker, with the plan's own settings and bindings, logging by worker name.

import { Log, LogLevel, type MiniflareOptions, type WorkerOptions } from "miniflare";
import type { WorkerBuild } from "../../infra/build.ts";
import type { PlannedWorker, PlatformPlan } from "../../infra/plan.ts";
import type { WorkerName } from "../../shared/workers.ts";
import { FAULTS_BINDING, type Faults, faultsHandler, faultWrapperSource } from "./faults.ts";
import type { StateLayout } from "./state.ts";

/** The only address the platform listens on. */
export const LOCAL_HOST = "127.0.0.1";
/** The one local D1 database every worker with a `d1` binding shares. */
export const LOCAL_D1_DATABASE_ID = "pitch-local";
/** Where the JWT key lives in the local secrets store; start-up writes the value there. */
export const LOCAL_JWT_SECRET_REF = { store_id: "local", secret_name: "jwt" } as const;

export type PlatformOutput = Record<"info" | "error", (line: string) => void>;

export interface LocalPlatformInput {
  /** The program's plan of the local stack (the stand-in monolith always deployed). */
  plan: PlatformPlan;
  /** Bundles to run instead of the plan's: dev mode's rebuilds, or a test's stand-ins. */
  builds?: ReadonlyMap<WorkerName, WorkerBuild>;
  state: StateLayout;
  /** workerd's own port (0: any free one); clients reach the platform through the front. */
  workerdPort?: number;
  /** The faults in force now (`--fault`); every worker but the router asks for its own. */
  faults?: () => Faults;
  /** Where Miniflare's lines (requests) and the workers' console lines go. */
  output: PlatformOutput;
  /** Prefix workers' console output with their name (a small local-only entry module). */
  logPrefix?: boolean;
}

export function miniflareOptionsFor(input: LocalPlatformInput): MiniflareOptions {
  // Locally each worker is named after its row in the table; bindings name Cloudflare scripts.
  const localNames = new Map(input.plan.workers.map((w) => [w.scriptName, w.spec.name]));
  const { output } = input;
  return {
    host: LOCAL_HOST,
    port: input.workerdPort ?? 0,
    // The real `cf` object is fetched from the internet; a placeholder keeps start-up offline.
    cf: false,
    d1Persist: input.state.d1Dir,
    secretsStorePersist: input.state.secretsStoreDir,
    log: new PlatformLog(output),
    structuredWorkerdLogs: true,
    // Miniflare checks that this returns nothing.
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
      if (level === "error" || level === "warn") output.error(message);
      else output.info(message);
    },
    // The plan lists the router first, and Miniflare exposes only the first worker.
    workers: input.plan.workers.map((worker) => ({
      name: worker.spec.name,
      // The program's own settings, so compatibility date and flags match the deployed script.
      compatibilityDate: worker.settings.compatibilityDate,
      compatibilityFlags: worker.settings.compatibilityFlags,
      modules: modulesFor(worker.spec.name, input.builds?.get(worker.spec.name) ?? worker.build, {
        logPrefix: input.logPrefix ?? true,
        faults: faultable(worker, input),
      }),
      ...withFaultsBinding(bindingOptionsFor(worker, localNames), faultable(worker, input)),
    })),
  };
}

function faultable(worker: PlannedWorker, input: LocalPlatformInput): (() => Faults) | undefined {
  return worker.spec.kind === "router" ? undefined : input.faults;
}

function modulesFor(
  name: WorkerName,
  build: WorkerBuild,
  local: { logPrefix: boolean; faults: (() => Faults) | undefined },
) {
  const main = { type: "ESModule" as const, path: build.mainModule, contents: build.code };
  if (!local.logPrefix && !local.faults) return [main];
  return [
    {
      type: "ESModule" as const,
      path: "local-entry.js",
      contents: localEntry(name, build, local.logPrefix, local.faults !== undefined),
    },
    { type: "ESModule" as const, path: "local-log-prefix.js", contents: logPrefixModule(name) },
    main,
  ];
}

function withFaultsBinding(options: BindingOptions, faults: (() => Faults) | undefined) {
  if (!faults) return options;
  const handler = faultsHandler(faults);
  return {
    ...options,
    serviceBindings: {
      ...options.serviceBindings,
      [FAULTS_BINDING]: async (r: Request) => handler(r),
    },
  };
}

type BindingOptions = Partial<
  Pick<WorkerOptions, "d1Databases" | "serviceBindings" | "bindings" | "secretsStoreSecrets">
>;

/**
 * The plan's own binding list for the worker, each entry as Miniflare spells it, so a binding the
 * program adds, drops or reorders shows up locally as well.
 */
function bindingOptionsFor(
  worker: PlannedWorker,
  localNames: ReadonlyMap<string, WorkerName>,
): BindingOptions {
  const options: Record<string, Record<string, unknown>> = {};
  for (const binding of worker.bindings) {
    const [kind, value] = localBinding(binding, worker, localNames);
    options[kind] = { ...options[kind], [binding.name]: value };
  }
  return options;
}

/** Which Miniflare option a binding goes in, and its value there. */
function localBinding(
  binding: PlannedWorker["bindings"][number],
  worker: PlannedWorker,
  localNames: ReadonlyMap<string, WorkerName>,
): [keyof BindingOptions, unknown] {
  switch (binding.type) {
    case "d1":
      return ["d1Databases", LOCAL_D1_DATABASE_ID];
    case "service": {
      const target = localNames.get(binding.service);
      if (target) return ["serviceBindings", target];
      throw new Error(
        `worker "${worker.spec.name}" binds ${binding.name} to "${binding.service}", which the local platform does not run`,
      );
    }
    case "json":
      return ["bindings", JSON.parse(binding.json)];
    case "secrets_store_secret":
      return ["secretsStoreSecrets", LOCAL_JWT_SECRET_REF];
    default:
      throw new Error(`unknown binding kind ${JSON.stringify(binding satisfies never)}`);
  }
}

/**
 * The local entry: patches console first (imports evaluate in order), then re-exports the
 * deployed module's handlers, logging any exception that escapes them under the worker's name,
 * since workerd reports neither the worker nor the error.
 */
function localEntry(name: WorkerName, build: WorkerBuild, logPrefix: boolean, faults: boolean) {
  return `${logPrefix ? 'import "./local-log-prefix.js";\n' : ""}import worker from "./${build.mainModule}";
${faults ? faultWrapperSource(name) : "const withFaults = (fetch) => fetch;\n"}const HANDLERS = ["fetch", "scheduled", "queue", "email", "tail"];
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
function wrapped(kind) {
  const handler = worker[kind].bind(worker);
  return logged(kind, kind === "fetch" ? withFaults(handler) : handler);
}
export default worker !== null && typeof worker === "object"
  ? Object.fromEntries(HANDLERS.filter((kind) => typeof worker[kind] === "function").map((kind) => [kind, wrapped(kind)]))
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

/** Miniflare's own lines (requests) through our output, by level. */
class PlatformLog extends Log {
  constructor(private readonly output: PlatformOutput) {
    super(LogLevel.INFO, { prefix: "" });
  }

  override logWithLevel(level: LogLevel, message: string): void {
    // Our start-up table and reload lines say this already, with more.
    if (/^(Updated and )?[Rr]eady on /.test(message) || level > this.level) return;
    if (level <= LogLevel.WARN) this.output.error(message);
    else this.output.info(message);
  }
}
