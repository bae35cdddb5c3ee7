// Applies D1 migrations through a minimal executor, so the local platform (a Miniflare D1 binding)
// and `pulumi up` (the D1 HTTP API) share one planner. Pure of Pulumi.

import { type Migration, statementsHash } from "./files.ts";

/**
 * What applyMigrations needs from a database. Keep it this small: a D1 binding, the D1 HTTP API
 * (`/query` with a list of statements) and a test double can all provide it.
 */
export interface MigrationExecutor {
  /** Runs one read statement and returns its rows as plain objects. Parameters are text, as the API takes them. */
  query(sql: string, params?: string[]): Promise<Record<string, unknown>[]>;
  /**
   * Runs statements (no parameters) as one request. Rejects when any statement fails; the error's
   * message should carry the database's own message.
   */
  run(statements: string[]): Promise<void>;
  /**
   * Whether `run` is all-or-nothing. True for a Worker's D1 binding (`batch()` is one
   * transaction, as documented). The HTTP API's `/query` documents no such promise, so over it a
   * file is applied one statement at a time with its progress recorded.
   */
  atomic: boolean;
}

export interface MigrationReport {
  /** Files applied by this call, in order. */
  applied: string[];
  /** Files that were applied before and are unchanged. */
  unchanged: string[];
  /** Files applied before this tool tracked hashes (e.g. by wrangler); their hash is now recorded. */
  adopted: string[];
  /** Files a cut-off earlier run left half applied, finished by this call: `name (from statement k)`. */
  resumed: string[];
}

/** A migration problem; the message names the file (and the statement, when one failed). */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

/** The table wrangler keeps, in wrangler's exact form, so `wrangler d1 migrations list` agrees. */
export const MIGRATIONS_TABLE = "d1_migrations";
/** Our side table: the sha256 of each applied file, to catch edits to applied migrations. */
export const HASHES_TABLE = "d1_migrations_sha256";
/** Our side table: how far a file applied one statement at a time has got (a row while unfinished). */
export const PROGRESS_TABLE = "d1_migrations_progress";

const CREATE_TABLES = [
  `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${HASHES_TABLE}(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${PROGRESS_TABLE}(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, statements_done INTEGER NOT NULL)`,
];

/** How far an unfinished file got: the statements applied and the sha256 of exactly those. */
export interface Progress {
  sha256: string;
  done: number;
}

export interface MigrationPlan {
  pending: Migration[];
  unchanged: Migration[];
  adopted: Migration[];
  /** One line per applied file whose content changed since. */
  problems: string[];
}

/** Decides what to run from the files and what the database records. Pure. */
export function planMigrations(
  migrations: readonly Migration[],
  appliedNames: ReadonlySet<string>,
  recordedHashes: ReadonlyMap<string, string>,
  progress: ReadonlyMap<string, Progress> = new Map(),
): MigrationPlan {
  const plan: MigrationPlan = { pending: [], unchanged: [], adopted: [], problems: [] };
  const ordered = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  for (const migration of ordered) {
    if (!appliedNames.has(migration.name)) {
      const started = progress.get(migration.name);
      const appliedPart = started && migration.statements.slice(0, started.done);
      if (started && statementsHash(appliedPart ?? []) !== started.sha256) {
        plan.problems.push(
          `migration "${migration.name}" stopped after statement ${started.done} in an earlier run, and statements 1-${started.done} (already applied) have changed since; restore them, and put the change in a new migration file`,
        );
      }
      plan.pending.push(migration);
      continue;
    }
    const recorded = recordedHashes.get(migration.name);
    if (recorded === undefined) plan.adopted.push(migration);
    else if (recorded === migration.sha256) plan.unchanged.push(migration);
    else {
      plan.problems.push(
        `migration "${migration.name}" was changed after it was applied (sha256 ${recorded.slice(0, 12)}… recorded, ${migration.sha256.slice(0, 12)}… on disk); restore it and put the change in a new migration file`,
      );
    }
  }
  return plan;
}

/**
 * Brings the database up to date: records wrangler's table and our hash table, refuses edited
 * applied files, then runs each pending file with its bookkeeping as one all-or-nothing batch.
 */
export async function applyMigrations(
  executor: MigrationExecutor,
  migrations: readonly Migration[],
): Promise<MigrationReport> {
  await executor.run(CREATE_TABLES);
  const appliedRows = await executor.query(`SELECT name FROM ${MIGRATIONS_TABLE}`);
  const hashRows = await executor.query(`SELECT name, sha256 FROM ${HASHES_TABLE}`);
  const progressRows = await executor.query(
    `SELECT name, sha256, statements_done FROM ${PROGRESS_TABLE}`,
  );
  const progress = new Map(
    progressRows.map((row) => [
      String(row.name),
      { sha256: String(row.sha256), done: Number(row.statements_done) },
    ]),
  );
  const plan = planMigrations(
    migrations,
    new Set(appliedRows.map((row) => String(row.name))),
    new Map(hashRows.map((row) => [String(row.name), String(row.sha256)])),
    progress,
  );
  if (plan.problems.length > 0) throw new MigrationError(plan.problems.join("\n"));
  // A file whose last step (recording it) went through while clearing its progress did not.
  const finished = [...progress.keys()].filter(
    (name) => !plan.pending.some((m) => m.name === name),
  );
  if (finished.length > 0) {
    await executor.run(
      finished.map((name) => `DELETE FROM ${PROGRESS_TABLE} WHERE name = ${sqlText(name)}`),
    );
  }
  if (plan.adopted.length > 0) {
    await executor.run(plan.adopted.map((m) => recordHash(m)));
  }
  const resumed: string[] = [];
  for (const migration of plan.pending) {
    const started = progress.get(migration.name);
    if (started) resumed.push(`${migration.name} (from statement ${started.done + 1})`);
    if (executor.atomic && !started) await applyWhole(executor, migration);
    else await applyStepwise(executor, migration, started?.done);
  }
  return {
    applied: plan.pending.map((m) => m.name),
    unchanged: plan.unchanged.map((m) => m.name),
    adopted: plan.adopted.map((m) => m.name),
    resumed,
  };
}

