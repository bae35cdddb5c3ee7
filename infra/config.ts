// Stack config: the interface platform engineers and release managers use. Parsed with zod before
// any resource exists; every problem is reported at once, each naming its key, what was expected
// and what was found.

import type * as z from "zod";
import {
  hasBlueSide,
  isServiceName,
  isWorkerName,
  SERVICE_NAMES,
  type ServiceName,
  WORKER_NAMES,
  type WorkerName,
} from "../shared/workers.ts";
import { closestName } from "./closest-name.ts";
import {
  DEFAULT_COMPATIBILITY_DATE,
  EXPECTED,
  integerFromText,
  type ParsedStack,
  PROJECT,
  SETTINGS,
  STRUCTURED_KEYS,
  settingsAt,
  stackSchema,
  type WorkerOverrides,
} from "./config-schema.ts";
import { topologyProblems, workersFor } from "./topology.ts";

export { DEFAULT_COMPATIBILITY_DATE, PROJECT, type WorkerOverrides };

export interface StackConfig extends Omit<ParsedStack, "rollout" | "workers"> {
  /** Stack name, e.g. `staging`. */
  stack: string;
  /**
   * Every service's weight, defaults filled in: 0 with a monolith, 100 without, and always 100
   * for a service with no blue side.
   */
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
  // Extra path prefixes are checked against the table's own, which topology.ts owns.
  if (parsed.success && problems.length === 0) {
    problems.push(...topologyProblems(workersFor(parsed.data.workers)));
  }
  if (problems.length > 0 || !parsed.success) {
    throw new ConfigError(
      source,
      [...new Set(problems)].map((p) => withStack(p, options.stack)),
    );
  }
  const data = parsed.data;
  const fallbackWeight = data.monolith ? 0 : 100;
  const rollout = Object.fromEntries(
    SERVICE_NAMES.map((name) => [
      name,
      hasBlueSide(name) ? (data.rollout[name] ?? fallbackWeight) : 100,
    ]),
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
    if (issue.path[0] === "rateLimits") {
      const id = issue.path.length === 2 ? `${key}.namespaceId` : key;
      return [
        `${key} is required: run \`pulumi config set --path ${id} <positive integer unique in the account> --stack <stack>\`; each limit counts in its own namespace`,
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
    if (!isServiceName(name)) {
      problems.push(
        `${PROJECT}:rollout.${name} is not a service; expected one of ${SERVICE_NAMES.join(", ")}`,
      );
    } else if (!hasBlueSide(name)) {
      problems.push(
        `${PROJECT}:rollout.${name} cannot be set: ${name} is new functionality the monolith never served (no blue side), so all of its traffic goes to it; remove the weight`,
      );
    } else if (values.monolith === undefined && integerFromText(value) !== 100) {
      problems.push(
        `${PROJECT}:rollout.${name} must be 100 when no monolith is configured (there is no blue side), got ${JSON.stringify(value)}`,
      );
    }
  }
  problems.push(...scriptNameClash(values));
  problems.push(...sharedNamespaces(values));
  const workers = isRecord(values.workers) ? values.workers : {};
  for (const [name, overrides] of Object.entries(workers)) {
    if (!isWorkerName(name)) {
      problems.push(
        `${PROJECT}:workers.${name} is not a worker; expected one of ${WORKER_NAMES.join(", ")}`,
      );
    } else if (isRecord(overrides)) {
      problems.push(...overrideProblems(name, overrides));
    }
  }
  return problems;
}

/** Settings that only some kinds of worker have. */
function overrideProblems(name: WorkerName, overrides: Record<string, unknown>): string[] {
  const key = (setting: string) => `${PROJECT}:workers.${name}.${setting}`;
  const set = (setting: string) => overrides[setting] !== undefined;
  const problems: string[] = [];
  if (set("pathPrefixes") && !isServiceName(name)) {
    problems.push(`${key("pathPrefixes")} can only be set for a service`);
  }
  if (set("deadlineMs") && name === "router") {
    problems.push(
      `${key("deadlineMs")} cannot be set: the router has no deadline of its own; set it on the workers it calls (workers.<service>.deadlineMs, workers.monolith.deadlineMs)`,
    );
  }
  for (const setting of ["skipAfterFailures", "skipForMs"].filter(set)) {
    if (!isServiceName(name)) {
      problems.push(`${key(setting)} can only be set for a service (only services are skipped)`);
    } else if (!hasBlueSide(name)) {
      problems.push(
        `${key(setting)} cannot be set: ${name} has no blue side, so there is no monolith to skip to`,
      );
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

/** Two limits in one namespace would share their counters. */
function sharedNamespaces(values: Record<string, unknown>): string[] {
  const limits = isRecord(values.rateLimits) ? values.rateLimits : {};
  const owner = new Map<string, string>();
  const problems: string[] = [];
  for (const [name, limit] of Object.entries(limits)) {
    const id = isRecord(limit) ? limit.namespaceId : undefined;
    if (typeof id !== "string" && typeof id !== "number") continue;
    const first = owner.get(String(id));
    if (first) {
      problems.push(
        `${PROJECT}:rateLimits.${name}.namespaceId ${String(id)} is also rateLimits.${first}'s; give each limit its own namespace, or they share one counter`,
      );
    }
    owner.set(String(id), name);
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
