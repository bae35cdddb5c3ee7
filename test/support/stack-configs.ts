// The stack files as tests read them (with a test JWT key, never committed), and bad configs with
// the exact problem each must report: config tests check the messages, program tests check that
// none of them registers a resource.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { hasBlueSide, SERVICE_NAMES, type ServiceName } from "../../shared/workers.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

/** A JWT key for tests; assertions check it never shows up outside a secret. */
export const TEST_JWT_SECRET = "test-jwt-secret-0123456789-abcdefghijklmnop";

/** The `config` block of `Pulumi.<stack>.yaml`, as parsed YAML. */
export function stackFile(stack: string): Record<string, unknown> {
  return parse(readFileSync(resolve(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;
}

/** A stack file's config with the JWT key supplied (it is never committed) and `extra` on top. */
export function stackConfig(
  stack: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ...stackFile(stack), "platform:jwtSecret": TEST_JWT_SECRET, ...extra };
}

/**
 * The weights a stack file's `platform:rollout` means, for every service in the table: the file's
 * own, 0 for a service it leaves out (100 without a monolith), 100 for one with no blue side.
 */
export function rolloutOf(file: Record<string, unknown>): Record<ServiceName, number> {
  const written = (file["platform:rollout"] ?? {}) as Partial<Record<ServiceName, number>>;
  const missing = file["platform:monolith"] === undefined ? 100 : 0;
  return Object.fromEntries(
    SERVICE_NAMES.map((s) => [s, hasBlueSide(s) ? (written[s] ?? missing) : 100]),
  ) as Record<ServiceName, number>;
}

export interface BadConfig {
  case: string;
  /** Keys to set on top of the staging file (`undefined` removes a key). */
  change: Record<string, unknown>;
  problem: string;
}

/** Valid rate limits with one limit changed. */
const rateLimits = (change: Record<string, unknown>) => ({
  "platform:rateLimits": {
    login: { namespaceId: 1001 },
    loginClient: { namespaceId: 1002 },
    register: { namespaceId: 1003 },
    events: { namespaceId: 1004 },
    ...change,
  },
});

export const BAD_CONFIGS: BadConfig[] = [
  {
    case: "rate limit without a namespace id",
    change: rateLimits({ login: { limit: 5 } }),
    problem:
      "platform:rateLimits.login.namespaceId is required: run `pulumi config set --path platform:rateLimits.login.namespaceId <positive integer unique in the account> --stack staging`; each limit counts in its own namespace",
  },
  {
    case: "rate limit missing",
    change: rateLimits({ events: undefined }),
    problem:
      "platform:rateLimits.events is required: run `pulumi config set --path platform:rateLimits.events.namespaceId <positive integer unique in the account> --stack staging`; each limit counts in its own namespace",
  },
  {
    case: "rate limit namespace id not a positive integer",
    change: rateLimits({ login: { namespaceId: "abc" } }),
    problem:
      'platform:rateLimits.login.namespaceId must be a positive integer, unique in the Cloudflare account (the binding\'s namespace_id), got "abc"',
  },
  {
    case: "rate limit period other than 10 or 60",
    change: rateLimits({ register: { namespaceId: 1003, period: 30 } }),
    problem:
      "platform:rateLimits.register.period must be 10 or 60 (seconds; the only periods Cloudflare's rate limiting has), got 30",
  },
  {
    case: "rate limit of zero",
    change: rateLimits({ events: { namespaceId: 1004, limit: 0 } }),
    problem:
      "platform:rateLimits.events.limit must be an integer 1-1000000 (requests per period), got 0",
  },
  {
    case: "two rate limits in one namespace",
    change: rateLimits({ register: { namespaceId: 1001 } }),
    problem:
      "platform:rateLimits.register.namespaceId 1001 is also rateLimits.login's; give each limit its own namespace, or they share one counter",
  },
  {
    case: "unknown rate limit",
    change: rateLimits({ logins: { namespaceId: 1005 } }),
    problem: "platform:rateLimits.logins is not a known setting; did you mean login?",
  },
  {
    case: "deadline too short",
    change: { "platform:workers": { investor: { deadlineMs: 50 } } },
    problem:
      "platform:workers.investor.deadlineMs must be an integer 100-600000 (milliseconds), got 50",
  },
  {
    case: "deadline on the router",
    change: { "platform:workers": { router: { deadlineMs: 5000 } } },
    problem:
      "platform:workers.router.deadlineMs cannot be set: the router has no deadline of its own; set it on the workers it calls (workers.<service>.deadlineMs, workers.monolith.deadlineMs)",
  },
  {
    case: "skip settings on the monolith",
    change: { "platform:workers": { monolith: { skipAfterFailures: 3 } } },
    problem:
      "platform:workers.monolith.skipAfterFailures can only be set for a service (only services are skipped)",
  },
  {
    case: "skip pause too short",
    change: { "platform:workers": { browse: { skipForMs: "10" } } },
    problem:
      'platform:workers.browse.skipForMs must be an integer 1000-3600000 (milliseconds), got "10"',
  },
  {
    case: "weight 150",
    change: { "platform:rollout": { investor: 150 } },
    problem: "platform:rollout.investor must be an integer 0-100, got 150",
  },
  {
    case: "weight -1",
    change: { "platform:rollout": { creator: -1 } },
    problem: "platform:rollout.creator must be an integer 0-100, got -1",
  },
  {
    case: "unknown service in rollout",
    change: { "platform:rollout": { nosuchservice: 10 } },
    problem: `platform:rollout.nosuchservice is not a service; expected one of ${SERVICE_NAMES.join(", ")}`,
  },
  {
    case: "missing accountId",
    change: { "platform:accountId": undefined },
    problem: "platform:accountId is required",
  },
  {
    case: "bad hostname",
    change: { "platform:hostname": "https://api.example.com/" },
    problem:
      'platform:hostname must be a hostname like "api.example.com" (no scheme, path or port), got "https://api.example.com/"',
  },
  {
    case: "duplicate path prefix",
    change: { "platform:workers": { investor: { pathPrefixes: ["/api/creator"] } } },
    problem:
      'platform:workers.investor.pathPrefixes has "/api/creator", already served by "creator"; each path prefix belongs to one worker',
  },
  {
    case: "missing jwtSecret",
    change: { "platform:jwtSecret": undefined },
    problem:
      "platform:jwtSecret is required: run `pulumi config set --secret platform:jwtSecret <at least 32 random characters> --stack staging`",
  },
  {
    case: "weight below 100 without a monolith",
    change: { "platform:monolith": undefined, "platform:rollout": { investor: 50 } },
    problem:
      "platform:rollout.investor must be 100 when no monolith is configured (there is no blue side), got 50",
  },
  {
    case: "weight that is no integer",
    change: { "platform:rollout": { investor: "fifty" } },
    problem: 'platform:rollout.investor must be an integer 0-100, got "fifty"',
  },
  {
    case: "boolean that is no boolean",
    change: { "platform:monolith": { scriptName: "pitch-api", deployStandIn: "yes" } },
    problem: 'platform:monolith.deployStandIn must be true or false, got "yes"',
  },
  {
    case: "account id given as a number",
    change: { "platform:accountId": 12345 },
    problem:
      "platform:accountId must be a 32-character lowercase hex Cloudflare account id, got 12345",
  },
  {
    case: "rollout given as a list",
    change: { "platform:rollout": [50] },
    problem: "platform:rollout must be a map, got [50]",
  },
  {
    case: "monolith given as a plain string",
    change: { "platform:monolith": "pitch-api" },
    problem:
      'platform:monolith must be a map, got "pitch-api"; set one field at a time with `pulumi config set --path platform:monolith.<field> <value>`',
  },
  {
    case: "CORS origins given as one string",
    change: { "platform:corsOrigins": "https://app.example.com" },
    problem:
      "platform:corsOrigins must be a list, got \"https://app.example.com\"; set one item at a time with `pulumi config set --path 'platform:corsOrigins[0]' <value>`",
  },
  {
    case: "CORS origin with a path",
    change: { "platform:corsOrigins": ["https://app.example.com/app"] },
    problem:
      'platform:corsOrigins[0] must be an origin like "https://app.example.com" (scheme and host, no path), got "https://app.example.com/app"',
  },
  {
    case: "nested value set without --path",
    change: { "platform:rollout.investor": "50" },
    problem:
      "platform:rollout.investor is not a known setting: it was set without --path, so Pulumi keeps it apart from platform:rollout; run `pulumi config rm platform:rollout.investor` and `pulumi config set --path platform:rollout.investor <value>`",
  },
  {
    case: "key in a misspelt namespace",
    change: { "platfrom:rollout": { investor: 50 } },
    problem:
      'platfrom:rollout is in namespace "platfrom", which this program does not read; did you mean platform:rollout?',
  },
  {
    case: "misspelt key",
    change: { "platform:hostnme": "api.example.com" },
    problem: "platform:hostnme is not a known setting; did you mean platform:hostname?",
  },
  {
    case: "misspelt nested key",
    change: { "platform:monolith": { scriptname: "pitch-api" } },
    problem: "platform:monolith.scriptname is not a known setting; did you mean scriptName?",
  },
  {
    case: "compatibility date that is no date",
    change: { "platform:compatibilityDate": "2025-13-45" },
    problem: 'platform:compatibilityDate must be a date like 2025-09-01, got "2025-13-45"',
  },
  {
    case: "monolith named like a generated script",
    change: { "platform:monolith": { scriptName: "pitch-staging-router" } },
    problem:
      'platform:monolith.scriptName "pitch-staging-router" is the name of the router script this stack deploys; use the existing monolith\'s script name',
  },
];

/** `base` with `change` applied; an `undefined` value removes the key. */
export function withChange(
  base: Record<string, unknown>,
  change: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete merged[key];
  return merged;
}
