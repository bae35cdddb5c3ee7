// `npm run rollout`: moves a service's share of traffic by editing Pulumi.<stack>.yaml (see
// docs/release.md); `pulumi up` then updates only the router.

import { resolve } from "node:path";
import { COMMON_FLAGS, runCommand } from "../args.ts";
import { runRollout } from "./command.ts";

const ROOT = resolve(import.meta.dirname, "../..");

const COMMAND = {
  usage: "npm run rollout -- --stack <name> --service <name> --to <0-100> [--dry-run] [--no-plan]",
  summary:
    "Sets one service's rollout weight (its share of traffic on the new service) in the stack file, keeping comments, after checking the whole config and showing the offline plan diff.",
  flags: {
    stack: COMMON_FLAGS.stack,
    service: { type: "string", value: "<name>", help: "the service whose weight moves" },
    to: { type: "string", value: "<0-100>", help: "the new weight" },
    "dry-run": { type: "boolean", help: "show the change and its plan diff, write nothing" },
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
  ],
} as const;

await runCommand(COMMAND, (flags) =>
  runRollout(
    {
      dir: resolve(flags.dir ?? ROOT),
      stack: flags.stack,
      service: flags.service,
      to: flags.to,
      dryRun: flags["dry-run"] ?? false,
      planRoot: flags["no-plan"] ? undefined : ROOT,
    },
    (line) => (line.startsWith("error:") ? console.error(line) : console.log(line)),
  ),
);
