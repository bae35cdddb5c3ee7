// applyMigrations against a real Miniflare D1: fresh, partial, re-run, adopted from wrangler,
// an edited applied file, a failing statement (all-or-nothing per file over a binding) and, over an
// executor without atomic batches, progress per statement.

import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { Miniflare } from "miniflare";
import { afterEach, describe, expect, it } from "vitest";
import type { D1Database } from "../../shared/d1.ts";
import { applyMigrations, MigrationError } from "./apply.ts";
import { d1Executor } from "./d1-binding.ts";
import { loadMigrations, type Migration, splitStatements } from "./files.ts";

const REAL_MIGRATIONS = loadMigrations(resolve(import.meta.dirname, "../../shared/migrations"));

function migration(name: string, sql: string): Migration {
  return {
    name,
    sql,
    sha256: createHash("sha256").update(sql).digest("hex"),
    statements: splitStatements(sql),
  };
}

const ALPHA = migration("0001_alpha.sql", "CREATE TABLE alpha (id INTEGER PRIMARY KEY);");
const BETA = migration(
  "0002_beta.sql",
  "CREATE TABLE beta (id INTEGER PRIMARY KEY);\nINSERT INTO beta (id) VALUES (1);",
);
const GAMMA = migration("0003_gamma.sql", "CREATE INDEX alpha_id ON alpha (id);");

let running: Miniflare | undefined;

async function freshDatabase(): Promise<D1Database> {
  running = new Miniflare({
    cf: false,
    modules: true,
    compatibilityDate: "2025-09-01",
    script: "export default { fetch() { return new Response(null, { status: 204 }) } }",
    d1Databases: { DB: "migrate-test" },
  });
  return (await running.getD1Database("DB")) as unknown as D1Database;
}

afterEach(async () => {
  await running?.dispose();
  running = undefined;
});

async function tableNames(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all<{ name: string }>();
  return results.map((row) => row.name);
}

async function appliedNames(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT name FROM d1_migrations ORDER BY id")
    .all<{ name: string }>();
  return results.map((row) => row.name);
}

