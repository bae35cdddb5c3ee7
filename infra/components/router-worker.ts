// The router: the one public worker. Bound to the six services and the monolith by script name,
// to its CONFIG (routes, rollout, CORS) as a JSON binding, and to the JWT key in the Secrets Store.

import type * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { RouterConfig } from "../../shared/router-config.ts";
import type { RouteTarget } from "../../shared/workers.ts";
import { type SecretsStoreRef, scriptBindingsFor } from "../bindings.ts";
import type { WorkerBuild } from "../build.ts";
import type { ScriptSettings } from "../script-settings.ts";
import type { WorkerSpec } from "../topology.ts";
import { createWorkerScript } from "./worker-script.ts";

export const ROUTER_WORKER_TYPE = "platform:cloudflare:RouterWorker";

export interface RouterWorkerArgs {
  /** Cloudflare account the script lives in. */
  accountId: string;
  /** The router's row in the topology table; its `bindings` fix the binding order. */
  spec: WorkerSpec;
  /** Script name on Cloudflare, e.g. `pitch-prod-router`. */
  scriptName: string;
  /** The router's bundle. */
  build: WorkerBuild;
  /** Compatibility date and flags, observability. */
  settings: ScriptSettings;
  /** Script name of every service; the monolith's only when one is configured. */
  targets: Partial<Record<RouteTarget, string>>;
  /** Routes, rollout weights and CORS origins; a weight change changes only this value. */
  routerConfig: RouterConfig;
  /** The JWT key in the Secrets Store. */
  jwtSecret: SecretsStoreRef;
}

export class RouterWorker extends pulumi.ComponentResource {
  /** The router's script name on Cloudflare, for its route or custom domain. */
  readonly scriptName: pulumi.Output<string>;
  /** The script itself, for callers that need more than its name. */
  readonly script: cloudflare.WorkersScript;

  constructor(name: string, args: RouterWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ROUTER_WORKER_TYPE, name, {}, opts);

    // Every binding value is a plain string (script names, JSON, a Secrets Store reference), so
    // the list stays out of Pulumi's secret handling and a weight change previews in clear.
    const buildBindings = () =>
      scriptBindingsFor<pulumi.Input<string>>(args.spec.name, args.spec.bindings, {
        scriptNames: args.targets,
        routerConfigJson: JSON.stringify(args.routerConfig),
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
