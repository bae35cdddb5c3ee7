// Applies the D1 migrations on `pulumi up` (a dynamic resource): pending files run in order through
// the D1 HTTP API, recorded the way wrangler records them. Preview lists the pending files.

import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as esbuild from "esbuild";
import type { Migration } from "../migrations/files.ts";

export interface D1MigrationsArgs {
  /** Cloudflare account that owns the database. */
  accountId: pulumi.Input<string>;
  /** UUID of the D1 database (the created one's id, or the adopted monolith database). */
  databaseId: pulumi.Input<string>;
  /** Every migration file in order, as `loadMigrations` returns them. */
  migrations: readonly Migration[];
}

/** One migration as kept in state: its name and hash decide what is pending, its SQL is run. */
export interface MigrationFile {
  name: string;
  sha256: string;
  sql: string;
}

/** The resource's inputs as the provider sees them; `pending` is added by `check`. */
export interface MigrationsInputs {
  accountId: string;
  databaseId: string;
  migrations: MigrationFile[];
  pending?: string[];
}

export interface MigrationsOutputs extends MigrationsInputs {
  /** Every migration recorded in the database (wrangler's d1_migrations) after the last update. */
  applied: string[];
  /** The files the last update ran. */
  appliedLast: string[];
}

/** What the bundled runtime module exports (see `runtimeSource`). */
interface MigrationsRuntime {
  applyFiles(options: {
    accountId: string;
    databaseId: string;
    apiToken: string;
    baseUrl?: string;
    migrations: MigrationFile[];
  }): Promise<{ recorded: string[]; appliedNow: string[] }>;
}

const INFRA_DIR = resolve(import.meta.dirname, "..");

/**
 * The runtime's source: it applies the files through infra/migrate.ts over the D1 API executor and
 * answers every migration name recorded afterwards.
 */
const runtimeSource = `
import { applyMigrations } from "./migrations/apply.ts";
import { d1ApiExecutor } from "./migrations/d1-http-api.ts";
import { splitStatements } from "./migrations/files.ts";
export async function applyFiles({ migrations, ...api }) {
  const executor = d1ApiExecutor(api);
  const report = await applyMigrations(
    executor,
    migrations.map((m) => ({ ...m, statements: splitStatements(m.sql) })),
  );
  const rows = await executor.query("SELECT name FROM d1_migrations ORDER BY id");
  return { recorded: rows.map((row) => String(row.name)), appliedNow: report.applied };
}
`;

let bundled: string | undefined;

/**
 * The migration code as one CommonJS string. Pulumi serializes a dynamic provider's closure and runs
 * it in a plain `node` process (no tsx, no ESM imports), so the provider carries its code along.
 */
export function migrationsRuntimeCode(): string {
  if (bundled !== undefined) return bundled;
  const result = esbuild.buildSync({
    stdin: {
      contents: runtimeSource,
      loader: "ts",
      resolveDir: INFRA_DIR,
      sourcefile: "runtime.ts",
    },
    bundle: true,
    write: false,
    format: "cjs",
    platform: "node",
    target: "node20",
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new Error("esbuild produced no D1 migrations runtime");
  bundled = code;
  return code;
}

/**
 * The provider. Its methods reference only `runtimeCode` and globals, so Pulumi's closure serializer
 * can ship it; the API token is read from the environment when it runs and is never in state.
 */
export function migrationsProvider(
  runtimeCode: string,
  env: { baseUrl?: string } = {},
): pulumi.dynamic.ResourceProvider<MigrationsInputs, MigrationsOutputs> {
  const loadRuntime = (): MigrationsRuntime => {
    const module = { exports: {} as Record<string, unknown> };
    // The bundle only requires Node built-ins; getBuiltinModule works in ESM and CommonJS alike.
    const requireBuiltin = (id: string) => process.getBuiltinModule(id);
    new Function("module", "exports", "require", runtimeCode)(
      module,
      module.exports,
      requireBuiltin,
    );
    return module.exports as unknown as MigrationsRuntime;
  };

  const apply = async (inputs: MigrationsInputs): Promise<MigrationsOutputs> => {
    const apiToken = process.env.CLOUDFLARE_API_TOKEN;
    if (!apiToken) {
      throw new Error(
        "CLOUDFLARE_API_TOKEN is not set; D1 migrations need an API token with D1 Edit permission",
      );
    }
    const { recorded, appliedNow } = await loadRuntime().applyFiles({
      accountId: inputs.accountId,
      databaseId: inputs.databaseId,
      apiToken,
      ...(env.baseUrl ? { baseUrl: env.baseUrl } : {}),
      migrations: inputs.migrations.map(({ name, sha256, sql }) => ({ name, sha256, sql })),
    });
    return { ...inputs, pending: [], applied: recorded, appliedLast: appliedNow };
  };

  return {
    async check(olds, news) {
      const previous = new Map((olds.migrations ?? []).map((m) => [m.name, m.sha256]));
      const failures: pulumi.dynamic.CheckFailure[] = [];
      for (const migration of news.migrations ?? []) {
        const sha256 = previous.get(migration.name);
        if (sha256 !== undefined && sha256 !== migration.sha256) {
          failures.push({
            property: "migrations",
            reason: `migration "${migration.name}" was changed after it was applied (sha256 ${sha256.slice(0, 12)}… → ${migration.sha256.slice(0, 12)}…); restore it and add a new migration file instead`,
          });
        }
      }
      const pending = (news.migrations ?? [])
        .map((m) => m.name)
        .filter((name) => !previous.has(name));
      return { inputs: { ...news, pending }, failures };
    },
    async diff(_id, olds, news) {
      // `pending` is derived, so it alone never triggers an update.
      const replaces = ["accountId", "databaseId"].filter(
        (key) => olds[key as keyof MigrationsOutputs] !== news[key as keyof MigrationsInputs],
      );
      const oldFiles = JSON.stringify((olds.migrations ?? []).map((m) => [m.name, m.sha256]));
      const newFiles = JSON.stringify(news.migrations.map((m) => [m.name, m.sha256]));
      return {
        changes: replaces.length > 0 || oldFiles !== newFiles,
        replaces,
        deleteBeforeReplace: false,
      };
    },
    async create(inputs) {
      const outs = await apply(inputs);
      return { id: `${inputs.databaseId}/migrations`, outs };
    },
    async update(_id, _olds, news) {
      return { outs: await apply(news) };
    },
    async delete() {
      // Tables stay: the monolith and the services share this database.
    },
  };
}

/** The D1 migrations of one database (a child of the Database component). */
export class D1Migrations extends pulumi.dynamic.Resource {
  declare readonly applied: pulumi.Output<string[]>;
  declare readonly appliedLast: pulumi.Output<string[]>;
  declare readonly pending: pulumi.Output<string[]>;

  constructor(name: string, args: D1MigrationsArgs, opts?: pulumi.CustomResourceOptions) {
    const migrations: MigrationFile[] = args.migrations.map(({ name, sha256, sql }) => ({
      name,
      sha256,
      sql,
    }));
    super(
      migrationsProvider(migrationsRuntimeCode()),
      name,
      {
        accountId: args.accountId,
        databaseId: args.databaseId,
        migrations,
        pending: undefined,
        applied: undefined,
        appliedLast: undefined,
      },
      opts,
      "platform",
      "D1Migrations",
    );
  }
}
