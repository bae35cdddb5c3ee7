// Stack config: the interface platform engineers and release managers use. Parsed with zod before
// any resource exists; every problem is reported at once, each naming its key, what was expected
// and what was found.

import * as z from "zod";
import {
  SERVICE_NAMES,
  type ServiceName,
  WORKER_NAMES,
  type WorkerName,
} from "../shared/workers.ts";
import { closestName } from "./setting-names.ts";
import { WORKERS } from "./topology.ts";

/** The Pulumi project name, and so the config namespace (`platform:rollout`). */
export const PROJECT = "platform";

/** Compatibility date every worker gets unless a stack overrides it. */
export const DEFAULT_COMPATIBILITY_DATE = "2025-09-01";

const HEX32 = /^[0-9a-f]{32}$/;
const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const SCRIPT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PATH_PREFIX = /^\/[a-z0-9][a-z0-9/_-]*[a-z0-9_-]$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// `pulumi config set` stores plain values as strings, and `--path` turns only integers and
// true/false into YAML numbers and booleans (`--path ...headSamplingRate 0.5` stays "0.5"), so a
// string that spells a number or a boolean exactly counts as one.
const INTEGER_TEXT = /^\d+$/;
const DECIMAL_TEXT = /^(\d+(\.\d*)?|\.\d+)$/;
const integerFromText = (value: unknown) =>
  typeof value === "string" && INTEGER_TEXT.test(value) ? Number(value) : value;
const decimalFromText = (value: unknown) =>
  typeof value === "string" && DECIMAL_TEXT.test(value) ? Number(value) : value;
const booleanFromText = (value: unknown) =>
  value === "true" ? true : value === "false" ? false : value;
const flag = () => z.preprocess(booleanFromText, z.boolean({ error: "must be true or false" }));

/** A string matching `pattern`; a value of another type gets the same message, naming the format. */
const matching = (pattern: RegExp, message: string) =>
  z.string({ error: message }).regex(pattern, { error: message });

/** A `YYYY-MM-DD` that is a day of the calendar (Cloudflare refuses 2025-13-45). */
const compatibilityDate = () =>
  matching(DATE, "must be a date like 2025-09-01").refine(
    (date) => {
      const day = new Date(`${date}T00:00:00Z`);
      return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(date);
    },
    { error: "must be a date like 2025-09-01" },
  );

const weight = z.preprocess(
  integerFromText,
  z.number({ error: "must be an integer 0-100" }).int().min(0).max(100),
);

const observabilitySchema = z.strictObject({
  enabled: flag(),
  headSamplingRate: z
    .preprocess(decimalFromText, z.number({ error: "must be a number 0-1" }).min(0).max(1))
    .optional(),
});

const workerOverrides = z.strictObject({
  compatibilityDate: compatibilityDate().optional(),
  compatibilityFlags: z.array(z.string().min(1)).optional(),
  observability: observabilitySchema.optional(),
  /** Extra path prefixes this service serves (e.g. a legacy alias); services only. */
  pathPrefixes: z
    .array(matching(PATH_PREFIX, 'must be a path like "/api/name" (lowercase, no trailing slash)'))
    .optional(),
});

export type WorkerOverrides = z.infer<typeof workerOverrides>;

const monolithSchema = z.strictObject({
  scriptName: matching(
    SCRIPT_NAME,
    "must be a Worker script name (lowercase letters, digits, dashes)",
  ),
  /** Deploy this repo's stand-in monolith under scriptName (staging, demos). */
  deployStandIn: flag().default(false),
});

