// One service worker (or the stand-in monolith): its script with D1 and, where the topology says
// so, the JWT key bound, and workers.dev off: services are reached only through the router.

import type * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { type SecretsStoreRef, scriptBindingsFor } from "../bindings.ts";
import type { WorkerBuild } from "../build.ts";
import type { ScriptSettings } from "../script-settings.ts";
import type { WorkerSpec } from "../topology.ts";
import { createWorkerScript } from "./worker-script.ts";

export const SERVICE_WORKER_TYPE = "platform:cloudflare:ServiceWorker";

export interface ServiceWorkerArgs {
  /** Cloudflare account the script lives in. */
  accountId: string;
  /** The worker's row in the topology table; its `bindings` fix the binding order. */
  spec: WorkerSpec;
  /** Script name on Cloudflare (`<namePrefix>-<worker>`, or the monolith's own name). */
  scriptName: string;
  /** The worker's bundle. */
  build: WorkerBuild;
  /** Compatibility date and flags, observability. */
  settings: ScriptSettings;
  /** The D1 database behind `DB`: the created one's id, or the adopted one's. */
  databaseId: pulumi.Input<string>;
  /** The JWT key in the Secrets Store, for workers whose spec binds `JWT_SECRET`. */
  jwtSecret: SecretsStoreRef;
}

export class ServiceWorker extends pulumi.ComponentResource {
  /** The script name on Cloudflare, once the script exists. */
  readonly scriptName: pulumi.Output<string>;
  /** The script itself, for callers that need more than its name. */
  readonly script: cloudflare.WorkersScript;

  constructor(name: string, args: ServiceWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SERVICE_WORKER_TYPE, name, {}, opts);

    const buildBindings = () =>
      scriptBindingsFor(args.spec.name, args.spec.bindings, {
        databaseId: args.databaseId,
        jwtSecret: args.jwtSecret,
      });
    const createScript = () =>
      createWorkerScript(this, name, {
        accountId: args.accountId,
        scriptName: args.scriptName,
        build: args.build,
        settings: args.settings,
        bindings: buildBindings(),
      });

    this.script = createScript().script;
    this.scriptName = this.script.scriptName;
    this.registerOutputs({ scriptName: this.scriptName });
  }
}
