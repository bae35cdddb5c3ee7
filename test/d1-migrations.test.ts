// D1 migrations applied by `pulumi up`: the D1 HTTP API executor and the dynamic resource's
// provider (serialized and loaded the way Pulumi ships it) against a local fake of the API.

import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type MigrationsInputs,
  type MigrationsOutputs,
  migrationsProvider,
  migrationsRuntimeCode,
} from "../infra/components/d1-migrations.ts";
import { D1ApiError, d1ApiExecutor } from "../infra/migrations/d1-http-api.ts";
import { loadMigrations, type Migration } from "../infra/migrations/files.ts";
import { type FakeD1Api, startFakeD1Api } from "./fixtures/fake-d1-api.ts";

const MIGRATIONS = loadMigrations(resolve(import.meta.dirname, "../shared/migrations"));
const WRANGLER_TABLE =
  "CREATE TABLE d1_migrations(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)";

type Provider = Required<pulumi.dynamic.ResourceProvider<MigrationsInputs, MigrationsOutputs>>;

const fakes: FakeD1Api[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
});

async function fake(): Promise<FakeD1Api> {
  const api = await startFakeD1Api();
  fakes.push(api);
  return api;
}

const savedToken = process.env.CLOUDFLARE_API_TOKEN;
afterEach(() => {
  if (savedToken === undefined) delete process.env.CLOUDFLARE_API_TOKEN;
  else process.env.CLOUDFLARE_API_TOKEN = savedToken;
});

function inputsFor(api: FakeD1Api, migrations: readonly Migration[]): MigrationsInputs {
  return {
    accountId: api.accountId,
    databaseId: api.databaseId,
    migrations: migrations.map(({ name, sha256, sql }) => ({ name, sha256, sql })),
  };
}

/** A migration file that is not on disk; the provider splits its statements itself. */
function migration(name: string, sql: string): Migration {
  return { name, sql, sha256: createHash("sha256").update(sql).digest("hex"), statements: [] };
}

/** Serializes the provider with Pulumi's closure serializer and loads it as its host process does. */
async function shippedProvider(baseUrl: string): Promise<Provider> {
  const provider = migrationsProvider(migrationsRuntimeCode(), { baseUrl });
  const serializer = (await import(
    "@pulumi/pulumi/runtime/closure/serializeClosure.js"
  )) as unknown as {
    serializeFunction(f: () => unknown, o: object): Promise<{ text: string }>;
  };
  const { text } = await serializer.serializeFunction(() => provider, { allowSecrets: true });
  const { Module } = createRequire(import.meta.url)("node:module") as {
    Module: new (
      id: string,
    ) => { exports: { handler(): Provider }; _compile(c: string, f: string): void };
  };
  const module = new Module("dynamic-provider");
  module._compile(text, resolve(import.meta.dirname, "dynamic-provider.js"));
  return module.exports.handler();
}

/** `check` as the engine calls it; its inputs always come back. */
async function check(provider: Provider, olds: Partial<MigrationsOutputs>, news: MigrationsInputs) {
  const result = await provider.check(olds as MigrationsInputs, news);
  if (!result.inputs) throw new Error("check returned no inputs");
  return { inputs: result.inputs, failures: result.failures ?? [] };
}

async function recorded(api: FakeD1Api): Promise<string[]> {
  const rows = await api.db.prepare("SELECT name FROM d1_migrations ORDER BY id").all();
  return rows.results.map((row) => String(row.name));
}

async function tableExists(api: FakeD1Api, name: string): Promise<boolean> {
  const row = await api.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
    .bind(name)
    .first();
  return row !== null;
}