const stackSchema = z.strictObject({
  accountId: matching(HEX32, "must be a 32-character lowercase hex Cloudflare account id"),
  zoneId: matching(HEX32, "must be a 32-character lowercase hex Cloudflare zone id"),
  hostname: matching(
    HOSTNAME,
    'must be a hostname like "api.example.com" (no scheme, path or port)',
  ),
  /** How the router is reached: a zone route `<hostname>/*` or a Workers custom domain. */
  publicEndpoint: z
    .enum(["route", "customDomain"], { error: 'must be "route" or "customDomain"' })
    .default("route"),
  namePrefix: matching(
    /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/,
    "must be 2-40 lowercase letters, digits or dashes, starting with a letter",
  ),
  monolith: monolithSchema.optional(),
  database: z.union(
    [
      z.strictObject({
        name: matching(
          /^[a-z0-9][a-z0-9-_]{0,62}$/,
          "must be a D1 database name (lowercase letters, digits, dashes)",
        ),
      }),
      z.strictObject({
        id: matching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
          "must be a D1 database UUID",
        ),
      }),
    ],
    { error: 'must be { name: "<new database>" } or { id: "<existing database uuid>" }' },
  ),
  corsOrigins: z
    .array(
      z.string().refine(isOrigin, {
        error: 'must be an origin like "https://app.example.com" (scheme and host, no path)',
      }),
    )
    .default([]),
  rollout: z.record(z.string(), weight).default({}),
  secretsStoreId: matching(HEX32, "must be the 32-character hex id of the account's Secrets Store"),
  jwtSecret: z.string().min(32, { error: "must be at least 32 characters" }),
  compatibilityDate: compatibilityDate().default(DEFAULT_COMPATIBILITY_DATE),
  /** Compatibility flags every worker gets unless `workers.<name>.compatibilityFlags` replaces them. */
  compatibilityFlags: z
    .array(z.string().min(1, { error: "must be non-empty flag names" }))
    .default([]),
  workers: z.record(z.string(), workerOverrides).default({}),
});

type ParsedStack = z.infer<typeof stackSchema>;

const SETTINGS = Object.keys(stackSchema.shape);

/** The setting names a strict object at `path` knows, for "did you mean". */
function settingsAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return SETTINGS;
  if (path.length === 1 && path[0] === "monolith") return Object.keys(monolithSchema.shape);
  if (path[0] !== "workers") return [];
  if (path.length === 2) return Object.keys(workerOverrides.shape);
  if (path.length === 3 && path[2] === "observability")
    return Object.keys(observabilitySchema.shape);
  return [];
}

export interface StackConfig extends Omit<ParsedStack, "rollout" | "workers"> {
  /** Stack name, e.g. `staging`. */
  stack: string;
  /** Every service's weight, defaults filled in (0 with a monolith, 100 without). */
  rollout: Record<ServiceName, number>;
  workers: Partial<Record<WorkerName, WorkerOverrides>>;
}

/** Raised when a stack config is wrong; `problems` holds one line per problem. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `${source} has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/**
 * Keys whose values are structured, and how one part is set with `--path`. Pulumi hands them over
 * as JSON strings; a plain string here was set without --path.
 */
const STRUCTURED_KEYS: Record<string, { kind: "map" | "list"; part: string }> = {
  monolith: { kind: "map", part: ".<field>" },
  database: { kind: "map", part: ".<field>" },
  corsOrigins: { kind: "list", part: "[0]" },
  rollout: { kind: "map", part: ".<service>" },
  compatibilityFlags: { kind: "list", part: "[0]" },
  workers: { kind: "map", part: ".<worker>.<field>" },
};

/** How a zod type name reads after "must be". */
const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  object: "a map",
  record: "a map",
  array: "a list",
};

/**
 * Turns raw config (keys with or without the `platform:` namespace; values as Pulumi gives them,
 * JSON strings for objects, or as a YAML stack file holds them) into a checked StackConfig.
 * Throws ConfigError listing every problem.
 */
