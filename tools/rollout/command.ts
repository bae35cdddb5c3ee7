// `npm run rollout`: validate, show the change and its offline plan diff, then write the stack
// file atomically (temp file + rename), so any error leaves the file exactly as it was.

import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { diffPlans, summarizeChanges } from "../plan/diff.ts";
import { planOfConfig } from "../plan/program.ts";
import { offlineConfigOf, stackFilePath } from "../plan/stack-file.ts";
import { parseService, parseWeight, RolloutError, setRolloutWeight } from "./edit.ts";

/** Plan diff between the stack file's text before and after; lines to print and one summary. */
export type PlanDiff = (
  before: string,
  after: string,
) => Promise<{ lines: string[]; summary: string; onlyRouter: boolean }>;

export interface RolloutOptions {
  /** Folder holding the `Pulumi.<stack>.yaml` files. */
  dir: string;
  stack: string | undefined;
  service: string | undefined;
  to: string | undefined;
  dryRun: boolean;
  /** How to show the plan diff; `false` skips it (`--no-plan`). */
  planDiff: PlanDiff | false;
}

/** Runs the command; answers the exit code. Every line goes through `print`. */
export async function runRollout(
  options: RolloutOptions,
  print: (line: string) => void,
): Promise<number> {
  let temp: string | undefined;
  try {
    const stack = options.stack;
    if (!stack || !/^[a-z0-9][a-z0-9-]*$/.test(stack)) {
      throw new RolloutError(
        `--stack must name a stack (${stacksIn(options.dir)}), got "${stack ?? ""}"`,
      );
    }
    const service = parseService(options.service);
    const weight = parseWeight(options.to);
    const file = stackFilePath(options.dir, stack);
    if (!existsSync(file)) {
      throw new RolloutError(
        `${basename(file)} not found in ${options.dir}; stacks here: ${stacksIn(options.dir)}`,
      );
    }
    const text = readFileSync(file, "utf8");
    const edit = setRolloutWeight(text, { service, weight, stack, source: basename(file) });
    const was = `${edit.before}${edit.beforeIsDefault ? " (default)" : ""}`;
    if (edit.before === edit.after) {
      print(`rollout.${service} is already ${was} in ${basename(file)}; nothing to change`);
      return 0;
    }
    print(`${basename(file)}: rollout.${service}: ${was} → ${edit.after}`);

    if (options.planDiff) {
      try {
        const diff = await options.planDiff(text, edit.text);
        print("Offline plan of the change:");
        for (const line of diff.lines) print(`  ${line}`);
        print(`  (${diff.summary})`);
        if (!diff.onlyRouter) {
          print("warning: more than the router changes; review the plan before `pulumi up`");
        }
      } catch (error) {
        print(
          `warning: the offline plan could not run, so no plan diff: ${(error as Error).message}`,
        );
      }
    }

    if (options.dryRun) {
      print(`--dry-run: ${basename(file)} left unchanged`);
      return 0;
    }
    temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
    writeFileSync(temp, edit.text);
    if (readFileSync(file, "utf8") !== text) {
      throw new RolloutError(
        `${basename(file)} changed while this ran; nothing was written, run again`,
      );
    }
    renameSync(temp, file);
    temp = undefined;
    print(
      `wrote ${basename(file)}. Next: commit it and open a PR (CI previews it: only the router should change); merging to main runs \`pulumi up\`${stack === "prod" ? " after the production approval" : ""}.`,
    );
    return 0;
  } catch (error) {
    if (temp) rmSync(temp, { force: true });
    print(`error: ${(error as Error).message}`);
    return 1;
  }
}

/** The real plan diff: runs the program under mocks with each version of the stack file. */
export function offlinePlanDiff(root: string, stack: string): PlanDiff {
  return async (before, after) => {
    const source = `Pulumi.${stack}.yaml`;
    const base = await planOfConfig({ root, stack, config: offlineConfigOf(before, source) });
    const head = await planOfConfig({ root, stack, config: offlineConfigOf(after, source) });
    const changes = diffPlans(base, head);
    return {
      lines: changes.map((c) => `${c.subject}: ${c.text}`),
      summary: summarizeChanges(changes, head),
      onlyRouter: changes.every((c) => c.subject === "router"),
    };
  };
}

function stacksIn(dir: string): string {
  const stacks = readdirSync(dir)
    .map((name) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(name)?.[1])
    .filter((name): name is string => name !== undefined);
  return stacks.length ? stacks.join(", ") : "none";
}
