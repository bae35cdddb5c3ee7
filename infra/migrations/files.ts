// The D1 migrations: ordered SQL files in shared/migrations, each with its sha256 (a changed
// file that was already applied is an error) and split into statements D1 can run one by one.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Migration {
  /** File name, e.g. `0002_creator_pitches.sql`; the order is the name's. */
  name: string;
  sql: string;
  sha256: string;
  statements: string[];
}

const MIGRATION_FILE = /^\d{4}_[a-z0-9_]+\.sql$/;

export function loadMigrations(dir: string): Migration[] {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .sort();
  return names.map((name) => {
    if (!MIGRATION_FILE.test(name)) {
      throw new Error(
        `migration "${join(dir, name)}" must be named like 0007_owner_what.sql (4 digits, lowercase)`,
      );
    }
    const sql = readFileSync(join(dir, name), "utf8");
    return {
      name,
      sql,
      sha256: createHash("sha256").update(sql).digest("hex"),
      statements: splitStatements(sql),
    };
  });
}

/**
 * Splits SQL into statements on top-level `;`, keeping quoted text, comments and trigger bodies
 * (`BEGIN ... END;`) intact. Comments are dropped; D1 refuses a statement that is only a comment.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = "";
  let i = 0;
  const flush = () => {
    const statement = current.trim();
    if (statement) statements.push(statement);
    current = "";
  };
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
      continue;
    }
    if (ch === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === "`") {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch && sql[j + 1] === ch) j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      current += sql.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (ch === ";" && !insideTriggerBody(current)) {
      flush();
      i++;
      continue;
    }
    current += ch;
    i++;
  }
  flush();
  return statements;
}

function insideTriggerBody(statement: string): boolean {
  const text = statement.toUpperCase();
  if (!/^\s*CREATE\s+(TEMP\s+|TEMPORARY\s+)?TRIGGER\b/.test(text)) return false;
  if (!/\bBEGIN\b/.test(text)) return false;
  return !/\bEND\s*$/.test(text);
}

/** The sha256 of a file's first statements, to tell whether what an earlier run applied is unchanged. */
export function statementsHash(statements: readonly string[]): string {
  return createHash("sha256").update(statements.join("\n;\n")).digest("hex");
}
