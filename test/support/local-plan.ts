// The program's plan of a local stack, for the local platform's tests: the staging stack file
// with the local changes (stand-in monolith, a test key) and any raw config on top.

import { resolve } from "node:path";
import { localStack } from "../../cli/local/local-config.ts";
import { type PlatformPlan, planPlatform } from "../../infra/plan.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const TEST_SECRET = "a-local-secret-that-is-long-enough-0123456789";

export function localPlan(extra: Record<string, unknown> = {}): Promise<PlatformPlan> {
  const local = localStack(ROOT, { stack: "staging", rollout: {} }, TEST_SECRET);
  return planPlatform({ ...local, config: { ...local.config, ...extra }, root: ROOT });
}
