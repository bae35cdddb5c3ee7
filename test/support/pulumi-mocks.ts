// Runs the real Pulumi program under `pulumi.runtime.setMocks` and records what it registers, so
// tests can read every resource's inputs exactly as the engine would receive them.

import * as pulumi from "@pulumi/pulumi";
import type { Budgets } from "../../infra/budgets.ts";
import { definePlatform, type Platform } from "../../infra/program.ts";
import { ROOT } from "./stack-configs.ts";

export interface Registered {
  type: string;
  name: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

export interface Run {
  registered: Registered[];
  platform?: Platform;
  error?: unknown;
}

/** Installs fresh mocks that record every registration into `registered`. */
export async function recordRegistrations(stack: string, registered: Registered[]): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({
          type: args.type,
          name: args.name,
          custom: args.custom ?? true,
          inputs: args.inputs,
        });
        return { id: `${args.name}_id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "platform",
    stack,
    false,
  );
}

/**
 * Runs the program once under fresh mocks and waits until every registration has reached the
 * mock monitor (Pulumi's runtime state is global, so runs must not overlap).
 */
export async function runProgram(
  config: Record<string, unknown>,
  options: { stack?: string; budgets?: Budgets } = {},
): Promise<Run> {
  const stack = options.stack ?? "staging";
  const run: Run = { registered: [] };
  await recordRegistrations(stack, run.registered);
  try {
    run.platform = await definePlatform({
      config,
      stack,
      root: ROOT,
      ...(options.budgets ? { budgets: options.budgets } : {}),
    });
  } catch (error) {
    run.error = error;
  }
  await pulumi.runtime.disconnect();
  return run;
}

export function byName(run: Pick<Run, "registered">, name: string): Registered {
  const found = run.registered.find((r) => r.name === name);
  if (!found) {
    throw new Error(`no resource "${name}"; got ${run.registered.map((r) => r.name).join(", ")}`);
  }
  return found;
}

/** Inputs as JSON with every secret-marked value replaced: what a preview would show in clear. */
export function plainText(value: unknown): string {
  const redact = (v: unknown): unknown => {
    if (pulumi.runtime.isRpcSecret(v)) return "[secret]";
    if (Array.isArray(v)) return v.map(redact);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x)]));
    }
    return v;
  };
  return JSON.stringify(redact(value));
}

/**
 * A script's `bindings` input. Under mocks a secret anywhere in the list arrives as the whole
 * list wrapped in one secret; this returns undefined then, so tests can assert the list is plain.
 */
export function plainBindings(resource: Registered): Record<string, unknown>[] | undefined {
  const bindings = resource.inputs.bindings;
  if (pulumi.runtime.isRpcSecret(bindings) || !Array.isArray(bindings)) return undefined;
  return bindings as Record<string, unknown>[];
}

export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}
