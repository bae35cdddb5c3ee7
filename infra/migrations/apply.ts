// Applies D1 migrations through a minimal executor, so the local platform (a Miniflare D1 binding)
// and `pulumi up` (the D1 HTTP API) share one planner. Pure of Pulumi.

import type { Migration } from "./files.ts";

/**
 * What applyMigrations needs from a database. Keep it this small: a D1 binding, the D1 HTTP API
 * (`/query` with a list of statements) and a test double can all provide it.
 */
export interface MigrationExecutor {
  /** Runs one read statement and returns its rows as plain objects. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * Runs statements (no parameters) as one batch: either all of them commit or none do. Rejects
   * when any statement fails; the error's message should carry the database's own message.
   */
  run(statements: string[]): Promise<void>;
}

export interface MigrationReport {
  /** Files applied by this call, in order. */
  applied: string[];
  /** Files that were applied before and are unchanged. */
  unchanged: string[];
  /** Files applied before this tool tracked hashes (e.g. by wrangler); their hash is now recorded. */
  adopted: string[];
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

const CREATE_TABLES = [
  `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${HASHES_TABLE}(name TEXT PRIMARY KEY, sha256 TEXT NOT NULL)`,
];

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
): MigrationPlan {
  const plan: MigrationPlan = { pending: [], unchanged: [], adopted: [], problems: [] };
  const ordered = [...migrations].sort((a, b) => a.name.localeCompare(b.name));
  for (const migration of ordered) {
    if (!appliedNames.has(migration.name)) {
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
  const plan = planMigrations(
    migrations,
    new Set(appliedRows.map((row) => String(row.name))),
    new Map(hashRows.map((row) => [String(row.name), String(row.sha256)])),
  );
  if (plan.problems.length > 0) throw new MigrationError(plan.problems.join("\n"));
  if (plan.adopted.length > 0) {
    await executor.run(plan.adopted.map((m) => recordHash(m)));
  }
  for (const migration of plan.pending) {
    const bookkeeping = [
      `INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES (${sqlText(migration.name)})`,
      recordHash(migration),
    ];
    try {
      await executor.run([...migration.statements, ...bookkeeping]);
    } catch (error) {
      throw await failureOf(executor, migration, error);
    }
  }
  return {
    applied: plan.pending.map((m) => m.name),
    unchanged: plan.unchanged.map((m) => m.name),
    adopted: plan.adopted.map((m) => m.name),
  };
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
