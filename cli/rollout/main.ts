// `npm run rollout`: moves a service's share of traffic by editing Pulumi.<stack>.yaml (see
// docs/release.md); `pulumi up` then updates only the router.

import { runCommand } from "../args.ts";
import { REPO_ROOT } from "../stack-file.ts";
import { ROLLOUT_COMMAND, runRollout } from "./command.ts";

await runCommand(ROLLOUT_COMMAND, (flags) =>
  runRollout(flags, REPO_ROOT, (line) =>
    line.startsWith("error:") ? console.error(line) : console.log(line),
  ),
);
