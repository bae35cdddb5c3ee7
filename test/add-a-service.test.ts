// "A service is a folder and a row", proved: in a copy of this checkout, a seventh service
// `payments` is added exactly as docs/adding-a-service.md says, and the copy must type-check, pass
// the tests that read the table of workers, and carry it in its offline plan and local platform,
// with nothing else edited. Once with a blue side at weight 50 in staging, once as new
// functionality (`blueSide: false`).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OfflinePlan, PlannedWorkerView } from "../cli/plan/view.ts";
import {
  PAYMENTS_FOLDER,
  PAYMENTS_MIGRATION_SQL,
  paymentsRow,
} from "./support/payments-service.ts";
import { freePort } from "./support/ports.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SERVICE_FOLDER = "services/payments/";
/** What the doc promises at most, besides the service folder. */
const MAX_FILES_OUTSIDE_FOLDER = 6;
/**
 * The copy's tests whose expectations depend on the set of services: lists, counts and positions
 * of workers, messages naming them, the next migration number. They read the table, so they must
 * pass with a seventh service as they are. (The copy's whole suite is too slow to run here.)
 */
const TESTS_THAT_READ_THE_TABLE = [
  "cli/local/flags.test.ts",
  "infra/bindings.test.ts",
  "infra/budgets.test.ts",
  "infra/config.test.ts",
  "infra/topology.test.ts",
  "test/d1-migrations.test.ts",
  "test/program-changes.test.ts",
  "test/program.test.ts",
  "test/router.workerd.test.ts",
  "tools/smoke.test.ts",
];
const START_TIMEOUT_MS = 90_000;
const TEST_TIMEOUT_MS = 240_000;
const READY = /Local platform ready at (http:\/\/127\.0\.0\.1:\d+)/;

const tempDirs: string[] = [];
const children = new Set<ChildProcess>();

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** The environment children run in: no JWT key from the caller, no vitest or git state of ours. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(VITEST|GIT_)/.test(key) || key === "PLATFORM_JWT_SECRET") delete env[key];
  }
  return env;
}

/** Runs a command to its end in `cwd` and answers its stdout; throws with its output on failure. */
function run(cwd: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, {
    cwd,
    env: childEnv(),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 180_000,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error?.message ?? ""}`;
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status}:\n${output}`);
  }
  return result.stdout;
}

const tsx = (copy: string, script: string, args: string[]) =>
  run(copy, process.execPath, ["--import", "tsx", script, ...args]);

/** A tsx script expected to fail: its exit code and output. */
function failingTsx(copy: string, args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", ...args], {
    cwd: copy,
    env: childEnv(),
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(result.status, result.stdout + result.stderr).not.toBe(0);
  return result;
}

/** `tsc --noEmit` over the whole copy: one line per error, `path(line,col): error TS…`. */
function typeErrors(copy: string): string[] {
  const tsc = ["node_modules/typescript/bin/tsc", "--noEmit", "--pretty", "false", "-p", "."];
  const result = spawnSync(process.execPath, tsc, {
    cwd: copy,
    env: childEnv(),
    encoding: "utf8",
    timeout: 180_000,
  });
  if (result.status === 0) return [];
  const errors = result.stdout.split("\n").filter((line) => /^\S+\(\d+,\d+\): error /.test(line));
  if (errors.length === 0) throw new Error(`tsc exited with ${result.status}:\n${result.stdout}`);
  return errors;
}

