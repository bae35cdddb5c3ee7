// The Pulumi entry (Pulumi.yaml `main`, run through tsx): hands the stack's config to the program
// and exports the stack outputs. All logic is in program.ts so tests run the same code under mocks.

import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { definePlatform } from "./program.ts";

const platform = await definePlatform({
  // Every `platform:*` key, secrets decrypted; the program parses them (a ConfigError lists every
  // problem) and passes `jwtSecret` on only as a Pulumi secret.
  config: pulumi.runtime.allConfig(),
  stack: pulumi.getStack(),
  root: resolve(import.meta.dirname, ".."),
});

export const url = platform.outputs.url;
export const workerNames = platform.outputs.workerNames;
export const bundles = platform.outputs.bundles;
export const rollout = platform.outputs.rollout;
