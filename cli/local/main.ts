// `npm start` / `npm run dev`: builds every worker with the program's build step, checks budgets,
// runs the whole split platform in one workerd (Miniflare) and serves the router on 127.0.0.1.
// Exit codes: 0 after Ctrl-C/SIGTERM, 1 when building or starting fails, 2 for bad flags/config.
// The platform is planned by the Pulumi program's own plan (infra/plan.ts), so what runs is what deploys.

import { watch as watchDirectory } from "node:fs";
import { join, resolve } from "node:path";
import { BudgetError, checkBudgets, loadBudgets } from "../../infra/budgets.ts";
import type { WorkerBuild } from "../../infra/build.ts";
import { ConfigError } from "../../infra/config.ts";
import { buildsOf, planPlatform } from "../../infra/plan.ts";
import type { WorkerName } from "../../shared/workers.ts";
import { ApiClient } from "../../tools/api-client.ts";
import { formatSeedSummary, seedDemoData } from "../../tools/demo-data.ts";
import { helpText, parseFlags, UsageError } from "../args.ts";
import { START_COMMAND, startOptions } from "./flags.ts";
import { localStack } from "./local-config.ts";
import { assertPortFree, PortInUseError, type RunningPlatform, startPlatform } from "./platform.ts";
import { localJwtSecret, prepareState, stateLayout } from "./state.ts";
import { formatStartupTable } from "./table.ts";
import { type WorkerWatcher, watchWorkers } from "./watch.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const MIGRATIONS_DIR = join(ROOT, "shared/migrations");
const SHUTDOWN_TIMEOUT_MS = 10_000;

const output = {
  info: (line: string) => console.log(line),
  error: (line: string) => console.error(line),
};

let platform: RunningPlatform | undefined;
let watcher: WorkerWatcher | undefined;
let stopping = false;

