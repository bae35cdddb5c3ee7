// The read-back check: for each resource type the program registers, what the provider stores
// after `pulumi refresh` (a fixture per type, built from the provider's and wrangler's sources,
// cited inside it) against what the program sends. Every field the API fills in is either sent,
// exactly as it comes back, or ignored on exactly that path; so a refreshed preview is empty.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { READ_BACK_ONLY } from "../infra/components/worker-script.ts";
import type { RegisteredResource } from "../infra/preview.ts";
import { runProgram } from "./support/pulumi-mocks.ts";
import { ROOT, stackConfig } from "./support/stack-configs.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface ReadBack {
  /** The fixture file in test/fixtures/cloudflare-read-back/. */
  fixture: string;
  /** Fields only the provider sets (ids, timestamps, status): they never diff. */
  computed: string[];
  /** Fields with a provider schema default, which the plan holds as well: no diff. */
  defaults: string[];
  /** Paths the program ignores on purpose (ignoreChanges), each explained where it is declared. */
  ignored: readonly string[];
  /** Paths whose value the program chooses: sent exactly as they are read back. */
  exact: string[];
}

const TYPES: Record<string, ReadBack> = {
  "cloudflare:index/workersScript:WorkersScript": {
    fixture: "workers-script.json",
    computed: [
      "id",
      "etag",
      "createdOn",
      "modifiedOn",
      "handlers",
      "namedHandlers",
      "hasAssets",
      "hasModules",
      "lastDeployedFrom",
      "migrationTag",
      "startupTimeMs",
      "placementMode",
      "placementStatus",
      "annotations",
      "tailConsumers",
    ],
    defaults: ["usageModel", "logpush"],
    ignored: READ_BACK_ONLY,
    exact: ["observability"],
  },
  "cloudflare:index/d1Database:D1Database": {
    fixture: "d1-database.json",
    computed: ["id", "uuid", "createdAt", "fileSize", "numTables", "version"],
    defaults: [],
    ignored: [],
    exact: ["readReplication"],
  },
  "cloudflare:index/workersRoute:WorkersRoute": {
    fixture: "workers-route.json",
    computed: ["id"],
    defaults: [],
    ignored: [],
    exact: [],
  },
  "cloudflare:index/workersCustomDomain:WorkersCustomDomain": {
    fixture: "workers-custom-domain.json",
    computed: ["id", "zoneName", "environment", "certId"],
    defaults: [],
    ignored: [],
    exact: [],
  },
  "cloudflare:index/secretsStoreSecret:SecretsStoreSecret": {
    fixture: "secrets-store-secret.json",
    computed: ["id", "status", "created", "modified"],
    defaults: [],
    ignored: [],
    exact: ["scopes"],
  },
  "cloudflare:index/workersScriptSubdomain:WorkersScriptSubdomain": {
    fixture: "workers-script-subdomain.json",
    computed: ["id"],
    defaults: [],
    ignored: [],
    exact: ["enabled", "previewsEnabled"],
  },
};

function fixture(file: string): Record<string, Json> {
  return JSON.parse(
    readFileSync(join(ROOT, "test/fixtures/cloudflare-read-back", file), "utf8"),
  ) as Record<string, Json>;
}

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Where what the provider reads back differs from what we send: a field it fills in that we
 * neither send nor ignore, a value chosen by us that comes back otherwise, or a list entry (a
 * binding) whose fields are named differently from the API's.
 */
