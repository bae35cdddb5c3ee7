// The local platform's state folder (`.local/` by default, git-ignored): the persisted D1, the
// persisted secrets store and the generated JWT key, so data and tokens survive restarts.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export interface StateLayout {
  dir: string;
  /** Miniflare `d1Persist`. */
  d1Dir: string;
  /** Miniflare `secretsStorePersist`. */
  secretsStoreDir: string;
  /** The generated JWT key, kept so tokens stay valid across restarts. */
  jwtSecretFile: string;
}

export function stateLayout(dir: string): StateLayout {
  const root = resolve(dir);
  return {
    dir: root,
    d1Dir: join(root, "d1"),
    secretsStoreDir: join(root, "secrets-store"),
    jwtSecretFile: join(root, "jwt-secret"),
  };
}

export function prepareState(layout: StateLayout): void {
  for (const dir of [layout.dir, layout.d1Dir, layout.secretsStoreDir]) {
    mkdirSync(dir, { recursive: true });
  }
}

export interface LocalJwtSecret {
  value: string;
  from: "--jwt-secret" | "PLATFORM_JWT_SECRET" | "state file" | "generated";
}

/** The given key, else the one in the state folder, else a new one (48 random bytes, base64url). */
export function localJwtSecret(
  layout: StateLayout,
  given: { value: string; from: "--jwt-secret" | "PLATFORM_JWT_SECRET" } | undefined,
): LocalJwtSecret {
  if (given) return given;
  if (existsSync(layout.jwtSecretFile)) {
    const kept = readFileSync(layout.jwtSecretFile, "utf8").trim();
    if (kept.length >= 32) return { value: kept, from: "state file" };
  }
  const value = randomBytes(48).toString("base64url");
  writeFileSync(layout.jwtSecretFile, `${value}\n`, { mode: 0o600 });
  return { value, from: "generated" };
}
