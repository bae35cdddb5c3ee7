// `npm run rollout -- --stack prod --service investor --to 50 [--dry-run] [--no-plan]`: moves a
// service's share of traffic by editing Pulumi.<stack>.yaml; see docs/release.md.

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { offlinePlanDiff, runRollout } from "./rollout/command.ts";

const USAGE =
  "usage: npm run rollout -- --stack <staging|prod> --service <name> --to <0-100> [--dry-run] [--no-plan]";
const ROOT = resolve(import.meta.dirname, "..");

let values: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      stack: { type: "string" },
      service: { type: "string" },
      to: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      "no-plan": { type: "boolean", default: false },
      dir: { type: "string" },
      help: { type: "boolean", default: false },
    },
  }).values;
}
try {
  values = parse();
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const stack = values.stack;
const code = await runRollout(
  {
    dir: resolve(values.dir ?? ROOT),
    stack,
    service: values.service,
    to: values.to,
    dryRun: values["dry-run"],
    planDiff: values["no-plan"] || !stack ? false : offlinePlanDiff(ROOT, stack),
  },
  (line) => (line.startsWith("error:") ? console.error(line) : console.log(line)),
);
process.exit(code);
