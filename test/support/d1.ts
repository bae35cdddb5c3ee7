// A real local D1 (Miniflare) with every migration applied, for service tests.

import { resolve } from "node:path";
import { Miniflare } from "miniflare";
import { loadMigrations } from "../../infra/migrations/files.ts";
import type { D1Database } from "../../shared/d1.ts";
import {
  RATE_LIMITS,
  type RateLimitBindings,
  type RateLimitName,
  type RateLimitPeriod,
} from "../../shared/rate-limits.ts";

export const MIGRATIONS_DIR = resolve(import.meta.dirname, "../../shared/migrations");

export interface TestDatabase {
  db: D1Database;
  /** workerd's own rate limiting bindings, when asked for, under their deployed names. */
  rateLimits: RateLimitBindings;
  dispose(): Promise<void>;
}

/** Requests allowed per period, per limit: the ones a test wants enforced. */
export type TestRateLimits = Partial<
  Record<RateLimitName, { limit: number; period?: RateLimitPeriod }>
>;

/** A fresh in-memory D1 database with the schema applied, and any rate limits asked for. */
export async function createTestDatabase(limits: TestRateLimits = {}): Promise<TestDatabase> {
  const entries = Object.entries(limits) as [RateLimitName, { limit: number; period?: 10 | 60 }][];
  const mf = new Miniflare({
    modules: true,
    compatibilityDate: "2025-09-01",
    script: "export default { fetch() { return new Response(null, { status: 204 }) } }",
    d1Databases: { DB: "test" },
    ratelimits: Object.fromEntries(
      entries.map(([name, { limit, period = 60 }]) => [
        RATE_LIMITS[name].binding,
        { simple: { limit, period } },
      ]),
    ),
  });
  const db = (await mf.getD1Database("DB")) as unknown as D1Database;
  await applyMigrations(db);
  const bindings = await mf.getBindings<Record<string, unknown>>();
  const rateLimits: Record<string, unknown> = {};
  for (const [name, { period = 60 }] of entries) {
    rateLimits[RATE_LIMITS[name].binding] = bindings[RATE_LIMITS[name].binding];
    rateLimits.RATE_LIMITS = { ...(rateLimits.RATE_LIMITS as object), [name]: { period } };
  }
  return { db, rateLimits: rateLimits as RateLimitBindings, dispose: () => mf.dispose() };
}

export async function applyMigrations(db: D1Database): Promise<void> {
  for (const migration of loadMigrations(MIGRATIONS_DIR)) {
    await db.batch(migration.statements.map((statement) => db.prepare(statement)));
  }
}
