// Starts and stops the whole platform in one workerd (Miniflare): every worker, the shared D1
// with all migrations applied, the JWT key in the local secrets store, worker logs by name.

import { createServer } from "node:net";
import { Miniflare } from "miniflare";
import type { WorkerBuild } from "../../infra/build.ts";
import { applyMigrations } from "../../infra/migrations/apply.ts";
import { d1Executor } from "../../infra/migrations/d1-binding.ts";
import type { Migration } from "../../infra/migrations/files.ts";
import type { D1Database } from "../../shared/d1.ts";
import type { WorkerName } from "../../shared/workers.ts";
import { openFront } from "./front.ts";
import {
  LOCAL_HOST,
  LOCAL_JWT_SECRET_REF,
  type LocalPlatformInput,
  miniflareOptionsFor,
} from "./miniflare-options.ts";

export interface PlatformInput extends LocalPlatformInput {
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
export async function startPlatform(input: PlatformInput) {
  await assertPortFree(input.port);
  let current = miniflareOptionsFor(input);
  const mf = new Miniflare(current);
  let workerd = await mf.ready.catch(async (error) => {
    await mf.dispose().catch(() => {});
    throw error;
  });
  /** Applies those of `migrations` not applied yet (at start, and in dev mode when one is added). */
  const migrate = async (migrations: Migration[]) => {
    const db = (await mf.getD1Database("DB", "auth")) as unknown as D1Database;
    return applyMigrations(d1Executor(db), migrations);
  };
  try {
    await storeJwtSecret(mf, input.jwtSecret);
    const migrations = await migrate(input.plan.migrations);
    const front = await openFront({ host: LOCAL_HOST, port: input.port, upstream: () => workerd });
    return {
      url: front.url,
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
  const existing = (await admin().list()).find(
    (key) => key.name === LOCAL_JWT_SECRET_REF.secret_name,
  );
  const id = existing?.metadata?.uuid;
  if (id) await admin().update(secret, id);
  else await admin().create(secret);
}
