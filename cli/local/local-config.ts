// The raw stack config the local platform plans with: the stack file as the offline plan reads it,
// plus the local JWT key, `--rollout` overrides and the stand-in monolith. The program's own
// parser then checks it, so a bad value reads exactly as it would on `pulumi up`.

import { PROJECT } from "../../infra/config.ts";
import { offlineConfig, readStackFile } from "../stack-file.ts";

export interface LocalConfigInput {
  root: string;
  /** `--stack` as given (`staging`, `org/staging`, …). */
  stack: string;
  jwtSecret: string;
  rolloutOverrides: Readonly<Record<string, number | string>>;
}

/** The stack's name, its raw config for `planPlatform`, and where it came from (for errors). */
export function localStack(input: LocalConfigInput): {
  stack: string;
  raw: Record<string, unknown>;
  source: string;
} {
  const file = readStackFile(input.root, input.stack);
  const overridden = Object.keys(input.rolloutOverrides).length > 0;
  return {
    stack: file.stack,
    raw: localRawConfig(offlineConfig(file.text, file.source), input),
    source: `${file.source}${overridden ? " with --rollout" : ""}`,
  };
}

/**
 * The raw config with the local changes applied. Pure. Locally the stand-in monolith always
 * runs as the blue side, so a stack without one (migration finished) gets it too.
 */
export function localRawConfig(
  fromFile: Readonly<Record<string, unknown>>,
  input: Pick<LocalConfigInput, "jwtSecret" | "rolloutOverrides">,
): Record<string, unknown> {
  const key = (name: string) => `${PROJECT}:${name}`;
  const raw: Record<string, unknown> = { ...fromFile, [key("jwtSecret")]: input.jwtSecret };
  const monolith = raw[key("monolith")];
  const scriptName =
    isRecord(monolith) && typeof monolith.scriptName === "string"
      ? monolith.scriptName
      : `${String(raw[key("namePrefix")] ?? "pitch-local")}-monolith`;
  raw[key("monolith")] = { scriptName, deployStandIn: true };
  if (Object.keys(input.rolloutOverrides).length > 0) {
    const rollout = raw[key("rollout")];
    raw[key("rollout")] = { ...(isRecord(rollout) ? rollout : {}), ...input.rolloutOverrides };
  }
  return raw;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