async function stop(signal: string): Promise<void> {
  if (stopping) {
    output.error(`${signal} again: exiting without waiting`);
    process.exit(1);
  }
  stopping = true;
  output.info(`\n${signal}: stopping the local platform…`);
  setTimeout(() => {
    output.error(`shutdown took over ${SHUTDOWN_TIMEOUT_MS / 1000} s; exiting anyway`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  await watcher?.dispose().catch((error) => output.error(`stopping the watcher: ${error}`));
  await platform?.dispose().catch((error) => output.error(`stopping workerd: ${error}`));
  output.info("stopped");
  process.exit(0);
}

const onSigint = () => void stop("SIGINT");
const onSigterm = () => void stop("SIGTERM");
process.on("SIGINT", onSigint);
process.on("SIGTERM", onSigterm);

/**
 * Miniflare adds its own SIGINT/SIGTERM listeners that kill workerd and exit with 130/143 in the
 * same tick, before our dispose can finish. Ours dispose cleanly and exit 0, so drop theirs;
 * Miniflare's `exit` hook stays and still kills workerd if this process ends any other way.
 */
function keepOnlyOurSignalListeners(): void {
  for (const [signal, ours] of [
    ["SIGINT", onSigint],
    ["SIGTERM", onSigterm],
  ] as const) {
    for (const listener of process.listeners(signal)) {
      if (listener !== ours) process.removeListener(signal, listener);
    }
  }
}

async function main(): Promise<void> {
  const parsed = parseFlags(START_COMMAND, process.argv.slice(2));
  if (parsed.help) {
    output.info(helpText(START_COMMAND));
    return;
  }
  const flags = startOptions(parsed, process.env);
  const state = stateLayout(flags.stateDir ?? join(ROOT, ".local"));
  prepareState(state);
  const jwtSecret = localJwtSecret(state, flags.jwtSecret);
  const { stack, raw, source } = localStack({
    root: ROOT,
    stack: flags.stack,
    jwtSecret: jwtSecret.value,
    rolloutOverrides: flags.rollout,
  });

  await assertPortFree(flags.port);

  // The program's own plan: config → topology → build → budgets → bindings. Watch mode checks
  // every rebuild against the same budgets.
  const budgets = loadBudgets(join(ROOT, "bundle-budgets.json"));
  const buildStarted = performance.now();
  const plan = await planPlatform({ config: raw, stack, root: ROOT, budgets, source });
  const buildMs = performance.now() - buildStarted;
  let running = buildsOf(plan);
  if (stopping) return;

  const startStarted = performance.now();
  platform = await startPlatform({
    plan,
    state,
    port: flags.port,
    jwtSecret: jwtSecret.value,
    migrationsDir: MIGRATIONS_DIR,
    output,
  });
  keepOnlyOurSignalListeners();
  const startMs = performance.now() - startStarted;
  const url = platform.url.href.replace(/\/$/, "");
  output.info(
    formatStartupTable({
      url,
      plan,
      overridden: new Set(Object.keys(flags.rollout)),
      stateDir: state.dir,
      jwtSecretFrom: jwtSecret.from,
      migrations: platform.migrations,
      buildMs,
      startMs,
      watch: flags.watch,
    }),
  );

  if (flags.seed) {
    try {
      output.info(formatSeedSummary(await seedDemoData(new ApiClient(url))));
    } catch (error) {
      output.error(`--seed failed: ${(error as Error).message}; the platform keeps running`);
    }
  }

  if (flags.watch && !stopping) {
    const live = platform;
    watcher = await watchWorkers({
      specs: plan.workers.map((worker) => worker.spec),
      root: ROOT,
      initial: running,
      onBuildError: (message) =>
        output.error(`${message}\nthe last good version keeps running; fix the error and save`),
      onChange: async (builds, changed) => {
        const next = new Map(running);
        for (const name of changed) {
          const build = builds.get(name) as WorkerBuild;
          try {
            checkBudgets([build], budgets);
            next.set(name, build);
          } catch (error) {
            output.error(`${(error as Error).message}\nthe last good "${name}" keeps running`);
          }
        }
        const reloaded = changed.filter((name) => next.get(name) !== running.get(name));
        if (reloaded.length === 0) return;
        await reload(live, next, reloaded);
      },
    });
    watchMigrations(live);
  }

  async function reload(
    live: RunningPlatform,
    next: Map<WorkerName, WorkerBuild>,
    names: WorkerName[],
  ): Promise<void> {
    const started = performance.now();
    try {
      await live.reload(next);
      running = next;
      const sizes = names.map(
        (n) => `${n} ${((next.get(n)?.gzipBytes ?? 0) / 1024).toFixed(1)} KB gzip`,
      );
      output.info(`reloaded ${sizes.join(", ")} in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      output.error(
        `reload of ${names.join(", ")} failed: ${(error as Error).message}\nthe last good version keeps running`,
      );
    }
  }
}

/** Dev mode: a new migration file is applied as soon as it is saved. */
function watchMigrations(live: RunningPlatform): void {
  let timer: NodeJS.Timeout | undefined;
  const watcherHandle = watchDirectory(MIGRATIONS_DIR, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const report = await live.migrate();
        if (report.applied.length) output.info(`applied migrations ${report.applied.join(", ")}`);
      } catch (error) {
        output.error(`migrations: ${(error as Error).message}`);
      }
    }, 300);
  });
  watcherHandle.unref();
}

function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ||
    error instanceof ConfigError ||
    error instanceof PortInUseError
    ? 2
    : 1;
}

main().catch(async (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  output.error(
    process.env.PLATFORM_DEBUG && error instanceof Error ? (error.stack ?? message) : message,
  );
  if (error instanceof BudgetError) {
    output.error("shrink the bundle, or raise its budget in bundle-budgets.json with a reason");
  }
  await platform?.dispose().catch(() => {});
  process.exit(exitCodeOf(error));
});