describe("d1ApiExecutor", () => {
  let api: FakeD1Api;
  beforeAll(async () => {
    api = await fake();
  });

  it("runs a batch and reads rows back with parameters", async () => {
    const executor = d1ApiExecutor({ ...api });
    await executor.run([
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)",
      "INSERT INTO notes (body) VALUES ('one')",
      "INSERT INTO notes (body) VALUES ('two');",
    ]);
    expect(await executor.query("SELECT body FROM notes WHERE id = ?", ["2"])).toEqual([
      { body: "two" },
    ]);
  });

  it("runs a batch all-or-nothing and surfaces D1's message", async () => {
    const executor = d1ApiExecutor({ ...api });
    const failing = executor.run([
      "CREATE TABLE drafts (id INTEGER PRIMARY KEY)",
      "INSERT INTO missing_table VALUES (1)",
    ]);
    await expect(failing).rejects.toThrow(/HTTP 400.*no such table: missing_table.*\[code 7500\]/);
    expect(await tableExists(api, "drafts")).toBe(false);
  });

  it("surfaces API errors without ever showing the token", async () => {
    const wrong = d1ApiExecutor({ ...api, apiToken: "wrong-token-secret-value" });
    const error = await wrong.query("SELECT 1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(D1ApiError);
    expect((error as Error).message).toBe(
      "D1 API error (HTTP 403): Authentication error [code 10000]",
    );

    const token = "leaky-token-0123456789";
    const echoing = d1ApiExecutor({
      ...api,
      apiToken: token,
      fetch: async (_url, init) => {
        const auth = new Headers(init?.headers).get("authorization");
        throw new Error(`proxy refused ${auth}`);
      },
    });
    const leaked = (await echoing.query("SELECT 1").catch((e: unknown) => e)) as Error;
    expect(leaked.message).toContain("proxy refused Bearer [token]");
    expect(leaked.message).not.toContain(token);
  });
});

