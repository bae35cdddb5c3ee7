// Reading what the program registered under the preview harness (infra/preview.ts): one resource
// by name, a script's bindings as a preview shows them, an output's value.

import type * as pulumi from "@pulumi/pulumi";
import type { Budgets } from "../../infra/budgets.ts";
import {
  inClear,
  isSecret,
  type Preview,
  previewPlatform,
  type RegisteredResource,
} from "../../infra/preview.ts";
import { ROOT } from "./stack-configs.ts";

export type Run = Preview;

/** The program with `config` as stack `stack` (default staging), from this checkout. */
export function runProgram(
  config: Record<string, unknown>,
  options: { stack?: string; budgets?: Budgets } = {},
): Promise<Preview> {
  return previewPlatform({
    config,
    stack: options.stack ?? "staging",
    root: ROOT,
    ...(options.budgets ? { budgets: options.budgets } : {}),
  });
}

export function byName(
  run: { resources: readonly RegisteredResource[] },
  name: string,
): RegisteredResource {
  const found = run.resources.find((r) => r.name === name);
  if (!found) {
    throw new Error(`no resource "${name}"; got ${run.resources.map((r) => r.name).join(", ")}`);
  }
  return found;
}

/** Inputs as JSON with every secret-marked value replaced: what a preview would show in clear. */
export function plainText(value: unknown): string {
  return JSON.stringify(inClear(value));
}

/**
 * A script's `bindings` input. Under mocks a secret anywhere in the list arrives as the whole
 * list wrapped in one secret; this returns undefined then, so tests can assert the list is plain.
 */
export function plainBindings(resource: RegisteredResource): Record<string, unknown>[] | undefined {
  const bindings = resource.inputs.bindings;
  if (isSecret(bindings) || !Array.isArray(bindings)) return undefined;
  return bindings as Record<string, unknown>[];
}

export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}
