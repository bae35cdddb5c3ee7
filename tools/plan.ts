// `npm run plan -- --stack <name> [--json | --markdown] [--base <git-ref>]`: the offline plan.
// Runs the real program under Pulumi mocks with the stack file's config (no credentials) and
// prints every worker, the rollout and the resources; with --base, only what changes.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { planAtRef } from "./plan/base.ts";
import { diffPlans } from "./plan/diff.ts";
import { formatDiff, formatPlan } from "./plan/format.ts";
import type { Plan } from "./plan/model.ts";
import { planOfConfig } from "./plan/program.ts";
import { budgetReport, DEFAULT_GROWTH_THRESHOLD } from "./plan/report.ts";
import { readOfflineConfig, stackFilePath } from "./plan/stack-file.ts";

const USAGE = `usage: npm run plan -- --stack <staging|prod> [--json | --markdown] [--base <git-ref>] [--growth-threshold <percent>] [--stack-file <path>]`;
const ROOT = resolve(import.meta.dirname, "..");

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let flags: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      stack: { type: "string" },
      json: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
      base: { type: "string" },
      "growth-threshold": { type: "string", default: String(DEFAULT_GROWTH_THRESHOLD) },
      "stack-file": { type: "string" },
      help: { type: "boolean", default: false },
    },
  }).values;
}
try {
  flags = parse();
} catch (error) {
  usage((error as Error).message);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const stack = flags.stack ?? usage("--stack is required");
if (!/^[a-z0-9][a-z0-9-]*$/.test(stack)) usage(`--stack must be a stack name, got "${stack}"`);
if (flags.json && flags.markdown) usage("--json and --markdown cannot be combined");
const threshold = Number(flags["growth-threshold"]);
if (!Number.isFinite(threshold) || threshold < 0) {
  usage(`--growth-threshold must be a percentage ≥ 0, got "${flags["growth-threshold"]}"`);
}

try {
  const stackFile = flags["stack-file"] ? resolve(flags["stack-file"]) : stackFilePath(ROOT, stack);
  const head = await planOfConfig({ root: ROOT, stack, config: readOfflineConfig(stackFile) });
  const base = flags.base ? planAtRef({ root: ROOT, ref: flags.base, stack }) : undefined;
  const baseLabel = flags.base ?? "base";
  const changes = flags.base ? diffPlans(base?.plan ?? emptyPlan(stack), head) : undefined;

  if (flags.json) {
    // With --base the changes come along; the plan's own fields stay as they are without it.
    const against = flags.base
      ? { base: { ref: baseLabel, ...(base?.note ? { note: base.note } : {}) }, changes }
      : {};
    console.log(JSON.stringify({ ...head, ...against }, null, 2));
  } else if (flags.markdown) {
    process.stdout.write(
      budgetReport(head, {
        ...(base?.plan ? { base: base.plan } : {}),
        baseLabel,
        ...(changes ? { changes } : {}),
        ...(base?.note ? { baseNote: base.note } : {}),
        growthThresholdPercent: threshold,
      }),
    );
  } else if (changes) {
    if (base?.note) console.log(`note: ${base.note}`);
    console.log(formatDiff(changes, head, baseLabel));
  } else {
    console.log(formatPlan(head));
  }

  if (head.problems.length > 0) {
    console.error(
      `plan for stack "${stack}" has problems:\n${head.problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    process.exit(1);
  }
} catch (error) {
  // ConfigError and BudgetError already list every problem, each naming its key or worker.
  const message = error instanceof Error ? error.message : String(error);
  if (flags.markdown) {
    process.stdout.write(
      `### Offline plan failed: stack \`${stack}\`\n\n\`\`\`\n${message}\n\`\`\`\n`,
    );
  }
  console.error(message);
  process.exit(1);
}

function emptyPlan(name: string): Plan {
  return {
    version: 1,
    stack: name,
    workers: [],
    rollout: {},
    migrations: [],
    resources: [],
    problems: [],
  };
}
