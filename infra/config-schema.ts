// The stack config schema (zod): every `platform:*` setting, its format and its default, with
// messages that say what was expected. config.ts parses with it and words the problems.

import * as z from "zod";
import { RATE_LIMIT_NAMES, RATE_LIMITS, type RateLimitRule } from "../shared/rate-limits.ts";
import { MAX_SKIP_AFTER_FAILURES } from "../shared/router-config.ts";

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
export const integerFromText = (value: unknown) =>
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

const samplingRate = () =>
  z.preprocess(decimalFromText, z.number({ error: "must be a number 0-1" }).min(0).max(1));

/** Workers Logs as the API reads them back (`observability.logs`); every field is returned. */
const logsSchema = z.strictObject({
  enabled: flag().optional(),
  headSamplingRate: samplingRate().optional(),
  invocationLogs: flag().optional(),
  persist: flag().optional(),
});

const observabilitySchema = z.strictObject({
  enabled: flag(),
  headSamplingRate: samplingRate().optional(),
  logs: logsSchema.optional(),
});

const workerOverrides = z.strictObject({
  compatibilityDate: compatibilityDate().optional(),
  compatibilityFlags: z.array(z.string().min(1)).optional(),
  observability: observabilitySchema.optional(),
  /** Time the router allows this worker for its response headers (router-called workers). */
  deadlineMs: z
    .preprocess(
      integerFromText,
      z
        .number({ error: "must be an integer 100-600000 (milliseconds)" })
        .int()
        .min(100)
        .max(600_000),
    )
    .optional(),
  /** Failures in a row after which safe requests skip this service (services with a blue side). */
  skipAfterFailures: z
    .preprocess(
      integerFromText,
      z
        .number({ error: `must be an integer 1-${MAX_SKIP_AFTER_FAILURES}` })
        .int()
        .min(1)
        .max(MAX_SKIP_AFTER_FAILURES),
    )
    .optional(),
  /** How long safe requests skip it before one probes it again (services with a blue side). */
  skipForMs: z
    .preprocess(
      integerFromText,
      z
        .number({ error: "must be an integer 1000-3600000 (milliseconds)" })
        .int()
        .min(1000)
        .max(3_600_000),
    )
    .optional(),
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

/** The most requests one limit may allow per period. */
export const MAX_RATE_LIMIT = 1_000_000;

/**
 * One rate limit. `namespaceId` has no default: Cloudflare counts per namespace across the whole
 * account, so two stacks (or two limits) with the same id would share counters.
 */
const rateLimitSchema = (defaults: RateLimitRule) =>
  z.strictObject({
    namespaceId: z.preprocess(
      (value) => (typeof value === "number" && Number.isInteger(value) ? String(value) : value),
      matching(
        /^[1-9]\d{0,9}$/,
        "must be a positive integer, unique in the Cloudflare account (the binding's namespace_id)",
      ),
    ),
    limit: z
      .preprocess(
        integerFromText,
        z
          .number({ error: `must be an integer 1-${MAX_RATE_LIMIT} (requests per period)` })
          .int()
          .min(1)
          .max(MAX_RATE_LIMIT),
      )
      .default(defaults.limit),
    period: z
      .preprocess(
        integerFromText,
        z.union([z.literal(10), z.literal(60)], {
          error: "must be 10 or 60 (seconds; the only periods Cloudflare's rate limiting has)",
        }),
      )
      .default(defaults.period),
  });

const rateLimitsSchema = z.strictObject({
  login: rateLimitSchema(RATE_LIMITS.login),
  loginClient: rateLimitSchema(RATE_LIMITS.loginClient),
  register: rateLimitSchema(RATE_LIMITS.register),
  events: rateLimitSchema(RATE_LIMITS.events),
});

const DATABASE_SHAPE =
  'must be { name: "<new database>" } or { id: "<existing database uuid>" }, not both';

/** The database a stack uses: one it creates (and its read replication), or one it adopts. */
export type DatabaseChoice =
  | { name: string; readReplication: "disabled" | "auto" }
  | { id: string };

export const stackSchema = z.strictObject({
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
  /** `{ name }` creates a D1 database; `{ id }` adopts an existing one and creates nothing. */
  database: z
    .strictObject(
      {
        name: matching(
          /^[a-z0-9][a-z0-9-_]{0,62}$/,
          "must be a D1 database name (lowercase letters, digits, dashes)",
        ).optional(),
        id: matching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
          "must be a D1 database UUID",
        ).optional(),
        /** D1 read replication of the created database: "disabled" (default) or "auto". */
        readReplication: z
          .enum(["disabled", "auto"], { error: 'must be "disabled" or "auto"' })
          .optional(),
      },
      { error: DATABASE_SHAPE },
    )
    .superRefine((database, context) => {
      if ((database.name === undefined) === (database.id === undefined)) {
        context.addIssue({ code: "custom", message: DATABASE_SHAPE });
      } else if (database.id !== undefined && database.readReplication !== undefined) {
        context.addIssue({
          code: "custom",
          path: ["readReplication"],
          message:
            "cannot be set with database.id: an adopted database is not managed by this stack; set its replication where it was created (dashboard or wrangler)",
        });
      }
    })
    .transform(
      (database): DatabaseChoice =>
        database.id !== undefined
          ? { id: database.id }
          : { name: database.name ?? "", readReplication: database.readReplication ?? "disabled" },
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
  /** Where the router writes rollout health: a Workers Analytics Engine dataset. */
  telemetry: z
    .strictObject({
      dataset: matching(
        /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
        "must be an Analytics Engine dataset name (letters, digits, _; not starting with a digit)",
      ),
    })
    .optional(),
  /** The services' rate limits (Workers Rate Limiting); absent: none is declared or enforced. */
  rateLimits: rateLimitsSchema.optional(),
});

export type ParsedStack = z.infer<typeof stackSchema>;

export const SETTINGS = Object.keys(stackSchema.shape);

/** The setting names a strict object at `path` knows, for "did you mean". */
export function settingsAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return SETTINGS;
  if (path.length === 1 && path[0] === "monolith") return Object.keys(monolithSchema.shape);
  if (path.length === 1 && path[0] === "database") return ["name", "readReplication", "id"];
  if (path.length === 1 && path[0] === "telemetry") return ["dataset"];
  if (path.length === 1 && path[0] === "rateLimits") return [...RATE_LIMIT_NAMES];
  if (path.length === 2 && path[0] === "rateLimits") return ["namespaceId", "limit", "period"];
  if (path[0] !== "workers") return [];
  if (path.length === 2) return Object.keys(workerOverrides.shape);
  if (path.length === 3 && path[2] === "observability")
    return Object.keys(observabilitySchema.shape);
  if (path.length === 4 && path[3] === "logs") return Object.keys(logsSchema.shape);
  return [];
}

/**
 * Keys whose values are structured, and how one part is set with `--path`. Pulumi hands them over
 * as JSON strings; a plain string here was set without --path.
 */
export const STRUCTURED_KEYS: Record<string, { kind: "map" | "list"; part: string }> = {
  monolith: { kind: "map", part: ".<field>" },
  database: { kind: "map", part: ".<field>" },
  corsOrigins: { kind: "list", part: "[0]" },
  rollout: { kind: "map", part: ".<service>" },
  compatibilityFlags: { kind: "list", part: "[0]" },
  workers: { kind: "map", part: ".<worker>.<field>" },
  telemetry: { kind: "map", part: ".dataset" },
  rateLimits: { kind: "map", part: ".<limit>.<field>" },
};

/** How a zod type name reads after "must be". */
export const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  object: "a map",
  record: "a map",
  array: "a list",
};

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
