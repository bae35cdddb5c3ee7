// The stack files (`Pulumi.<stack>.yaml`) as every command reads and writes them: the one stack-name
// rule, finding and listing them, their config for offline use (no key needed or printed), and an
// edit that keeps the release manager's comments, written atomically.

import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isMap, parseDocument } from "yaml";
import { PROJECT } from "../infra/config.ts";
import { UsageError } from "./args.ts";

/** The checkout the commands run from: the Pulumi program and, by default, its stack files. */
export const REPO_ROOT = resolve(import.meta.dirname, "..");

/** Long enough to pass validation; obviously not a real key. */
export const PLACEHOLDER_JWT_SECRET = "offline-placeholder-jwt-secret-not-a-real-key-000000";

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The stack name a stack file is named after. Pulumi CLI users write `staging`, `org/staging` or
 * `org/project/staging`; all of them read `Pulumi.staging.yaml`.
 */
export function stackNameOf(raw: string): string {
  const parts = raw.split("/");
  const name = parts.at(-1) ?? "";
  if (parts.length > 3 || !parts.every((part) => SEGMENT.test(part))) {
    throw new UsageError(
      `--stack must be a stack like staging, org/staging or org/project/staging (letters, digits, ".", "-", "_"), got ${JSON.stringify(raw)}`,
    );
  }
  return name;
}

/** The stacks that have a stack file in `root`, sorted. */
export function listStacks(root: string): string[] {
  return readdirSync(root)
    .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
    .filter((stack): stack is string => stack !== undefined && SEGMENT.test(stack))
    .sort();
}

export type StackFile = ReturnType<typeof readStackFile>;

/** The stack file of `--stack <raw>`; a UsageError lists the stacks there are. */
export function readStackFile(root: string, raw: string) {
  const stack = stackNameOf(raw);
  const path = join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(path)) {
    throw new UsageError(
      `--stack ${raw}: there is no Pulumi.${stack}.yaml in ${root}; stacks here: ${listStacks(root).join(", ") || "none"}`,
    );
  }
  // `source` is the file's name, for messages.
  return { stack, path, source: basename(path), text: readFileSync(path, "utf8") };
}

/**
 * The raw config (`platform:*` keys) of a stack file's text, encrypted values replaced by a
 * placeholder, so no key is needed or printed. A JWT key in plain text is refused: the offline
 * plan runs on every pull request, so it is caught before the file is merged.
 */
export function offlineConfig(text: string, source: string): Record<string, unknown> {
  const config = stackDocument(text, source).toJS().config as Record<string, unknown>;
  const jwtKey = `${PROJECT}:jwtSecret`;
  if (typeof config[jwtKey] === "string") {
    // The value itself is never repeated: it is already exposed enough.
    throw new Error(
      `${source} holds ${jwtKey} in plain text, readable by anyone with the repository; remove it, rotate the key and set the new one with \`pulumi config set --secret ${jwtKey} <key>\``,
    );
  }
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    raw[key] = isRecord(value) && "secure" in value ? PLACEHOLDER_JWT_SECRET : value;
  }
  raw[jwtKey] = PLACEHOLDER_JWT_SECRET;
  return raw;
}

/** `text` with `config.<PROJECT>:<path>` set to `value`; comments, order and layout stay. */
export function setConfigValue(
  text: string,
  source: string,
  path: readonly string[],
  value: unknown,
): string {
  const document = stackDocument(text, source);
  const [setting, ...rest] = path;
  const key = `${PROJECT}:${setting}`;
  const parent = rest.length > 0 ? document.getIn(["config", key]) : undefined;
  if (rest.length > 0 && parent !== undefined && !isMap(parent)) {
    throw new Error(`${source}: ${key} must be a map`);
  }
  document.setIn(["config", key, ...rest], value);
  return document.toString();
}

/**
 * Replaces the file's text with `after`, atomically (temp file, then rename), and only if it still
 * holds `before`: an edit made meanwhile is never overwritten. Any error leaves it as it was.
 */
export function writeStackFile(file: StackFile, after: string): void {
  const temp = join(dirname(file.path), `.${file.source}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, after);
    if (readFileSync(file.path, "utf8") !== file.text) {
      throw new Error(`${file.source} changed while this ran; nothing was written, run again`);
    }
    renameSync(temp, file.path);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** A stack file's YAML, checked to be one with a `config:` map. */
function stackDocument(text: string, source: string) {
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error) throw new Error(`${source} is not valid YAML: ${error.message.split("\n")[0]}`);
  if (!isMap(document.get("config"))) {
    throw new Error(`${source} has no \`config:\` map; is it a Pulumi stack file?`);
  }
  return document;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
