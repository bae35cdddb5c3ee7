// The whole platform in one workerd (Miniflare): its options, a pure view of the program's plan
// (one workerd worker per planned worker, with the plan's own settings and bindings, logging by
// worker name), and starting and stopping it, with the shared D1's migrations applied and the JWT
// key in the local secrets store.

import { createServer } from "node:net";
import { Log, LogLevel, Miniflare, type MiniflareOptions, type WorkerOptions } from "miniflare";
import type { WorkerBuild } from "../../infra/build.ts";
import { applyMigrations } from "../../infra/migrations/apply.ts";
import { d1Executor } from "../../infra/migrations/d1-binding.ts";
import type { Migration } from "../../infra/migrations/files.ts";
import type { PlannedWorker, PlatformPlan } from "../../infra/plan.ts";
import type { D1Database } from "../../shared/d1.ts";
import type { WorkerName } from "../../shared/workers.ts";
import { CONTROL_BINDING, controlWrapperSource, LocalControl } from "./control.ts";
import type { Faults } from "./faults.ts";
import { openFront } from "./front.ts";
import type { StateLayout } from "./local-config.ts";

/** The only address the platform listens on. */
export const LOCAL_HOST = "127.0.0.1";
/** The one local D1 database every worker with a `d1` binding shares. */
export const LOCAL_D1_DATABASE_ID = "pitch-local";
/** Where the JWT key lives in the local secrets store; start-up writes the value there. */
export const LOCAL_JWT_SECRET_REF = { store_id: "local", secret_name: "jwt" } as const;

export type PlatformOutput = Record<"info" | "error", (line: string) => void>;

export interface PlatformInput {
  /** The program's plan of the local stack (the stand-in monolith always deployed). */
  plan: PlatformPlan;
  /** Bundles to run instead of the plan's: dev mode's rebuilds, or a test's stand-ins. */
  builds?: ReadonlyMap<WorkerName, WorkerBuild>;
  state: StateLayout;
  /** The faults in force now (`--fault`); every worker but the router asks for its own. */
  faults?: () => Faults;
  /** Where Miniflare's lines (requests) and the workers' console lines go. */
  output: PlatformOutput;
  /** Prefix workers' console output with their name (a small local-only entry module). */
  logPrefix?: boolean;
  /** Faults, weights and telemetry of the running platform; startPlatform makes one. */
  control?: LocalControl;
  /** Stored in the local secrets store at every start. */
  jwtSecret: string;
  /** The public port (the front); it opens only once the platform can serve. */
  port: number;
}

export type RunningPlatform = Awaited<ReturnType<typeof startPlatform>>;

/** Thrown before anything starts when the router's port is taken. */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`port ${port} is in use; pass --port <free port>`);
    this.name = "PortInUseError";
  }
}

/** Tries to listen on the port first, so a taken port is a clear message, not a workerd error. */
export async function assertPortFree(port: number, host = LOCAL_HOST): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE" || error.code === "EACCES" ? new PortInUseError(port) : error,
      ),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * Starts workerd with every worker, stores the JWT key, applies the plan's migrations, and only
 * then opens the public port: no client can reach a platform that cannot serve it yet.
 */
export async function startPlatform(platformInput: PlatformInput) {
  const control =
    platformInput.control ??
    new LocalControl(platformInput.faults, platformInput.plan.config.rollout);
  const input = { ...platformInput, control };
  await assertPortFree(input.port);
  let current = miniflareOptionsFor(input);
  const mf = new Miniflare(current);
  try {
    let workerd = await mf.ready;
    /** Applies those of `migrations` not applied yet (at start, and in dev mode when one is added). */
    const migrate = async (migrations: Migration[]) => {
      const db = (await mf.getD1Database("DB", "auth")) as unknown as D1Database;
      return applyMigrations(d1Executor(db), migrations);
    };
    await storeJwtSecret(mf, input.jwtSecret);
    const migrations = await migrate(input.plan.migrations);
    const front = await openFront({
      host: LOCAL_HOST,
      port: input.port,
      upstream: () => workerd,
      local: (incoming, outgoing) => control.http(incoming, outgoing),
    });
    return {
      url: front.url,
      /** Weights, faults and telemetry of this platform, changed without a restart. */
      control,
      migrations,
      migrate,
      /**
       * Swaps in new builds (dev mode) once the requests in flight are answered; new ones wait.
       * On failure the previous builds keep running and it throws.
       */
      reload: (builds: ReadonlyMap<WorkerName, WorkerBuild>) =>
        front.pausedFor(async () => {
          const next = miniflareOptionsFor({ ...input, builds });
          try {
            await mf.setOptions(next);
            current = next;
          } catch (error) {
            // workerd refused the new code (e.g. a throw at module load): bring the last good back.
            await mf.setOptions(current);
            throw error;
          } finally {
            workerd = await mf.ready;
          }
        }),
      dispose: async () => {
        await front.close();
        await mf.dispose();
      },
    };
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw error;
  }
}

