// What the local platform starts from: the stack file as the offline plan reads it, plus the local
// JWT key, `--rollout` overrides and the stand-in monolith (the program's own parser then checks
// it, so a bad value reads exactly as on `pulumi up`); and the state folder (`.local/` by default,
// git-ignored) that keeps the D1 data, the secrets store and the JWT key across restarts.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PROJECT } from "../../infra/config.ts";
import { isRecord, offlineConfig, readStackFile } from "../stack-file.ts";
import type { StartOptions } from "./flags.ts";

/** Requests per period every rate limit allows locally, whatever the stack file says. */
export const LOCAL_RATE_LIMIT = 100_000;

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
  // Every local client is 127.0.0.1 (one key): raised so seed, smoke and stress runs pass.
  const rateLimits = raw[key("rateLimits")];
  if (isRecord(rateLimits)) {
    raw[key("rateLimits")] = Object.fromEntries(
      Object.entries(rateLimits).map(([name, limit]) => [
        name,
        isRecord(limit) ? { ...limit, limit: LOCAL_RATE_LIMIT } : limit,
      ]),
    );
  }
  if (Object.keys(rollout).length > 0) {
    const fileRollout = raw[key("rollout")];
    raw[key("rollout")] = { ...(isRecord(fileRollout) ? fileRollout : {}), ...rollout };
  }
  return raw;
}

export type StateLayout = ReturnType<typeof stateLayout>;

/** The state folder's parts; Miniflare creates its persist folders itself. */
export function stateLayout(dir: string) {
  const root = resolve(dir);
  return {
    dir: root,
    /** Miniflare `d1Persist`. */
    d1Dir: join(root, "d1"),
    /** Miniflare `secretsStorePersist`. */
    secretsStoreDir: join(root, "secrets-store"),
    /** The generated JWT key, kept so tokens stay valid across restarts. */
    jwtSecretFile: join(root, "jwt-secret"),
  };
}

/** The given key, else the one in the state folder, else a new one (48 random bytes, base64url). */
export function localJwtSecret(layout: StateLayout, given: StartOptions["jwtSecret"]) {
  if (given) return given;
  const file = layout.jwtSecretFile;
  const kept = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  if (kept.length >= 32) return { value: kept, from: "state file" as const };
  const value = randomBytes(48).toString("base64url");
  mkdirSync(layout.dir, { recursive: true });
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, from: "generated" as const };
}
