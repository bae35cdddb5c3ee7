// `npm run plan`: the offline plan. Runs the real program under the preview harness with the stack
// file's config (no credentials) and prints views of its plan: every worker against its budget, the
// rollout and the resources; with --base, only what changes against another commit.

import { readFileSync } from "node:fs";
import { COMMON_FLAGS, runCommand, UsageError } from "../args.ts";
import { REPO_ROOT, readStackFile } from "../stack-file.ts";
import { planAtRef } from "./base.ts";
import { diffPlans } from "./diff.ts";
import { budgetReport, DEFAULT_GROWTH_THRESHOLD, formatDiff, formatPlan } from "./format.ts";
import { offlinePlanOfText } from "./view.ts";

const COMMAND = {
  usage: "npm run plan -- --stack <name> [--json | --markdown] [--base <git ref>]",
  summary:
    "Plans a stack offline: runs the Pulumi program under mocks with the stack file's config (no credentials, no Pulumi CLI) and prints its workers, budgets, rollout and resources.",
  flags: {
    stack: COMMON_FLAGS.stack,
    json: COMMON_FLAGS.json,
    markdown: { type: "boolean", help: "print the budget report CI posts on pull requests" },
    base: {
      type: "string",
      value: "<git ref>",
      help: "show only what changes against that commit",
    },
    "stack-file": {
      type: "string",
      value: "<path>",
      help: "read the stack's config from this file instead of Pulumi.<stack>.yaml",
    },
    "growth-threshold": {
      type: "string",
      value: "<percent>",
      help: `call out a worker whose gzip size grows more than this (default ${DEFAULT_GROWTH_THRESHOLD})`,
    },
  },
  examples: [
    "npm run plan -- --stack prod                       # everything the prod stack declares",
    "npm run plan -- --stack prod --base origin/main    # router: rollout.investor 25 → 50",
    "npm run plan -- --stack staging --markdown --base origin/main > report.md",
  ],
} as const;

await runCommand(COMMAND, async (flags) => {
  if (!flags.stack) throw new UsageError("--stack is required");
  if (flags.json && flags.markdown)
    throw new UsageError("--json and --markdown cannot be combined");
  const threshold = Number(flags["growth-threshold"] ?? DEFAULT_GROWTH_THRESHOLD);
  if (!Number.isFinite(threshold) || threshold < 0) {
    throw new UsageError(
      `--growth-threshold must be a percentage ≥ 0, got ${JSON.stringify(flags["growth-threshold"])}`,
    );
  }
  const file = readStackFile(REPO_ROOT, flags.stack);
  const { stack } = file;
  try {
    const path = flags["stack-file"];
    const [text, source] = path ? [readFileSync(path, "utf8"), path] : [file.text, file.source];
    const head = await offlinePlanOfText(REPO_ROOT, stack, text, source);
    const base = flags.base ? planAtRef({ root: REPO_ROOT, ref: flags.base, stack }) : undefined;
    if (flags.json) {
      const changes = base && diffPlans(base.plan, head);
      const against = base && { base: { ref: base.ref, note: base.note }, changes };
      console.log(JSON.stringify({ ...head, ...against }, null, 2));
    } else if (flags.markdown) {
      process.stdout.write(budgetReport(head, { base, growthThresholdPercent: threshold }));
    } else {
      console.log(base ? formatDiff(base, head) : formatPlan(head));
    }
    return 0;
  } catch (error) {
    // ConfigError and BudgetError already list every problem, each naming its key or worker.
    const message = error instanceof Error ? error.message : String(error);
    if (flags.markdown) {
      process.stdout.write(
        `### Offline plan failed: stack \`${stack}\`\n\n\`\`\`\n${message}\n\`\`\`\n`,
      );
    }
    console.error(message);
    return 1;
  }
});