const git = (copy: string, ...args: string[]) =>
  run(copy, "git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args]);

/**
 * This checkout's files as they are on disk (tracked and new, not ignored: what `git add -A` would
 * commit) in a temp dir, so the check covers uncommitted work; committed in a fresh repository so
 * `git status` shows what adding the service touched, with this checkout's node_modules linked in.
 */
function copyOfCheckout(): string {
  const copy = tempDir("add-a-service-");
  const listed = run(ROOT, "git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  const files = new Set(listed.split("\0").filter((path) => path && existsSync(join(ROOT, path))));
  for (const path of files) {
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    copyFileSync(join(ROOT, path), join(copy, path));
  }
  git(copy, "init", "-q");
  writeFileSync(join(copy, ".git/info/exclude"), "/node_modules\n");
  git(copy, "add", "-A");
  git(copy, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "checkout, pristine");
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  return copy;
}

function writeFile(copy: string, path: string, text: string): void {
  mkdirSync(dirname(join(copy, path)), { recursive: true });
  writeFileSync(join(copy, path), text);
}

/** `0007_payments.sql` when the last migration is 0006: the doc's "next number". */
function nextMigrationPath(copy: string): string {
  const numbers = readdirSync(join(copy, "shared/migrations"))
    .map((name) => Number.parseInt(name, 10))
    .filter(Number.isInteger);
  const next = String(Math.max(0, ...numbers) + 1).padStart(4, "0");
  return `shared/migrations/${next}_payments.sql`;
}

/** Step 2 of the doc: the row goes into the table, among the services (before the monolith). */
function addRow(copy: string, blueSide: boolean): void {
  const path = join(copy, "shared/workers.ts");
  const table = readFileSync(path, "utf8");
  const monolith = table.indexOf('name: "monolith"');
  const rowStart = table.lastIndexOf("\n  {\n", monolith) + 1;
  if (monolith < 0 || rowStart <= 0) {
    throw new Error(`shared/workers.ts has no monolith row to add the payments row before`);
  }
  writeFileSync(path, table.slice(0, rowStart) + paymentsRow(blueSide) + table.slice(rowStart));
}

/** docs/adding-a-service.md, "What you touch", step by step; answers the migration's file name. */
function addPayments(copy: string, options: { blueSide: boolean; stagingWeight?: number }): string {
  if (existsSync(join(copy, SERVICE_FOLDER))) {
    throw new Error(
      `this checkout already has ${SERVICE_FOLDER}, so the example cannot be added to it again; give the example in test/support/payments-service.ts a name no service has`,
    );
  }
  for (const [path, text] of Object.entries(PAYMENTS_FOLDER)) writeFile(copy, path, text);
  addRow(copy, options.blueSide);
  const migration = nextMigrationPath(copy);
  writeFile(copy, migration, PAYMENTS_MIGRATION_SQL);
  if (options.stagingWeight !== undefined) {
    const weight = String(options.stagingWeight);
    const args = ["--stack", "staging", "--service", "payments", "--to", weight, "--no-plan"];
    tsx(copy, "cli/rollout/main.ts", args);
  }
  appendFileSync(
    join(copy, ".github/CODEOWNERS"),
    "/services/payments/     @pitch/payments-team\n",
  );
  return migration;
}

/** Paths `git status` shows as changed or new, outside the service's own folder. */
function touchedOutsideFolder(copy: string): string[] {
  return git(copy, "status", "--porcelain", "--untracked-files=all")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(3))
    .filter((path) => !path.startsWith(SERVICE_FOLDER))
    .sort();
}

/**
 * What `npm test` runs that adding a service can break, in the copy: the whole type check, the
 * lint of what the doc has you write, the service's own tests, the two rules the doc says a new
 * service must satisfy (import rules, CODEOWNERS) and the tests that read the table.
 */
function checkCopy(copy: string): void {
  expect(typeErrors(copy)).toEqual([]);
  run(copy, process.execPath, [
    "node_modules/@biomejs/biome/bin/biome",
    "check",
    SERVICE_FOLDER,
    "shared",
  ]);
  const rules = ["test/import-rules.test.ts", "test/workflows.test.ts"];
  const tests = [SERVICE_FOLDER, ...rules, ...TESTS_THAT_READ_THE_TABLE];
  const vitest = ["node_modules/vitest/vitest.mjs", "run", ...tests];
  const summary = stripVTControlCharacters(run(copy, process.execPath, vitest));
  expect(summary).toContain("services/payments/src/payments.test.ts (3 tests)");
  const files = 1 + rules.length + TESTS_THAT_READ_THE_TABLE.length;
  expect(summary).toMatch(new RegExp(`Test Files +${files} passed \\(${files}\\)`));
}

const offlinePlan = (copy: string): OfflinePlan =>
  JSON.parse(tsx(copy, "cli/plan/main.ts", ["--stack", "staging", "--json"]));

function workerIn(plan: OfflinePlan, name: string): PlannedWorkerView {
  const worker = plan.workers.find((w) => w.name === name);
  if (!worker)
    throw new Error(`the plan has no worker "${name}"; it has ${plan.workers.map((w) => w.name)}`);
  return worker;
}

/** The copy's `"$service"` budget, which a service without a line of its own is held to. */
function serviceBudget(copy: string) {
  const budgets = JSON.parse(readFileSync(join(copy, "bundle-budgets.json"), "utf8"));
  return budgets.$service as { maxBytes: number; maxGzipBytes: number };
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** `npm start` in the copy on a free port; resolves at the ready line, rejects if it exits first. */
async function startPlatform(copy: string, state: string, args: string[]): Promise<Started> {
  const port = await freePort();
  const script = ["--import", "tsx", "cli/local/main.ts", "--port", String(port)];
  const child = spawn(process.execPath, [...script, "--state", state, ...args], {
    cwd: copy,
    env: childEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    child.stdout?.on("data", () => {
      const match = READY.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

/** SIGTERM, then the exit code (SIGKILL after 20 s). */
async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return child.exitCode;
  }
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await exited;
  clearTimeout(timer);
  children.delete(child);
  return code;
}

async function request(url: string, init: { method?: string; token?: string; body?: unknown }) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(15_000),
  });
  return {
    status: response.status,
    servedBy: response.headers.get("x-served-by"),
    json: await response.json(),
  };
}

async function registerUser(url: string): Promise<string> {
  const email = `payments-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const body = { email, password: "payments-password-1", name: "Payer", role: "investor" };
  const answer = await request(`${url}/api/auth/register`, { method: "POST", body });
  expect(answer.status, JSON.stringify(answer.json)).toBe(201);
  return answer.json.token as string;
}

afterAll(async () => {
  await Promise.all([...children].map(stop));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe("adding payments with a blue side, at weight 50 in staging", () => {
  let copy: string;
  let before: OfflinePlan;
  let after: OfflinePlan;
  let touched: string[];
  let migration: string;

  beforeAll(() => {
    copy = copyOfCheckout();
    before = offlinePlan(copy);
    migration = addPayments(copy, { blueSide: true, stagingWeight: 50 });
    touched = touchedOutsideFolder(copy);
    after = offlinePlan(copy);
  }, TEST_TIMEOUT_MS);

  it("touches a row, a migration, a weight and an owner outside the folder, and no test", () => {
    expect(touched.length, touched.join(", ")).toBeLessThanOrEqual(MAX_FILES_OUTSIDE_FOLDER);
    expect(touched.filter((path) => path.endsWith(".test.ts"))).toEqual([]);
    expect(touched).toEqual(
      [".github/CODEOWNERS", "Pulumi.staging.yaml", migration, "shared/workers.ts"].sort(),
    );
  });

  it(
    "type-checks, lints, and passes its tests, the rules and the tests that read the table",
    () => checkCopy(copy),
    TEST_TIMEOUT_MS,
  );

  it("is in the offline plan: its script within the services' budget, routed, at weight 50", () => {
    const payments = workerIn(after, "payments");
    const budget = serviceBudget(copy);
    expect(payments.scriptName).toBe("pitch-staging-payments");
    expect(payments.budget).toEqual(budget);
    expect(payments.gzipBytes).toBeLessThanOrEqual(budget.maxGzipBytes);
    expect(payments.bytes).toBeLessThanOrEqual(budget.maxBytes);
    // A service with no extra bindings (analytics has its rate limit): only the database.
    expect(payments.bindings).toEqual(workerIn(after, "browse").bindings);

    const router = workerIn(after, "router");
    expect(router.bindings).toContain("PAYMENTS → service pitch-staging-payments");
    expect(router.config?.routes).toContainEqual({ prefix: "/api/payments", target: "payments" });
    expect(router.config?.rollout).toMatchObject({ payments: 50 });
    expect(after.rollout.payments).toBe(50);

    const migrations = after.migrations.map((m) => m.name);
    expect(migrations).toEqual([...before.migrations.map((m) => m.name), basename(migration)]);
    expect(after.resources).toContainEqual(
      expect.objectContaining({ type: "WorkersScript", detail: "pitch-staging-payments" }),
    );
  });

  it("rebuilds the monolith that mounts it; the other services' code is unchanged", () => {
    // The router's script changes through its bindings and CONFIG (above); its code need not, and
    // whether its minified bundle shifts with the table is an accident of the minifier.
    const changed = before.workers
      .filter((worker) => worker.sha256 !== workerIn(after, worker.name).sha256)
      .map((worker) => worker.name);
    expect(changed.filter((name) => name !== "router")).toEqual(["monolith"]);
  });

  it(
    "runs locally: served by payments at 100, by the stand-in monolith at 0, on the same data",
    async () => {
      const state = tempDir("add-a-service-state-");
      const green = await startPlatform(copy, state, ["--rollout", "payments=100"]);
      let token: string;
      try {
        expect(green.output()).toMatch(/\n {2}payments +\d+\.\d KB .*100% here, 0% monolith/);
        token = await registerUser(green.url);
        const body = { amount: 4200, currency: "EUR" };
        const created = await request(`${green.url}/api/payments`, {
          method: "POST",
          token,
          body,
        });
        expect(created.status, JSON.stringify(created.json)).toBe(201);
        expect(created.servedBy).toBe("payments");
        const listed = await request(`${green.url}/api/payments`, { token });
        expect(listed.status).toBe(200);
        expect(listed.servedBy).toBe("payments");
        expect(listed.json.items).toEqual([created.json.payment]);
      } finally {
        expect(await stop(green.child)).toBe(0);
      }

      const blue = await startPlatform(copy, state, ["--rollout", "payments=0"]);
      try {
        expect(blue.output()).toMatch(/\n {2}payments +.*0% here, 100% monolith/);
        const listed = await request(`${blue.url}/api/payments`, { token });
        expect(listed.status).toBe(200);
        expect(listed.servedBy).toBe("monolith");
        expect(listed.json.items.map((p: { amount: number }) => p.amount)).toEqual([4200]);
      } finally {
        expect(await stop(blue.child)).toBe(0);
      }
    },
    TEST_TIMEOUT_MS,
  );
});

describe("adding payments as new functionality (blueSide: false)", () => {
  let copy: string;
  let before: OfflinePlan;
  let after: OfflinePlan;
  let touched: string[];
  let migration: string;

  beforeAll(() => {
    copy = copyOfCheckout();
    before = offlinePlan(copy);
    migration = addPayments(copy, { blueSide: false });
    touched = touchedOutsideFolder(copy);
    after = offlinePlan(copy);
  }, TEST_TIMEOUT_MS);

  it("touches a row, a migration and an owner outside the folder, and no test", () => {
    expect(touched.length, touched.join(", ")).toBeLessThanOrEqual(MAX_FILES_OUTSIDE_FOLDER);
    expect(touched).toEqual([".github/CODEOWNERS", migration, "shared/workers.ts"].sort());
  });

  it(
    "type-checks, lints, and passes its tests, the rules and the tests that read the table",
    () => checkCopy(copy),
    TEST_TIMEOUT_MS,
  );

  it("is always at 100 with no split, and the monolith does not mount it", () => {
    const router = workerIn(after, "router");
    expect(router.config?.routes).toContainEqual({
      prefix: "/api/payments",
      target: "payments",
      blueSide: false,
    });
    expect(after.rollout.payments).toBe(100);
    expect(workerIn(after, "monolith").sha256).toBe(workerIn(before, "monolith").sha256);
  });

  it(
    "refuses a weight for it, naming the key",
    () => {
      const rollout = ["cli/rollout/main.ts", "--stack", "staging", "--service", "payments"];
      const command = failingTsx(copy, [...rollout, "--to", "50", "--no-plan"]);
      expect(command.stderr).toContain("--service payments has no blue side");

      // Set by hand, the weight stops the plan (and so `pulumi preview`) with the config's message.
      const stackFile = join(copy, "Pulumi.staging.yaml");
      const pristine = readFileSync(stackFile, "utf8");
      const withWeight = pristine.replace(/^ {2}platform:rollout:\n/m, "$&    payments: 50\n");
      expect(withWeight).not.toBe(pristine);
      writeFileSync(stackFile, withWeight);
      try {
        const plan = failingTsx(copy, ["cli/plan/main.ts", "--stack", "staging", "--json"]);
        expect(plan.stderr).toContain("platform:rollout.payments cannot be set");
      } finally {
        writeFileSync(stackFile, pristine);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "runs locally, served by payments only",
    async () => {
      const platform = await startPlatform(copy, tempDir("add-a-service-state-"), []);
      try {
        expect(platform.output()).toMatch(/\n {2}payments +.*100% here \(new: no blue side\)/);
        const token = await registerUser(platform.url);
        const listed = await request(`${platform.url}/api/payments`, { token });
        expect(listed.status).toBe(200);
        expect(listed.servedBy).toBe("payments");
        expect(listed.json).toEqual({ items: [], nextCursor: null });
      } finally {
        expect(await stop(platform.child)).toBe(0);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
