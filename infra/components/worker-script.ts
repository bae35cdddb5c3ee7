// The two Cloudflare resources every worker of ours is made of: the ES-module script and its
// workers.dev switch (off). Shared by ServiceWorker and RouterWorker so both deploy alike.

import * as cloudflare from "@pulumi/cloudflare";
import type * as pulumi from "@pulumi/pulumi";
import type { ScriptBinding } from "../bindings.ts";
import type { WorkerBuild } from "../build.ts";
import type { ScriptSettings } from "../script-settings.ts";

export interface WorkerScriptArgs {
  /** Cloudflare account the script lives in. */
  accountId: string;
  /** Script name on Cloudflare, e.g. `pitch-staging-investor`. */
  scriptName: string;
  /** The bundle from infra/build.ts; its sha256 keeps unchanged code free of diffs. */
  build: Pick<WorkerBuild, "code" | "mainModule" | "sha256">;
  /** Compatibility date and flags, observability. */
  settings: ScriptSettings;
  /** Bindings in declaration order (scriptBindingsFor). */
  bindings: ScriptBinding<pulumi.Input<string>>[];
}

/** Creates `${name}-script` and `${name}-workers-dev` as children of `parent`. */
export function createWorkerScript(
  parent: pulumi.Resource,
  name: string,
  args: WorkerScriptArgs,
): { script: cloudflare.WorkersScript; workersDev: cloudflare.WorkersScriptSubdomain } {
  const script = new cloudflare.WorkersScript(
    `${name}-script`,
    {
      accountId: args.accountId,
      scriptName: args.scriptName,
      content: args.build.code,
      mainModule: args.build.mainModule,
      contentSha256: args.build.sha256,
      compatibilityDate: args.settings.compatibilityDate,
      compatibilityFlags: args.settings.compatibilityFlags,
      observability: args.settings.observability,
      bindings: args.bindings,
    },
    { parent },
  );
  // Our workers are reached only through service bindings or the router's route/custom domain;
  // a workers.dev URL would be a second, unguarded way in.
  const workersDev = new cloudflare.WorkersScriptSubdomain(
    `${name}-workers-dev`,
    {
      accountId: args.accountId,
      scriptName: script.scriptName,
      enabled: false,
      previewsEnabled: false,
    },
    { parent },
  );
  return { script, workersDev };
}