export function parseStackConfig(
  raw: Record<string, unknown>,
  options: { stack: string; source?: string },
): StackConfig {
  const source = options.source ?? `stack "${options.stack}"`;
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const undecodable = new Set<string>();
  for (const [fullKey, value] of Object.entries(raw)) {
    const [namespace, key] = fullKey.includes(":") ? fullKey.split(":", 2) : [PROJECT, fullKey];
    if (key === undefined) continue;
    const misplaced = misplacedKeyProblem(namespace ?? "", key);
    if (misplaced) problems.push(misplaced);
    if (namespace !== PROJECT || misplaced) continue;
    const problem = decodeProblem(key, value);
    if (problem) {
      // Reported once here; the raw value stays so cross-key checks still see the key as set.
      problems.push(problem);
      undecodable.add(key);
      values[key] = value;
    } else {
      values[key] = decodeStructured(key, value);
    }
  }
  const parsed = stackSchema.safeParse(values);
  if (!parsed.success) {
    // A misspelt key suggests the setting it meant; that setting's "is required" would repeat it.
    const meant = new Set(
      parsed.error.issues.flatMap((issue) =>
        issue.code === "unrecognized_keys"
          ? issue.keys.flatMap((k) => {
              const near = closestName(k, settingsAt(issue.path));
              return near ? [pathText([...issue.path, near])] : [];
            })
          : [],
      ),
    );
    for (const issue of parsed.error.issues) {
      if (undecodable.has(String(issue.path[0]))) continue;
      if (meant.has(pathText(issue.path)) && valueAt(values, issue.path) === undefined) continue;
      problems.push(...describeIssue(issue, values));
    }
  }
  problems.push(...crossKeyProblems(values));
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(
      source,
      [...new Set(problems)].map((p) => withStack(p, options.stack)),
    );
  }
  const data = parsed.data;
  const fallbackWeight = data.monolith ? 0 : 100;
  const rollout = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, data.rollout[name] ?? fallbackWeight]),
  ) as Record<ServiceName, number>;
  return { ...data, stack: options.stack, rollout, workers: data.workers };
}

function structureOf(key: string) {
  return Object.hasOwn(STRUCTURED_KEYS, key) ? STRUCTURED_KEYS[key] : undefined;
}

function decodeStructured(key: string, value: unknown): unknown {
  return structureOf(key) && typeof value === "string" ? JSON.parse(value) : value;
}

/**
 * A key this program would miss: one of its settings in another namespace (`platfrom:rollout`),
 * or a nested value set without --path, which Pulumi stores as its own key (`rollout.investor`).
 */
function misplacedKeyProblem(namespace: string, key: string): string | undefined {
  const head = key.split(/[.[]/, 1)[0] ?? key;
  if (!SETTINGS.includes(head)) return undefined;
  if (namespace !== PROJECT) {
    return `${namespace}:${key} is in namespace "${namespace}", which this program does not read; did you mean ${PROJECT}:${key}?`;
  }
  if (head === key) return undefined;
  const path = key.includes("[") ? `'${PROJECT}:${key}'` : `${PROJECT}:${key}`;
  return `${PROJECT}:${key} is not a known setting: it was set without --path, so Pulumi keeps it apart from ${PROJECT}:${head}; run \`pulumi config rm ${path}\` and \`pulumi config set --path ${path} <value>\``;
}

/** A structured key given a string that is not JSON: `pulumi config set` without --path. */
function decodeProblem(key: string, value: unknown): string | undefined {
  const structure = structureOf(key);
  if (!structure || typeof value !== "string") return undefined;
  try {
    JSON.parse(value);
    return undefined;
  } catch {
    const path = `${PROJECT}:${key}${structure.part}`;
    const how = structure.kind === "map" ? "one field" : "one item";
    const quoted = structure.kind === "list" ? `'${path}'` : path;
    return `${PROJECT}:${key} must be ${EXPECTED[structure.kind === "map" ? "object" : "array"]}, got ${JSON.stringify(value)}; set ${how} at a time with \`pulumi config set --path ${quoted} <value>\``;
  }
}

function describeIssue(issue: z.core.$ZodIssue, values: Record<string, unknown>): string[] {
  if (issue.code === "unrecognized_keys") {
    const known = settingsAt(issue.path);
    return issue.keys.map((k) => {
      const near = closestName(k, known);
      const hint = near
        ? `; did you mean ${issue.path.length ? near : `${PROJECT}:${near}`}?`
        : known.length
          ? `; known settings: ${known.join(", ")}`
          : "";
      return `${PROJECT}:${pathText([...issue.path, k])} is not a known setting${hint}`;
    });
  }
  const key = `${PROJECT}:${pathText(issue.path)}`;
  const found = valueAt(values, issue.path);
  if (found === undefined) {
    if (issue.path.length === 1 && issue.path[0] === "jwtSecret") {
      return [
        `${key} is required: run \`pulumi config set --secret ${key} <at least 32 random characters> --stack <stack>\``,
      ];
    }
    return [`${key} is required`];
  }
  const message =
    issue.code === "invalid_type" && issue.message.startsWith("Invalid")
      ? `must be ${EXPECTED[issue.expected] ?? issue.expected}`
      : issue.message.startsWith("Invalid")
        ? "has the wrong type"
        : issue.message;
  const shown = issue.path[0] === "jwtSecret" ? "[secret]" : JSON.stringify(found);
  return [`${key} ${message}, got ${shown}`];
}

/** A config path as `pulumi config set --path` spells it: `corsOrigins[0]`, `rollout.investor`. */
function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      typeof segment === "number" ? `[${segment}]` : `${i > 0 ? "." : ""}${String(segment)}`,
    )
    .join("");
}

