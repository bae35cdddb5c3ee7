// `npm run rollout`: moves one service's share of traffic by editing its stack file. Validates the
// whole config before and after, shows the offline plan diff of the change, then writes the file
// atomically with its comments kept, so any error leaves it exactly as it was.

import { ConfigError, parseStackConfig } from "../../infra/config.ts";
import {
  hasBlueSide,
  isServiceName,
  SERVICE_NAMES,
  type ServiceName,
} from "../../shared/workers.ts";
import { UsageError } from "../args.ts";
import { diffPlans, summarizeChanges } from "../plan/diff.ts";
import { offlinePlanOfText } from "../plan/view.ts";
import {
  offlineConfig,
  readStackFile,
  type StackFile,
  setConfigValue,
  writeStackFile,
} from "../stack-file.ts";

export interface RolloutOptions {
  /** Folder holding the `Pulumi.<stack>.yaml` files. */
  dir: string;
  stack: string | undefined;
  service: string | undefined;
  to: string | undefined;
  dryRun: boolean;
  /** Checkout whose program plans the change; undefined skips the plan diff (`--no-plan`). */
  planRoot: string | undefined;
}

export interface RolloutEdit {
  service: ServiceName;
  /** The weight the file states, else the default the config applies (0 with a monolith). */
  before: number;
  beforeIsDefault: boolean;
  after: number;
  /** The whole stack file after the edit. */
  text: string;
}

/** Runs the command; answers the exit code (2 for a wrong flag). Every line goes through `print`. */
export async function runRollout(
  options: RolloutOptions,
  print: (line: string) => void,
): Promise<number> {
  try {
    if (!options.stack) throw new UsageError("--stack is required");
    const service = parseService(options.service);
    const weight = parseWeight(options.to);
    const file = readStackFile(options.dir, options.stack);
    const edit = setRolloutWeight(file, service, weight);
    const was = `${edit.before}${edit.beforeIsDefault ? " (default)" : ""}`;
    if (edit.before === edit.after) {
      print(`rollout.${service} is already ${was} in ${file.source}; nothing to change`);
      return 0;
    }
    print(`${file.source}: rollout.${service}: ${was} → ${edit.after}`);
    if (options.planRoot) await printPlanDiff(options.planRoot, file, edit.text, print);
    if (options.dryRun) {
      print(`--dry-run: ${file.source} left unchanged`);
      return 0;
    }
    writeStackFile(file, edit.text);
    print(
      `wrote ${file.source}. Next: commit it and open a PR (CI previews it: only the router should change); merging to main runs \`pulumi up\`${file.stack === "prod" ? " after the production approval" : ""}.`,
    );
    return 0;
  } catch (error) {
    print(`error: ${(error as Error).message}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** The stack file with `platform:rollout.<service>` set, after checking the whole config still parses. */
export function setRolloutWeight(
  file: StackFile,
  service: ServiceName,
  weight: number,
): RolloutEdit {
  const before = checkedConfig(file, file.text, false);
  const text = setConfigValue(file.text, file.source, ["rollout", service], weight);
  checkedConfig(file, text, true);
  const stated = (offlineConfig(file.text, file.source)["platform:rollout"] ?? {}) as Record<
    string,
    unknown
  >;
  return {
    service,
    // The parsed config, not the YAML node: a weight the file spells "25" is 25.
    before: before.rollout[service],
    beforeIsDefault: stated[service] === undefined,
    after: weight,
    text,
  };
}

async function printPlanDiff(
  root: string,
  file: StackFile,
  after: string,
  print: (line: string) => void,
): Promise<void> {
  try {
    const base = await offlinePlanOfText(root, file.stack, file.text, file.source);
    const head = await offlinePlanOfText(root, file.stack, after, file.source);
    const changes = diffPlans(base, head);
    print("Offline plan of the change:");
    for (const change of changes) print(`  ${change.subject}: ${change.text}`);
    print(`  (${summarizeChanges(changes, head)})`);
    if (!changes.every((change) => change.subject === "router")) {
      print("warning: more than the router changes; review the plan before `pulumi up`");
    }
  } catch (error) {
    print(`warning: the offline plan could not run, so no plan diff: ${(error as Error).message}`);
  }
}

function parseService(value: string | undefined): ServiceName {
  if (value === undefined || !isServiceName(value)) {
    throw new UsageError(
      `--service must be one of ${SERVICE_NAMES.join(", ")}, got ${value === undefined ? "nothing" : `"${value}"`}`,
    );
  }
  if (!hasBlueSide(value)) {
    throw new UsageError(
      `--service ${value} has no blue side (the monolith never served it), so all of its traffic already goes to it; there is no weight to move`,
    );
  }
  return value;
}

function parseWeight(value: string | undefined): number {
  if (value !== undefined && /^\d{1,3}$/.test(value) && Number(value) <= 100) return Number(value);
  throw new UsageError(
    `--to must be an integer 0-100 (the share of traffic on the new service), got ${value === undefined ? "nothing" : `"${value}"`}`,
  );
}

function checkedConfig(file: StackFile, text: string, edited: boolean) {
  try {
    return parseStackConfig(offlineConfig(text, file.source), {
      stack: file.stack,
      source: file.source,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((p) => `  - ${p}`).join("\n");
    throw new Error(
      edited
        ? `the change would leave ${file.source} invalid, so nothing was written:\n${problems}`
        : `${file.source} is already invalid; fix it first:\n${problems}`,
    );
  }
}
