// `npm start` / `npm run dev`: plans the platform with the Pulumi program's own plan (infra/plan.ts),
// so what runs is what deploys, then runs every worker in one workerd (Miniflare) on 127.0.0.1.
// Exit codes: 0 after Ctrl-C/SIGTERM, 1 when building or starting fails, 2 for bad flags/config.

import { watch } from "node:fs";
import { join } from "node:path";
import { BudgetError, type Budgets, checkBudgets, loadBudgets } from "../../infra/budgets.ts";
import { ConfigError } from "../../infra/config.ts";
import { loadMigrations } from "../../infra/migrations/files.ts";
import { buildsOf, type PlatformPlan, planPlatform } from "../../infra/plan.ts";
import { ApiClient } from "../../tools/api-client.ts";
import { formatSeedSummary, seedDemoData } from "../../tools/demo-data.ts";
import { helpText, parseFlags, UsageError } from "../args.ts";
import { REPO_ROOT } from "../stack-file.ts";
import { START_COMMAND, startOptions } from "./flags.ts";
import { localJwtSecret, localStack, stateLayout } from "./local-config.ts";
import { assertPortFree, PortInUseError, type RunningPlatform, startPlatform } from "./platform.ts";
import { formatStartupTable } from "./table.ts";
import { type WorkerWatcher, watchWorkers } from "./watch.ts";

const MIGRATIONS_DIR = join(REPO_ROOT, "shared/migrations");
const SHUTDOWN_TIMEOUT_MS = 10_000;
const output = { info: console.log, error: console.error };

let platform: RunningPlatform | undefined;
let watcher: WorkerWatcher | undefined;
let stopping = false;

async function stop(signal: NodeJS.Signals): Promise<void> {
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

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
const onSignal = (signal: NodeJS.Signals) => void stop(signal);
for (const signal of SIGNALS) process.on(signal, onSignal);

async function main(): Promise<void> {
  const parsed = parseFlags(START_COMMAND, process.argv.slice(2));
  if (parsed.help) return output.info(helpText(START_COMMAND));
  const flags = startOptions(parsed, process.env);
  const state = stateLayout(flags.stateDir ?? join(REPO_ROOT, ".local"));
  const jwtSecret = localJwtSecret(state, flags.jwtSecret);
  const local = localStack(REPO_ROOT, flags, jwtSecret.value);
  await assertPortFree(flags.port);

  const budgets = loadBudgets(join(REPO_ROOT, "bundle-budgets.json"));
  const buildStarted = performance.now();
  const plan = await planPlatform({ ...local, root: REPO_ROOT, budgets });
  const buildMs = performance.now() - buildStarted;
  if (stopping) return;

  const startStarted = performance.now();
  platform = await startPlatform({
    plan,
    state,
    port: flags.port,
    jwtSecret: jwtSecret.value,
    faults: () => flags.faults,
    output,
  });
  // Miniflare adds SIGINT/SIGTERM listeners that kill workerd and exit 130/143 in the same tick,
  // before our dispose can finish; ours exit 0 once it has, so theirs go. Its `exit` hook stays and
  // still kills workerd if this process ends any other way.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (listener !== onSignal) process.removeListener(signal, listener);
    }
  }
  output.info(
    formatStartupTable({
      url: platform.url.href,
      plan,
      flags,
      stateDir: state.dir,
      jwtSecretFrom: jwtSecret.from,
      migrations: platform.migrations,
      buildMs,
      startMs: performance.now() - startStarted,
    }),
  );
  if (flags.seed) {
    try {
      output.info(formatSeedSummary(await seedDemoData(new ApiClient(platform.url.href))));
    } catch (error) {
      output.error(`--seed failed: ${(error as Error).message}; the platform keeps running`);
    }
  }
  if (flags.watch && !stopping) watcher = await devMode(platform, plan, budgets);
}

/**
 * Dev mode: a rebuilt worker within its budget is reloaded, keeping the data; a new migration file
 * is applied as soon as it is saved. Whatever fails, the last good version keeps running.
 */
async function devMode(live: RunningPlatform, plan: PlatformPlan, budgets: Budgets) {
  let timer: NodeJS.Timeout | undefined;
  const applyMigrations = async () => {
    try {
      const { applied } = await live.migrate(loadMigrations(MIGRATIONS_DIR));
      if (applied.length) output.info(`applied migrations ${applied.join(", ")}`);
    } catch (error) {
      output.error(`migrations: ${(error as Error).message}`);
    }
  };
  watch(MIGRATIONS_DIR, () => {
    clearTimeout(timer);
    timer = setTimeout(applyMigrations, 300);
  }).unref();

  let running = buildsOf(plan);
  return watchWorkers({
    specs: plan.workers.map((worker) => worker.spec),
    root: REPO_ROOT,
    initial: running,
    onBuildError: (message) =>
      output.error(`${message}\nthe last good version keeps running; fix the error and save`),
    onChange: async (changed) => {
      const next = new Map(running);
      for (const build of changed) {
        try {
          checkBudgets([build], budgets);
          next.set(build.name, build);
        } catch (error) {
          output.error(`${(error as Error).message}\nthe last good "${build.name}" keeps running`);
        }
      }
      const reloaded = changed.filter((build) => next.get(build.name) === build);
      if (reloaded.length === 0) return;
      const started = performance.now();
      try {
        await live.reload(next);
        running = next;
        const sizes = reloaded.map((b) => `${b.name} ${(b.gzipBytes / 1024).toFixed(1)} KB gzip`);
        const ms = Math.round(performance.now() - started);
        output.info(`reloaded ${sizes.join(", ")} in ${ms} ms`);
      } catch (error) {
        const names = reloaded.map((build) => build.name).join(", ");
        output.error(
          `reload of ${names} failed: ${(error as Error).message}\nthe last good version keeps running`,
        );
      }
    },
  });
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
  const usage = [UsageError, ConfigError, PortInUseError].some((type) => error instanceof type);
  process.exit(usage ? 2 : 1);
});