/** The statements that record a file as applied, wrangler's way plus our hash. */
function recorded(migration: Migration): string[] {
  return [
    `INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES (${sqlText(migration.name)})`,
    recordHash(migration),
    `DELETE FROM ${PROGRESS_TABLE} WHERE name = ${sqlText(migration.name)}`,
  ];
}

/** The whole file and its bookkeeping as one all-or-nothing batch. */
async function applyWhole(executor: MigrationExecutor, migration: Migration): Promise<void> {
  try {
    await executor.run([...migration.statements, ...recorded(migration)]);
  } catch (error) {
    throw await failureOf(executor, migration, error);
  }
}

/**
 * One statement per request, each with its progress, so a request cut off half way is noticed:
 * the next run starts at the first statement not recorded as done, and stops (naming the file and
 * the statement) rather than skipping anything when that statement cannot run again.
 */
async function applyStepwise(
  executor: MigrationExecutor,
  migration: Migration,
  alreadyDone: number | undefined,
): Promise<void> {
  const name = sqlText(migration.name);
  const total = migration.statements.length;
  if (alreadyDone === undefined) {
    await executor.run([
      `INSERT INTO ${PROGRESS_TABLE} (name, sha256, statements_done) VALUES (${name}, ${sqlText(statementsHash([]))}, 0)`,
    ]);
  }
  for (let index = alreadyDone ?? 0; index < total; index++) {
    const statement = migration.statements[index] ?? "";
    try {
      await executor.run([
        statement,
        `UPDATE ${PROGRESS_TABLE} SET statements_done = ${index + 1}, sha256 = ${sqlText(statementsHash(migration.statements.slice(0, index + 1)))} WHERE name = ${name}`,
      ]);
    } catch (error) {
      const shown = statement.length > 300 ? `${statement.slice(0, 300)}…` : statement;
      const retried =
        index === alreadyDone
          ? `\nit is the first statement the last run did not record as done: if that run was cut off after D1 applied it, check the database; when it is in place, record it with \`UPDATE ${PROGRESS_TABLE} SET statements_done = ${index + 1}, sha256 = ${sqlText(statementsHash(migration.statements.slice(0, index + 1)))} WHERE name = ${name}\` (wrangler d1 execute --remote) and run again`
          : "";
      throw new MigrationError(
        `migration "${migration.name}" stopped at statement ${index + 1} of ${total}: ${messageOf(error)}\n  ${shown}\nstatements 1-${index} of it are applied and recorded in ${PROGRESS_TABLE}; the next run resumes at statement ${index + 1}${retried}`,
      );
    }
  }
  try {
    await executor.run(recorded(migration));
  } catch (error) {
    throw new MigrationError(
      `migration "${migration.name}": all ${total} statements are applied, but recording it in ${MIGRATIONS_TABLE} failed: ${messageOf(error)}; run again to record it`,
    );
  }
}

function recordHash(migration: Migration): string {
  return `INSERT OR REPLACE INTO ${HASHES_TABLE} (name, sha256) VALUES (${sqlText(migration.name)}, ${sqlText(migration.sha256)})`;
}

function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A statement that always fails with a recognisable message, so a probe batch never commits. */
const PROBE_TABLE = "d1_migrations_probe_never_exists";
const PROBE = `SELECT * FROM ${PROBE_TABLE}`;

/**
 * Batches rarely say which statement failed, so find it: replay growing prefixes of the file,
 * each closed by PROBE so the batch always rolls back, and binary-search the first prefix that
 * fails with an error other than PROBE's. Costs about log2(statements) extra batches.
 */
async function failureOf(
  executor: MigrationExecutor,
  migration: Migration,
  error: unknown,
): Promise<MigrationError> {
  const reason = messageOf(error);
  const prefixFails = async (count: number): Promise<string | undefined> => {
    try {
      await executor.run([...migration.statements.slice(0, count), PROBE]);
      return "probe statement unexpectedly succeeded";
    } catch (probeError) {
      const message = messageOf(probeError);
      return message.includes(PROBE_TABLE) ? undefined : message;
    }
  };
  let failing: { index: number; reason: string } | undefined;
  let low = 1;
  let high = migration.statements.length;
  // Invariant: prefixes shorter than `low` pass; the whole file (length `high`) may fail.
  for (let step = 0; low <= high && step < 64; step++) {
    const middle = Math.floor((low + high) / 2);
    const failure = await prefixFails(middle);
    if (failure === undefined) low = middle + 1;
    else {
      failing = { index: middle - 1, reason: failure };
      high = middle - 1;
    }
  }
  if (!failing) {
    return new MigrationError(
      `migration "${migration.name}" failed while recording it in ${MIGRATIONS_TABLE}: ${reason}; nothing of it was applied`,
    );
  }
  const statement = migration.statements[failing.index] ?? "";
  const shown = statement.length > 300 ? `${statement.slice(0, 300)}…` : statement;
  return new MigrationError(
    `migration "${migration.name}" failed at statement ${failing.index + 1} of ${migration.statements.length}: ${failing.reason}\n  ${shown}\nnothing of it was applied; fix the file and run again`,
  );
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
