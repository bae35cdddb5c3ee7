// `npm run rollout`: moves a service's share of traffic by editing Pulumi.<stack>.yaml (see
// docs/release.md); `pulumi up` then updates only the router.

import { resolve } from "node:path";
import { runCommand } from "../args.ts";
import { ROLLOUT_COMMAND, runRollout } from "./command.ts";

await runCommand(ROLLOUT_COMMAND, (flags) =>
  runRollout(flags, resolve(import.meta.dirname, "../.."), (line) =>
    line.startsWith("error:") ? console.error(line) : console.log(line),
  ),
);
