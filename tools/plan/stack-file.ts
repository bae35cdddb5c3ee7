// Reads a `Pulumi.<stack>.yaml` for offline use: its `config` block with every encrypted value
// (`secure:`) and a missing jwtSecret replaced by placeholders, so no key is needed or printed.
// A JWT key in plain text is refused: the offline plan runs on every pull request, so it is caught
// before the file is merged.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PROJECT } from "../../infra/config.ts";

/** Long enough to pass validation; obviously not a real key. */
export const PLACEHOLDER_JWT_SECRET = "offline-placeholder-jwt-secret-not-a-real-key-000000";

export function stackFilePath(dir: string, stack: string): string {
  return join(dir, `Pulumi.${stack}.yaml`);
}

/** The raw config (`platform:*` keys) of a stack file's text, secrets replaced by placeholders. */
export function offlineConfigOf(text: string, source: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new Error(`${source} is not valid YAML: ${(error as Error).message}`);
  }
  const config = isRecord(document) && isRecord(document.config) ? document.config : {};
  const jwtKey = `${PROJECT}:jwtSecret`;
  if (typeof config[jwtKey] === "string") {
    // The value itself is never repeated: it is already exposed enough.
    throw new Error(
      `${source} holds ${jwtKey} in plain text, readable by anyone with the repository; remove it, rotate the key and set the new one with \`pulumi config set --secret ${jwtKey} <key>\``,
    );
  }
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    // Encrypted values cannot be read offline; the placeholder only has to pass validation.
    raw[key] = isRecord(value) && "secure" in value ? PLACEHOLDER_JWT_SECRET : value;
  }
  raw[jwtKey] = PLACEHOLDER_JWT_SECRET;
  return raw;
}

export function readOfflineConfig(path: string): Record<string, unknown> {
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist; pass --stack with a stack that has a stack file`);
  }
  return offlineConfigOf(readFileSync(path, "utf8"), path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