function drift(rules: ReadBack, read: Json, sent: unknown, path: string[] = []): string[] {
  const at = path.join(".");
  if (rules.ignored.includes(at) || (path.length === 1 && rules.computed.includes(at))) return [];
  if (path.length === 1 && rules.defaults.includes(at)) return [];
  const empty = read === null || (Array.isArray(read) && read.length === 0);
  if (sent === undefined)
    return empty ? [] : [`${at}: read back as ${JSON.stringify(read)}, never sent`];
  if (isObject(read) && isObject(sent)) {
    return Object.keys(read).flatMap((key) =>
      key.startsWith("$") ? [] : drift(rules, read[key] ?? null, sent[key], [...path, key]),
    );
  }
  if (Array.isArray(read) && Array.isArray(sent)) {
    // Entries by kind: each kind we send must carry exactly the fields the API answers with.
    return sent.flatMap((entry, i) => {
      const kind = isObject(entry) ? entry.type : undefined;
      const model = read.find((r) => isObject(r) && r.type === kind);
      if (!isObject(model) || !isObject(entry)) return [];
      const fields = (o: Record<string, unknown>) =>
        Object.keys(o)
          .filter((k) => o[k] !== null && o[k] !== undefined)
          .sort();
      return JSON.stringify(fields(model)) === JSON.stringify(fields(entry))
        ? []
        : [`${at}[${i}] (${String(kind)}): sent ${fields(entry)}, read back ${fields(model)}`];
    });
  }
  const exact = rules.exact.some((e) => at === e || at.startsWith(`${e}.`));
  if (exact && JSON.stringify(read) !== JSON.stringify(sent)) {
    return [`${at}: sent ${JSON.stringify(sent)}, read back as ${JSON.stringify(read)}`];
  }
  return [];
}

/** The fixture with its variants' bindings folded in, so every binding kind has a model. */
function readBackOf(rules: ReadBack): Record<string, Json> {
  const read = fixture(rules.fixture);
  const variants = isObject(read.$variants) ? Object.values(read.$variants) : [];
  const extra = variants.flatMap((v) =>
    isObject(v) && Array.isArray(v.bindings) ? v.bindings : [],
  );
  if (Array.isArray(read.bindings)) read.bindings = [...read.bindings, ...extra];
  return read;
}

describe.each(["staging", "prod"])("after `pulumi refresh` of stack %s", (stack) => {
  let resources: RegisteredResource[];
  beforeAll(async () => {
    const run = await runProgram(stackConfig(stack), { stack });
    resources = [...run.resources];
  });

  it("every Cloudflare resource type the program registers has a read-back fixture", () => {
    const types = new Set(
      resources.filter((r) => r.custom && r.type.startsWith("cloudflare:")).map((r) => r.type),
    );
    expect([...types].filter((type) => !TYPES[type])).toEqual([]);
  });

  it("nothing read back differs from what the program sends", () => {
    const problems = resources.flatMap((resource) => {
      const rules = TYPES[resource.type];
      if (!rules) return [];
      return drift(rules, readBackOf(rules), resource.inputs).map((p) => `${resource.name}: ${p}`);
    });
    expect(problems).toEqual([]);
  });
});

describe("the drift check itself", () => {
  it("catches the three fields the API reads back differently from what older programs sent", async () => {
    const run = await runProgram(stackConfig("staging"));
    const find = (name: string) => run.resources.find((r) => r.name === name) as RegisteredResource;
    const auth = find("auth-script");
    const olderAuth = {
      ...auth.inputs,
      observability: { enabled: true, headSamplingRate: 1 },
      bindings: (auth.inputs.bindings as Record<string, unknown>[]).map(({ databaseId, ...b }) =>
        b.type === "d1" ? { ...b, id: databaseId } : b,
      ),
    };
    const script = TYPES[auth.type] as ReadBack;
    expect(drift(script, readBackOf(script), olderAuth)).toEqual([
      'observability.logs: read back as {"enabled":true,"headSamplingRate":1,"invocationLogs":true,"persist":true}, never sent',
      "bindings[0] (d1): sent id,name,type, read back databaseId,name,type",
    ]);
    const d1 = find("database-d1");
    const { readReplication: _, ...olderDatabase } = d1.inputs;
    const database = TYPES[d1.type] as ReadBack;
    expect(drift(database, readBackOf(database), olderDatabase)).toEqual([
      'readReplication: read back as {"mode":"disabled"}, never sent',
    ]);
  });
});