describe("applyMigrations", () => {
  it("applies every real migration to a fresh database, recorded as wrangler records them", async () => {
    const db = await freshDatabase();
    const report = await applyMigrations(d1Executor(db), REAL_MIGRATIONS);
    expect(report.applied).toEqual(REAL_MIGRATIONS.map((m) => m.name));
    expect(await appliedNames(db)).toEqual(REAL_MIGRATIONS.map((m) => m.name));
    const columns = await db.prepare("PRAGMA table_info(d1_migrations)").all<{ name: string }>();
    expect(columns.results.map((c) => c.name)).toEqual(["id", "name", "applied_at"]);
    expect(await tableNames(db)).toEqual(
      expect.arrayContaining(["users", "pitches", "offers", "d1_migrations_sha256"]),
    );
  });

  it("runs only the pending files when some are applied, and a re-run is a no-op", async () => {
    const db = await freshDatabase();
    const executor = d1Executor(db);
    await applyMigrations(executor, [ALPHA]);
    const second = await applyMigrations(executor, [ALPHA, BETA, GAMMA]);
    expect(second).toEqual({
      applied: ["0002_beta.sql", "0003_gamma.sql"],
      unchanged: ["0001_alpha.sql"],
      adopted: [],
      resumed: [],
    });
    const third = await applyMigrations(executor, [GAMMA, BETA, ALPHA]);
    expect(third.applied).toEqual([]);
    expect(third.unchanged).toEqual(["0001_alpha.sql", "0002_beta.sql", "0003_gamma.sql"]);
    expect(await appliedNames(db)).toEqual(["0001_alpha.sql", "0002_beta.sql", "0003_gamma.sql"]);
    const rows = await db.prepare("SELECT count(*) AS n FROM beta").first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });

  it("adopts files wrangler applied before hashes were tracked", async () => {
    const db = await freshDatabase();
    await db.exec(
      "CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)",
    );
    await db.exec("CREATE TABLE alpha (id INTEGER PRIMARY KEY)");
    await db.exec("INSERT INTO d1_migrations (name) VALUES ('0001_alpha.sql')");
    const report = await applyMigrations(d1Executor(db), [ALPHA, BETA]);
    expect(report).toEqual({
      applied: ["0002_beta.sql"],
      unchanged: [],
      adopted: ["0001_alpha.sql"],
      resumed: [],
    });
    const again = await applyMigrations(d1Executor(db), [ALPHA, BETA]);
    expect(again.unchanged).toEqual(["0001_alpha.sql", "0002_beta.sql"]);
  });

  it("refuses an applied file whose content changed, naming it, and applies nothing", async () => {
    const db = await freshDatabase();
    const executor = d1Executor(db);
    await applyMigrations(executor, [ALPHA]);
    const edited = migration("0001_alpha.sql", "CREATE TABLE alpha (id INTEGER PRIMARY KEY, x);");
    const attempt = applyMigrations(executor, [edited, BETA]);
    await expect(attempt).rejects.toThrow(MigrationError);
    await expect(attempt).rejects.toThrow(
      /migration "0001_alpha\.sql" was changed after it was applied/,
    );
    expect(await appliedNames(db)).toEqual(["0001_alpha.sql"]);
    expect(await tableNames(db)).not.toContain("beta");
  });

  it("stops at a failing statement, naming the file and the statement; the file is all-or-nothing", async () => {
    const db = await freshDatabase();
    const broken = migration(
      "0002_broken.sql",
      [
        "CREATE TABLE delta (id INTEGER PRIMARY KEY);",
        "INSERT INTO delta (id) VALUES (1);",
        "INSERT INTO missing_table (id) VALUES (1);",
        "CREATE TABLE epsilon (id INTEGER);",
      ].join("\n"),
    );
    const attempt = applyMigrations(d1Executor(db), [ALPHA, broken, GAMMA]);
    await expect(attempt).rejects.toThrow(
      /migration "0002_broken\.sql" failed at statement 3 of 4: .*no such table: missing_table[\s\S]*INSERT INTO missing_table \(id\) VALUES \(1\)/,
    );
    expect(await appliedNames(db)).toEqual(["0001_alpha.sql"]);
    const tables = await tableNames(db);
    expect(tables).toContain("alpha");
    expect(tables).not.toContain("delta");
    expect(tables).not.toContain("epsilon");
  });

  it("finds a failing first statement too", async () => {
    const db = await freshDatabase();
    const broken = migration("0001_typo.sql", "CREATE TABLE zeta (;\nCREATE TABLE eta (id);");
    await expect(applyMigrations(d1Executor(db), [broken])).rejects.toThrow(
      /"0001_typo\.sql" failed at statement 1 of 2/,
    );
    expect(await appliedNames(db)).toEqual([]);
  });

  it("over an executor without atomic batches, resumes a stopped file and refuses one whose applied part changed", async () => {
    const db = await freshDatabase();
    const stepwise = { ...d1Executor(db), atomic: false };
    const broken = migration(
      "0002_beta.sql",
      "CREATE TABLE beta (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);",
    );
    await expect(applyMigrations(stepwise, [ALPHA, broken])).rejects.toThrow(
      /"0002_beta\.sql" stopped at statement 2 of 2: .*no such table: nowhere[\s\S]*statements 1-1 of it are applied/,
    );
    const renamed = migration(
      "0002_beta.sql",
      "CREATE TABLE beta2 (id INTEGER PRIMARY KEY);\nINSERT INTO beta2 (id) VALUES (1);",
    );
    await expect(applyMigrations(stepwise, [ALPHA, renamed])).rejects.toThrow(
      '"0002_beta.sql" stopped after statement 1 in an earlier run, and statements 1-1 (already applied) have changed since',
    );
    const report = await applyMigrations(stepwise, [ALPHA, BETA]);
    expect(report).toMatchObject({
      applied: ["0002_beta.sql"],
      resumed: ["0002_beta.sql (from statement 2)"],
    });
    expect(await appliedNames(db)).toEqual(["0001_alpha.sql", "0002_beta.sql"]);
  });
});
