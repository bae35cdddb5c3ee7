// The stack config the local platform runs with: Pulumi.<stack>.yaml as the program reads it,
// plus the local JWT key, `--rollout` overrides and the stand-in monolith, all checked by the
// program's own parseStackConfig so a bad value reads exactly as it would on `pulumi up`.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, PROJECT, parseStackConfig, type StackConfig } from "../../infra/config.ts";
import { stackFilePath } from "../plan/stack-file.ts";
import { FlagError } from "./flags.ts";

export interface LocalConfigInput {
  root: string;
  stack: string;
  jwtSecret: string;
  rolloutOverrides: Readonly<Record<string, number | string>>;
}

export function knownStacks(root: string): string[] {
  return readdirSync(root)
    .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** Reads a stack file's `config:` map; throws FlagError for an unknown stack. */
export function readStackFile(root: string, stack: string): Record<string, unknown> {
  const path = stackFilePath(root, stack);
  if (!existsSync(path)) {
    throw new FlagError(
      `unknown stack "${stack}": there is no Pulumi.${stack}.yaml; expected one of ${knownStacks(root).join(", ") || "(none)"}`,
    );
  }
  let document: unknown;
  try {
    document = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`Pulumi.${stack}.yaml`, [
      `is not valid YAML: ${(error as Error).message.split("\n")[0]}`,
    ]);
  }
  const config = (document as { config?: unknown } | null)?.config;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new ConfigError(`Pulumi.${stack}.yaml`, ["has no `config:` map"]);
  }
  return config as Record<string, unknown>;
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

/** The raw config (what `planPlatform` takes) and its checked form. */
export function localStack(input: LocalConfigInput): {
  raw: Record<string, unknown>;
  config: StackConfig;
} {
  const raw = localRawConfig(readStackFile(input.root, input.stack), input);
  const overridden = Object.keys(input.rolloutOverrides).length > 0;
  const config = parseStackConfig(raw, {
    stack: input.stack,
    source: `Pulumi.${input.stack}.yaml${overridden ? " with --rollout" : ""}`,
  });
  return { raw, config };
}

export function loadLocalStackConfig(input: LocalConfigInput): StackConfig {
  return localStack(input).config;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
