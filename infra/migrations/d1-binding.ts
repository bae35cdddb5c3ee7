// The migration executor over a D1 binding (Miniflare's locally; the same calls work inside a
// Worker). A D1 batch runs as one transaction, which gives `run` its all-or-nothing promise.

import type { D1Database } from "../../shared/d1.ts";
import type { MigrationExecutor } from "./apply.ts";

export function d1Executor(db: D1Database): MigrationExecutor {
  return {
    atomic: true,
    async query(sql, params = []) {
      const result = await db
        .prepare(sql)
        .bind(...params)
        .all();
      return result.results;
    },
    async run(statements) {
      if (statements.length === 0) return;
      await db.batch(statements.map((statement) => db.prepare(statement)));
    },
  };
}