/**
 * Writes the JWT key into the persisted local secrets store. The store survives restarts, so the
 * secret may exist already; then it is updated (the key may have changed with --jwt-secret).
 */
async function storeJwtSecret(mf: Miniflare, secret: string): Promise<void> {
  const admin = await mf.getSecretsStoreSecretAPI("JWT_SECRET", "router");
  const { secret_name } = LOCAL_JWT_SECRET_REF;
  const id = (await admin().list()).find((key) => key.name === secret_name)?.metadata?.uuid;
  await (id ? admin().update(secret, id) : admin().create(secret));
}

/** Pure, so tests read it without workerd; the JWT key and the public port come at start. */
export function miniflareOptionsFor(
  input: Omit<PlatformInput, "jwtSecret" | "port">,
): MiniflareOptions {
  // Locally each worker is named after its row in the table; bindings name Cloudflare scripts.
  const localNames = new Map(input.plan.workers.map((w) => [w.scriptName, w.spec.name]));
  const { output, logPrefix = true } = input;
  return {
    host: LOCAL_HOST,
    // workerd's own port, any free one: clients reach the platform through the front.
    port: 0,
    // The real `cf` object is fetched from the internet; a placeholder keeps start-up offline.
    cf: false,
    d1Persist: input.state.d1Dir,
    secretsStorePersist: input.state.secretsStoreDir,
    log: new PlatformLog(output),
    structuredWorkerdLogs: true,
    // Miniflare checks that this returns nothing.
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
      output[level === "error" || level === "warn" ? "error" : "info"](message);
    },
    // The plan lists the router first, and Miniflare exposes only the first worker.
    workers: input.plan.workers.map((worker) => {
      const build = input.builds?.get(worker.spec.name) ?? worker.build;
      const local = { logPrefix, control: input.control, router: worker.spec.kind === "router" };
      return {
        name: worker.spec.name,
        // The program's own settings, so compatibility date and flags match the deployed script.
        compatibilityDate: worker.settings.compatibilityDate,
        compatibilityFlags: worker.settings.compatibilityFlags,
        modules: modulesFor(worker.spec.name, build, local),
        ...bindingOptionsFor(worker, localNames, input.control),
      };
    }),
  };
}

function modulesFor(
  name: WorkerName,
  build: WorkerBuild,
  local: { logPrefix: boolean; control: LocalControl | undefined; router: boolean },
) {
  const esm = (path: string, contents: string) => ({ type: "ESModule" as const, path, contents });
  const main = esm(build.mainModule, build.code);
  if (!local.logPrefix && !local.control) return [main];
  const entry = esm("local-entry.js", localEntry(name, build, local));
  return [entry, esm("local-log-prefix.js", logPrefixModule(name)), main];
}

type BindingOptions = Partial<
  Pick<
    WorkerOptions,
    | "d1Databases"
    | "serviceBindings"
    | "bindings"
    | "secretsStoreSecrets"
    | "analyticsEngineDatasets"
    | "ratelimits"
  >
>;

/**
 * The plan's own binding list for the worker, each entry as Miniflare spells it, so a binding the
 * program adds, drops or reorders shows up locally as well; then the control binding, if any.
 */
function bindingOptionsFor(
  worker: PlannedWorker,
  localNames: ReadonlyMap<string, WorkerName>,
  control: LocalControl | undefined,
): BindingOptions {
  const options: Record<string, Record<string, unknown>> = {};
  for (const binding of worker.bindings) {
    const [kind, value] = localBinding(binding, worker, localNames);
    options[kind] = { ...options[kind], [binding.name]: value };
  }
  if (control) {
    const answer = (request: Request) => control.binding(request);
    options.serviceBindings = { ...options.serviceBindings, [CONTROL_BINDING]: answer };
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
    // Miniflare's dataset drops every data point; the local entry routes the router's writes to
    // the control plane's store instead (see controlWrapperSource).
    case "analytics_engine":
      return ["analyticsEngineDatasets", { dataset: binding.dataset }];
    // Miniflare counts per binding in memory; the namespace id means nothing locally.
    case "ratelimit":
      return ["ratelimits", { simple: binding.simple }];
    default:
      throw new Error(`unknown binding kind ${JSON.stringify(binding satisfies never)}`);
  }
}

/**
 * The local entry: patches console first (imports evaluate in order), then re-exports the
 * deployed module's handlers, logging any exception that escapes them under the worker's name,
 * since workerd reports neither the worker nor the error.
 */
function localEntry(
  name: WorkerName,
  build: WorkerBuild,
  local: { logPrefix: boolean; control: LocalControl | undefined; router: boolean },
) {
  return `${local.logPrefix ? 'import "./local-log-prefix.js";\n' : ""}import worker from "./${build.mainModule}";
${local.control ? controlWrapperSource(name, local.router) : "const withControl = (fetch) => fetch;\n"}const HANDLERS = ["fetch", "scheduled", "queue", "email", "tail"];
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
  return logged(kind, kind === "fetch" ? withControl(handler) : handler);
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
    this.output[level <= LogLevel.WARN ? "error" : "info"](message);
  }
}
