// Starts and stops the whole platform in one workerd (Miniflare): every worker, the shared D1
// with all migrations applied, the JWT key in the local secrets store, worker logs by name.

import { createServer } from "node:net";
import { Log, LogLevel, Miniflare, type MiniflareOptions } from "miniflare";
import type { WorkerBuild } from "../../infra/build.ts";
import { applyMigrations, type MigrationReport } from "../../infra/migrations/apply.ts";
import { d1Executor } from "../../infra/migrations/d1-binding.ts";
import { loadMigrations } from "../../infra/migrations/files.ts";
import type { PlatformPlan } from "../../infra/plan.ts";
import type { D1Database } from "../../shared/d1.ts";
import type { WorkerName } from "../../shared/workers.ts";
import { LOCAL_HOST, LOCAL_JWT_SECRET_REF, miniflareOptionsFor } from "./miniflare-options.ts";
import type { StateLayout } from "./state.ts";

export interface PlatformOutput {
  info(line: string): void;
  error(line: string): void;
}

export interface PlatformInput {
  /** The program's plan of the local stack: workers, bundles, settings, bindings, migrations. */
  plan: PlatformPlan;
  /** Bundles to run instead of the plan's (tests); dev mode swaps them in with `reload`. */
  builds?: ReadonlyMap<WorkerName, WorkerBuild>;
  state: StateLayout;
  port: number;
  jwtSecret: string;
  migrationsDir: string;
  output: PlatformOutput;
}

export interface RunningPlatform {
  url: URL;
  migrations: MigrationReport;
  /** Swaps in new builds (dev mode); on failure the previous builds keep running and it throws. */
  reload(builds: ReadonlyMap<WorkerName, WorkerBuild>): Promise<void>;
  /** Applies migration files added since start (dev mode). */
  migrate(): Promise<MigrationReport>;
  dispose(): Promise<void>;
}

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

export async function startPlatform(input: PlatformInput): Promise<RunningPlatform> {
  await assertPortFree(input.port);
  const optionsFor = (builds?: ReadonlyMap<WorkerName, WorkerBuild>): MiniflareOptions => ({
    ...miniflareOptionsFor({
      plan: input.plan,
      ...(builds ? { builds } : {}),
      state: input.state,
      port: input.port,
    }),
    ...loggingOptions(input.output),
  });
  let current = optionsFor(input.builds);
  const mf = new Miniflare(current);
  let url: URL;
  try {
    url = await mf.ready;
    await storeJwtSecret(mf, input.jwtSecret);
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw error;
  }
  const migrate = async () => {
    const db = (await mf.getD1Database("DB", "auth")) as unknown as D1Database;
    return applyMigrations(d1Executor(db), loadMigrations(input.migrationsDir));
  };
  let migrations: MigrationReport;
  try {
    migrations = await migrate();
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw error;
  }
  return {
    url,
    migrations,
    migrate,
    async reload(builds) {
      const next = optionsFor(builds);
      try {
        await mf.setOptions(next);
        current = next;
      } catch (error) {
        // workerd refused the new code (e.g. a throw at module load): bring the last good back.
        await mf.setOptions(current);
        throw error;
      }
    },
    dispose: () => mf.dispose(),
  };
}

/**
 * Writes the JWT key into the persisted local secrets store. The store survives restarts, so the
 * secret may exist already; then it is updated (the key may have changed with --jwt-secret).
 */
async function storeJwtSecret(mf: Miniflare, secret: string): Promise<void> {
  const admin = await mf.getSecretsStoreSecretAPI("JWT_SECRET", "router");
  const existing = (await admin().list()).find(
    (key) => key.name === LOCAL_JWT_SECRET_REF.secret_name,
  );
  const id = existing?.metadata?.uuid;
  if (id) await admin().update(secret, id);
  else await admin().create(secret);
}

/** Miniflare's own lines (requests) through our output; workerd's console lines by level. */
function loggingOptions(output: PlatformOutput): Partial<MiniflareOptions> {
  return {
    log: new PlatformLog(output),
    structuredWorkerdLogs: true,
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
      if (level === "error" || level === "warn") output.error(message);
      else output.info(message);
    },
  };
}

class PlatformLog extends Log {
  constructor(private readonly output: PlatformOutput) {
    super(LogLevel.INFO, { prefix: "" });
  }

  override logWithLevel(level: LogLevel, message: string): void {
    // Our start-up table and reload lines say this already, with more.
    if (/^(Updated and )?[Rr]eady on /.test(message)) return;
    if (level > this.level) return;
    if (level <= LogLevel.WARN) this.output.error(message);
    else this.output.info(message);
  }
}
