// `npm run rollout`: moves one service's share of traffic by editing its stack file. Validates the
// whole config before and after, shows the offline plan diff of the change, then writes the file
// atomically with its comments kept, so any error leaves it exactly as it was.

import { resolve } from "node:path";
import { ConfigError, parseStackConfig } from "../../infra/config.ts";
import {
  hasBlueSide,
  isServiceName,
  SERVICE_NAMES,
  type ServiceName,
} from "../../shared/workers.ts";
import { COMMON_FLAGS, type FlagValues, UsageError } from "../args.ts";
import { diffPlans, summarizeChanges } from "../plan/diff.ts";
import { offlinePlanOfText } from "../plan/view.ts";
import {
  offlineConfig,
  readStackFile,
  type StackFile,
  setConfigValue,
  writeStackFile,
} from "../stack-file.ts";
import { runGated, runStatus } from "./gated.ts";

export const ROLLOUT_COMMAND = {
  usage:
    "npm run rollout -- --stack <name> --service <name> (--to <0-100> | --auto [gate flags]) [--dry-run] [--no-plan] | --status",
  summary:
    "Sets one service's rollout weight (its share of traffic on the new service) in the stack file, keeping comments, after checking the whole config and showing the offline plan diff. With --auto, raises it step by step while the new side is as healthy as the monolith, and rolls back when it is not; --status shows both sides' health. --local --url does the same on a running local platform.",
  flags: {
    stack: COMMON_FLAGS.stack,
    local: { type: "boolean", help: "act on the local platform at --url instead of a stack" },
    url: {
      ...COMMON_FLAGS.url,
      help: "the local platform, with --local (default http://127.0.0.1:8787)",
    },
    service: { type: "string", value: "<name>", help: "the service whose weight moves" },
    to: { type: "string", value: "<0-100>", help: "the new weight" },
    "dry-run": { type: "boolean", help: "show the change (or the --auto plan), change nothing" },
    auto: {
      type: "boolean",
      help: "gated rollout: step, wait, judge both sides, promote or roll back",
    },
    steps: {
      type: "string",
      value: "<list>",
      help: "--auto weights, rising (default 5,25,50,100)",
    },
    interval: {
      type: "string",
      value: "<30s|10m|1h>",
      help: "--auto wait per step and look (default 10m)",
    },
    "min-samples": {
      type: "string",
      value: "<n>",
      help: "requests of the new side per look (default 200)",
    },
    threshold: { type: "string", value: "<n>", help: "failed checks that roll back (default 2)" },
    "max-error-delta": {
      type: "string",
      value: "<points>",
      help: "error rate allowed over the monolith's, percentage points (default 1)",
    },
    "max-p99-ratio": {
      type: "string",
      value: "<x>",
      help: "p99 allowed over the monolith's (default 1.5)",
    },
    "p99-slack": {
      type: "string",
      value: "<ms>",
      help: "p99 differences this small never fail the check (default 10)",
    },
    "max-inconclusive": {
      type: "string",
      value: "<n>",
      help: "inconclusive looks per step before rolling back, exit 3 (default 3)",
    },
    "hard-error-rate": {
      type: "string",
      value: "<percent>",
      help: "new side error rate that rolls back at once (default 5)",
    },
    log: {
      type: "string",
      value: "<file>",
      help: "--auto step log (default rollouts/<stack>.jsonl)",
    },
    commit: {
      type: "boolean",
      help: "--auto in CI: commit and push the weight and log line after each step",
    },
    status: { type: "boolean", help: "each service's weight and both sides' health" },
    window: { type: "string", value: "<30s|10m|1h>", help: "--status window (default 5m)" },
    "no-plan": { type: "boolean", help: "skip the offline plan diff" },
    dir: {
      type: "string",
      value: "<folder>",
      help: "where the stack files are (default: the repo)",
    },
  },
  examples: [
    "npm run rollout -- --stack prod --service investor --to 50    # then commit and open a PR",
    "npm run rollout -- --stack prod --service investor --to 0     # roll back",
    "npm run rollout -- --stack prod --service investor --auto --steps 5,25,50,100 --interval 10m",
    "npm run rollout -- --local --url http://127.0.0.1:8787 --service browse --auto --interval 30s",
    "npm run rollout -- --stack prod --status --window 15m",
  ],
} as const;

/**
 * Runs the command on the stack files in `--dir` (default `root`), planning the change with
 * `root`'s program. Every line goes through `print`; answers the exit code (2 for a wrong flag).
 */
export async function runRollout(
  flags: FlagValues<typeof ROLLOUT_COMMAND.flags>,
  root: string,
  print: (line: string) => void,
): Promise<number> {
  try {
    if (flags.status) return await runStatus(flags, root, print);
    if (flags.auto) return await runGated(flags, root, print);
    if (flags.local) throw new UsageError("--local works with --auto or --status");
    if (!flags.stack) throw new UsageError("--stack is required");
    const service = parseService(flags.service);
    const weight = parseWeight(flags.to);
    const file = readStackFile(resolve(flags.dir ?? root), flags.stack);
    const edit = setRolloutWeight(file, service, weight);
    const was = `${edit.before}${edit.beforeIsDefault ? " (default)" : ""}`;
    if (edit.before === edit.after) {
      print(`rollout.${service} is already ${was} in ${file.source}; nothing to change`);
      return 0;
    }
    print(`${file.source}: rollout.${service}: ${was} → ${edit.after}`);
    if (!flags["no-plan"]) await printPlanDiff(root, file, edit.text, print);
    if (flags["dry-run"]) {
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
export function setRolloutWeight(file: StackFile, service: ServiceName, weight: number) {
  const before = checkedConfig(file, file.text, false);
  const text = setConfigValue(file.text, file.source, ["rollout", service], weight);
  checkedConfig(file, text, true);
  const stated = offlineConfig(file.text, file.source)["platform:rollout"];
  return {
    // The parsed config, not the YAML node: a weight the file spells "25" is 25, and one it does
    // not state is the default the config applies (0 with a monolith).
    before: before.rollout[service],
    beforeIsDefault: (stated as Record<string, unknown> | undefined)?.[service] === undefined,
    after: weight,
    /** The whole stack file after the edit. */
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

const given = (value: string | undefined) => (value === undefined ? "nothing" : `"${value}"`);

function parseService(value: string | undefined): ServiceName {
  if (value === undefined || !isServiceName(value)) {
    throw new UsageError(
      `--service must be one of ${SERVICE_NAMES.join(", ")}, got ${given(value)}`,
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
    `--to must be an integer 0-100 (the share of traffic on the new service), got ${given(value)}`,
  );
}

function checkedConfig(file: StackFile, text: string, edited: boolean) {
  try {
    return parseStackConfig(offlineConfig(text, file.source), file);
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
