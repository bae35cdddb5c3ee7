// The preview harness: runs the real program (program.ts) under `pulumi.runtime.setMocks` and
// answers its plan together with every resource it registered, inputs as the engine would get
// them. No engine, no cloud, no credentials. The offline plan, the rollout diff and the program
// tests all run the program through here.

import * as pulumi from "@pulumi/pulumi";
import type { Platform, PlatformArgs } from "./program.ts";

/** One registration as the mocks received it. */
export interface RegisteredResource {
  type: string;
  name: string;
  /** False for component resources, which Cloudflare never sees. */
  custom: boolean;
  inputs: Record<string, unknown>;
}

/** What a program registered, and what it answered or threw. */
export type ProgramRun<T> = { resources: RegisteredResource[] } & (
  | { value: T; error?: undefined }
  | { value?: undefined; error: unknown }
);

export type Preview = { resources: RegisteredResource[] } & (
  | { platform: Platform; error?: undefined }
  | { platform?: undefined; error: unknown }
);

/**
 * Runs the platform program once under fresh mocks. A failing program (bad config, over budget)
 * is answered as `error` with whatever it registered, which tests check is nothing.
 */
export async function previewPlatform(args: PlatformArgs): Promise<Preview> {
  // Loaded on demand: the pure planning modules (and their tests) need neither Pulumi nor esbuild.
  const { definePlatform } = await import("./program.ts");
  const run = await runUnderMocks(args.stack, () => definePlatform(args));
  return run.error === undefined
    ? { resources: run.resources, platform: run.value as Platform }
    : { resources: run.resources, error: run.error };
}

/**
 * Runs any Pulumi program (a function that registers resources) under fresh mocks, with the
 * stack name `stack`, and waits until every registration has reached them. Pulumi's runtime
 * state is global, so runs must not overlap.
 */
export async function runUnderMocks<T>(
  stack: string,
  program: () => T | Promise<T>,
): Promise<ProgramRun<T>> {
  const resources: RegisteredResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(registration) {
        resources.push({
          type: registration.type,
          name: registration.name,
          custom: registration.custom !== false,
          inputs: registration.inputs as Record<string, unknown>,
        });
        // Stable across runs, so two previews of the same program agree.
        return { id: `${registration.name}_id`, state: registration.inputs };
      },
      call: (call) => call.inputs,
    },
    "platform",
    stack,
    false,
  );
  let run: ProgramRun<T>;
  try {
    run = { resources, value: await program() };
  } catch (error) {
    run = { resources, error };
  }
  await pulumi.runtime.disconnect();
  return run;
}

/** Whether Pulumi marks `value` secret: a preview shows `[secret]` instead of it. */
export function isSecret(value: unknown): boolean {
  return pulumi.runtime.isRpcSecret(value);
}

/** The value as a preview shows it in clear: every secret-marked part replaced by `[secret]`. */
export function inClear(value: unknown): unknown {
  if (isSecret(value)) return "[secret]";
  if (Array.isArray(value)) return value.map(inClear);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inClear(v)]));
  }
  return value;
}
