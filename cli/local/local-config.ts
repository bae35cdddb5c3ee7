// The raw stack config the local platform plans with: the stack file as the offline plan reads it,
// plus the local JWT key, `--rollout` overrides and the stand-in monolith. The program's own
// parser then checks it, so a bad value reads exactly as it would on `pulumi up`.

import { PROJECT } from "../../infra/config.ts";
import { isRecord, offlineConfig, readStackFile } from "../stack-file.ts";
import type { StartOptions } from "./flags.ts";

/** The stack's name, its raw config for `planPlatform`, and where it came from (for errors). */
export function localStack(
  root: string,
  flags: Pick<StartOptions, "stack" | "rollout">,
  jwtSecret: string,
) {
  const file = readStackFile(root, flags.stack);
  const overridden = Object.keys(flags.rollout).length > 0;
  return {
    stack: file.stack,
    config: localRawConfig(offlineConfig(file.text, file.source), flags.rollout, jwtSecret),
    source: `${file.source}${overridden ? " with --rollout" : ""}`,
  };
}

/**
 * The raw config with the local changes applied. Pure. Locally the stand-in monolith always
 * runs as the blue side, so a stack without one (migration finished) gets it too.
 */
export function localRawConfig(
  fromFile: Readonly<Record<string, unknown>>,
  rollout: StartOptions["rollout"],
  jwtSecret: string,
): Record<string, unknown> {
  const key = (name: string) => `${PROJECT}:${name}`;
  const raw: Record<string, unknown> = { ...fromFile, [key("jwtSecret")]: jwtSecret };
  const monolith = raw[key("monolith")];
  const scriptName =
    isRecord(monolith) && typeof monolith.scriptName === "string"
      ? monolith.scriptName
      : `${String(raw[key("namePrefix")] ?? "pitch-local")}-monolith`;
  raw[key("monolith")] = { scriptName, deployStandIn: true };
  if (Object.keys(rollout).length > 0) {
    const fileRollout = raw[key("rollout")];
    raw[key("rollout")] = { ...(isRecord(fileRollout) ? fileRollout : {}), ...rollout };
  }
  return raw;
}
