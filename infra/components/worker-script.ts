// One worker of ours on Cloudflare, router or service alike: its ES-module script with the bindings
// the plan decided, and its workers.dev switch (off). Only the bindings differ between workers.

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { ScriptBinding } from "../bindings.ts";
import type { PlannedWorker } from "../plan.ts";

export const WORKER_SCRIPT_TYPE = "platform:cloudflare:WorkerScript";

/**
 * Settings Cloudflare owns and reads back into the script's state although we never set them:
 * traces (returned as `{ enabled: false, headSamplingRate: 1, persist: true }`) and real-time
 * issues (new in provider 6.22). Both are optional, not computed, in the provider, so without this
 * every `pulumi refresh` would leave a diff (terraform-provider-cloudflare's
 * TestAccCloudflareWorkerScript_ObservabilityTraces expects a non-empty plan after apply for the
 * same reason). The bridge keeps the read-back value on update, so nothing is reset. `logs` is
 * declared in full instead (infra/script-settings.ts).
 */
export const READ_BACK_ONLY = ["observability.traces", "observability.issues"] as const;

/** The types this component had before router and services shared it; kept so stacks move in place. */
const FORMER_TYPES = {
  router: "platform:cloudflare:RouterWorker",
  service: "platform:cloudflare:ServiceWorker",
  monolith: "platform:cloudflare:ServiceWorker",
} as const;

export interface WorkerScriptArgs {
  /** Cloudflare account the script lives in. */
  accountId: string;
  /** The worker as planned: script name, bundle, settings and bindings in declaration order. */
  worker: PlannedWorker;
  /** The D1 database behind `DB` bindings, once it exists. */
  databaseId?: pulumi.Input<string>;
}

export class WorkerScript extends pulumi.ComponentResource {
  /** The script name on Cloudflare, once the script exists. */
  readonly scriptName: pulumi.Output<string>;
  readonly script: cloudflare.WorkersScript;

  constructor(name: string, args: WorkerScriptArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(
      WORKER_SCRIPT_TYPE,
      name,
      {},
      {
        ...opts,
        aliases: [{ type: FORMER_TYPES[args.worker.spec.kind] }, ...(opts.aliases ?? [])],
      },
    );
    const { worker, accountId } = args;

    // Every value is a plain string or the database id (script names, JSON, a Secrets Store
    // reference), so the list stays out of Pulumi's secret handling and a weight change previews
    // in clear.
    const bindings = (): ScriptBinding<pulumi.Input<string>>[] =>
      worker.bindings.map((binding) => {
        if (binding.type !== "d1") return binding;
        if (args.databaseId === undefined) {
          throw new Error(
            `worker "${worker.spec.name}" binds ${binding.name} but no database id was given`,
          );
        }
        return { ...binding, databaseId: args.databaseId };
      });

    const script = () =>
      new cloudflare.WorkersScript(
        `${name}-script`,
        {
          accountId,
          scriptName: worker.scriptName,
          content: worker.build.code,
          mainModule: worker.build.mainModule,
          contentSha256: worker.build.sha256,
          compatibilityDate: worker.settings.compatibilityDate,
          compatibilityFlags: worker.settings.compatibilityFlags,
          observability: worker.settings.observability,
          bindings: bindings(),
        },
        { parent: this, ignoreChanges: [...READ_BACK_ONLY] },
      );

    // Reached only through service bindings or the router's route/custom domain; a workers.dev
    // URL would be a second, unguarded way in.
    const workersDev = (created: cloudflare.WorkersScript) =>
      new cloudflare.WorkersScriptSubdomain(
        `${name}-workers-dev`,
        { accountId, scriptName: created.scriptName, enabled: false, previewsEnabled: false },
        { parent: this },
      );

    this.script = script();
    workersDev(this.script);
    this.scriptName = this.script.scriptName;
    this.registerOutputs({ scriptName: this.scriptName });
  }
}
