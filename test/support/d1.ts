// A real local D1 (Miniflare) with every migration applied, for service tests.

import { resolve } from "node:path";
import { Miniflare } from "miniflare";
import { loadMigrations } from "../../infra/migrations/files.ts";
import type { D1Database } from "../../shared/d1.ts";

export const MIGRATIONS_DIR = resolve(import.meta.dirname, "../../shared/migrations");

export interface TestDatabase {
  db: D1Database;
  dispose(): Promise<void>;
}

/** A fresh in-memory D1 database with the schema applied. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const mf = new Miniflare({
    modules: true,
    compatibilityDate: "2025-09-01",
    script: "export default { fetch() { return new Response(null, { status: 204 }) } }",
    d1Databases: { DB: "test" },
  });
  const db = (await mf.getD1Database("DB")) as unknown as D1Database;
  await applyMigrations(db);
  return { db, dispose: () => mf.dispose() };
}

export async function applyMigrations(db: D1Database): Promise<void> {
  for (const migration of loadMigrations(MIGRATIONS_DIR)) {
    await db.batch(migration.statements.map((statement) => db.prepare(statement)));
  }
}
