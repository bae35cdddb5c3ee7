// The local platform's state folder (`.local/` by default, git-ignored): the persisted D1, the
// persisted secrets store and the generated JWT key, so data and tokens survive restarts.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { StartOptions } from "./flags.ts";

export type StateLayout = ReturnType<typeof stateLayout>;

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

export function prepareState(layout: StateLayout): void {
  for (const dir of [layout.d1Dir, layout.secretsStoreDir]) mkdirSync(dir, { recursive: true });
}

/** The given key, else the one in the state folder, else a new one (48 random bytes, base64url). */
export function localJwtSecret(layout: StateLayout, given: StartOptions["jwtSecret"]) {
  if (given) return given;
  const file = layout.jwtSecretFile;
  const kept = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  if (kept.length >= 32) return { value: kept, from: "state file" as const };
  const value = randomBytes(48).toString("base64url");
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, from: "generated" as const };
}