function valueAt(values: unknown, path: readonly PropertyKey[]): unknown {
  let current = values;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function withStack(problem: string, stack: string): string {
  return problem.replace("--stack <stack>", `--stack ${stack}`);
}

/** Checks that span keys; they read the raw values so they report even when other keys are wrong. */
function crossKeyProblems(values: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const rollout = isRecord(values.rollout) ? values.rollout : {};
  for (const [name, value] of Object.entries(rollout)) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      problems.push(
        `${PROJECT}:rollout.${name} is not a service; expected one of ${SERVICE_NAMES.join(", ")}`,
      );
    } else if (values.monolith === undefined && integerFromText(value) !== 100) {
      problems.push(
        `${PROJECT}:rollout.${name} must be 100 when no monolith is configured (there is no blue side), got ${JSON.stringify(value)}`,
      );
    }
  }
  problems.push(...scriptNameClash(values));
  const owners = new Map<string, string>();
  for (const worker of WORKERS) {
    if (worker.kind === "router") continue;
    for (const prefix of worker.pathPrefixes) owners.set(prefix, worker.name);
  }
  const workers = isRecord(values.workers) ? values.workers : {};
  for (const [name, overrides] of Object.entries(workers)) {
    if (!(WORKER_NAMES as readonly string[]).includes(name)) {
      problems.push(
        `${PROJECT}:workers.${name} is not a worker; expected one of ${WORKER_NAMES.join(", ")}`,
      );
      continue;
    }
    const prefixes = isRecord(overrides) ? overrides.pathPrefixes : undefined;
    if (!Array.isArray(prefixes)) continue;
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      problems.push(`${PROJECT}:workers.${name}.pathPrefixes can only be set for a service`);
      continue;
    }
    for (const prefix of prefixes) {
      if (typeof prefix !== "string") continue;
      const owner = owners.get(prefix);
      if (owner) {
        problems.push(
          `${PROJECT}:workers.${name}.pathPrefixes has "${prefix}", already served by "${owner}"; each path prefix belongs to one worker`,
        );
      }
      owners.set(prefix, name);
    }
  }
  return problems;
}

/** A monolith named like one of the generated scripts would be overwritten by it. */
function scriptNameClash(values: Record<string, unknown>): string[] {
  const scriptName = isRecord(values.monolith) ? values.monolith.scriptName : undefined;
  if (typeof values.namePrefix !== "string" || typeof scriptName !== "string") return [];
  const clash = WORKER_NAMES.find(
    (name) => name !== "monolith" && `${values.namePrefix}-${name}` === scriptName,
  );
  if (!clash) return [];
  return [
    `${PROJECT}:monolith.scriptName "${scriptName}" is the name of the ${clash} script this stack deploys; use the existing monolith's script name`,
  ];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === "https:" || url.protocol === "http:") &&
      url.origin === value &&
      url.pathname === "/"
    );
  } catch {
    return false;
  }
}