describe("D1Migrations provider (as Pulumi ships it)", () => {
  it("applies every file to a fresh database, recorded the way wrangler records them", async () => {
    const api = await fake();
    process.env.CLOUDFLARE_API_TOKEN = api.apiToken;
    const provider = await shippedProvider(api.baseUrl);
    const { inputs } = await check(provider, {}, inputsFor(api, MIGRATIONS));
    expect(inputs.pending).toEqual(MIGRATIONS.map((m) => m.name));

    const { id, outs } = await provider.create(inputs);
    expect(id).toBe(`${api.databaseId}/migrations`);
    expect(outs?.applied).toEqual(MIGRATIONS.map((m) => m.name));
    expect(outs?.appliedLast).toEqual(MIGRATIONS.map((m) => m.name));
    expect(outs?.pending).toEqual([]);
    expect(JSON.stringify(outs)).not.toContain(api.apiToken);
    expect(await recorded(api)).toEqual(MIGRATIONS.map((m) => m.name));
    const table = await api.db
      .prepare("SELECT sql FROM sqlite_master WHERE name = 'd1_migrations'")
      .first<{ sql: string }>();
    expect(table?.sql).toBe(WRANGLER_TABLE);
    expect(await tableExists(api, "pitches")).toBe(true);
  });

  it("applies only the pending files of a partly migrated database", async () => {
    const api = await fake();
    process.env.CLOUDFLARE_API_TOKEN = api.apiToken;
    const provider = await shippedProvider(api.baseUrl);
    const first = inputsFor(api, MIGRATIONS.slice(0, 3));
    const created = await provider.create((await check(provider, {}, first)).inputs);
    expect(created.outs?.applied).toEqual(MIGRATIONS.slice(0, 3).map((m) => m.name));

    const all = inputsFor(api, MIGRATIONS);
    const olds = created.outs as MigrationsOutputs;
    const checked = await check(provider, olds, all);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.pending).toEqual(MIGRATIONS.slice(3).map((m) => m.name));
    expect((await provider.diff("id", olds, checked.inputs)).changes).toBe(true);

    const updated = await provider.update("id", olds, checked.inputs);
    expect(updated.outs?.appliedLast).toEqual(MIGRATIONS.slice(3).map((m) => m.name));
    expect(await recorded(api)).toEqual(MIGRATIONS.map((m) => m.name));

    // Nothing pending: the derived `pending` alone must not cause another update.
    const again = await check(provider, updated.outs as MigrationsOutputs, all);
    expect(again.inputs.pending).toEqual([]);
    const diff = await provider.diff("id", updated.outs as MigrationsOutputs, again.inputs);
    expect(diff.changes).toBe(false);
  });

  it("refuses an applied file that was changed, in preview and on up", async () => {
    const api = await fake();
    process.env.CLOUDFLARE_API_TOKEN = api.apiToken;
    const provider = await shippedProvider(api.baseUrl);
    const created = await provider.create(inputsFor(api, MIGRATIONS));
    const edited = MIGRATIONS.map((m) =>
      m.name === "0002_creator_pitches.sql"
        ? migration(m.name, `${m.sql}\nCREATE INDEX pitches_extra ON pitches (title);\n`)
        : m,
    );
    const olds = created.outs as MigrationsOutputs;
    const checked = await check(provider, olds, inputsFor(api, edited));
    expect(checked.failures).toHaveLength(1);
    expect(checked.failures?.[0]?.reason).toMatch(
      /^migration "0002_creator_pitches\.sql" was changed after it was applied/,
    );
    // With a stale state the database still knows: migrate.ts compares the recorded sha256.
    await expect(provider.update("id", olds, inputsFor(api, edited))).rejects.toThrow(
      /migration "0002_creator_pitches\.sql" was changed after it was applied/,
    );
  });

  it("stops at a failing statement naming the file and the statement, and resumes there once it is fixed", async () => {
    const api = await fake();
    process.env.CLOUDFLARE_API_TOKEN = api.apiToken;
    const provider = await shippedProvider(api.baseUrl);
    const statements = [
      "CREATE TABLE investor_notes (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
      "CREATE INDEX investor_notes_missing ON investor_notes (no_such_column);",
      "CREATE INDEX investor_notes_body ON investor_notes (body);",
    ];
    // Numbered far past the real files, so it stays last whatever migrations are added later.
    const bad = migration("9001_investor_notes.sql", statements.join("\n"));
    const failing = provider.create(inputsFor(api, [...MIGRATIONS, bad]));
    await expect(failing).rejects.toThrow(
      /migration "9001_investor_notes\.sql" stopped at statement 2 of 3: .*no such column: no_such_column/,
    );
    await expect(failing).rejects.toThrow(
      /CREATE INDEX investor_notes_missing[\s\S]*statements 1-1 of it are applied and recorded in d1_migrations_progress; the next run resumes at statement 2/,
    );
    expect(await recorded(api)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await tableExists(api, "investor_notes")).toBe(true);

    // The failing statement is fixed; the statement already applied is unchanged, so it resumes.
    const fixed = migration(
      "9001_investor_notes.sql",
      [statements[0], "CREATE INDEX investor_notes_id ON investor_notes (id);", statements[2]].join(
        "\n",
      ),
    );
    await provider.create(inputsFor(api, [...MIGRATIONS, fixed]));
    expect(await recorded(api)).toEqual([...MIGRATIONS, fixed].map((m) => m.name));
    const progress = await api.db.prepare("SELECT * FROM d1_migrations_progress").all();
    expect(progress.results).toEqual([]);
  });

  it("never skips a file the API applied only part of: the next up stops at the statement it cannot tell", async () => {
    const api = await fake();
    process.env.CLOUDFLARE_API_TOKEN = api.apiToken;
    const provider = await shippedProvider(api.baseUrl);
    await provider.create(inputsFor(api, MIGRATIONS));
    const notes = migration(
      "9001_investor_notes.sql",
      [
        "CREATE TABLE investor_notes (id TEXT PRIMARY KEY, body TEXT NOT NULL);",
        "CREATE INDEX investor_notes_body ON investor_notes (body);",
      ].join("\n"),
    );
    // The request carrying statement 2 and its progress is applied only in part, then cut off.
    api.cutOff({ request: (sql) => sql.includes("investor_notes_body"), keep: 1 });
    await expect(provider.create(inputsFor(api, [...MIGRATIONS, notes]))).rejects.toThrow(
      /migration "9001_investor_notes\.sql" stopped at statement 2 of 2/,
    );
    // Statement 2 took effect but its progress did not: the next up does not skip the file, and
    // says which statement it cannot run again and how to record it.
    const again = provider.create(inputsFor(api, [...MIGRATIONS, notes]));
    await expect(again).rejects.toThrow(
      /migration "9001_investor_notes\.sql" stopped at statement 2 of 2: .*already exists/,
    );
    await expect(again).rejects.toThrow(
      /first statement the last run did not record as done[\s\S]*UPDATE d1_migrations_progress SET statements_done = 2/,
    );
    expect(await recorded(api)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it("needs CLOUDFLARE_API_TOKEN at run time and replaces itself for another database", async () => {
    const api = await fake();
    delete process.env.CLOUDFLARE_API_TOKEN;
    const provider = await shippedProvider(api.baseUrl);
    await expect(provider.create(inputsFor(api, MIGRATIONS))).rejects.toThrow(
      "CLOUDFLARE_API_TOKEN is not set; D1 migrations need an API token with D1 Edit permission",
    );
    const olds = { ...inputsFor(api, MIGRATIONS), applied: [], appliedLast: [] };
    const diff = await provider.diff("id", olds, {
      ...inputsFor(api, MIGRATIONS),
      databaseId: "00000000-0000-4000-8000-000000000000",
    });
    expect(diff).toMatchObject({ changes: true, replaces: ["databaseId"] });
  });
});
