// The program's plan of a local stack, for the local platform's tests: the staging stack file
// with the local changes (stand-in monolith, a test key) and any raw config on top.

import { resolve } from "node:path";
import { type PlatformPlan, planPlatform } from "../../infra/plan.ts";
import { localStack } from "./local-config.ts";

export const ROOT = resolve(import.meta.dirname, "../..");
export const TEST_SECRET = "a-local-secret-that-is-long-enough-0123456789";

export function localPlan(extra: Record<string, unknown> = {}): Promise<PlatformPlan> {
  const local = localStack({
    root: ROOT,
    stack: "staging",
    jwtSecret: TEST_SECRET,
    rolloutOverrides: {},
  });
  return planPlatform({ config: { ...local.raw, ...extra }, stack: local.stack, root: ROOT });
}
