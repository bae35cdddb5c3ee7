// The offline plan as data (what `npm run plan -- --json` prints, and what `--base` compares): a
// view of the program's own plan plus what it registered under the preview harness. Nothing is
// measured or parsed again; the format is kept stable so plans of older commits still compare.

import type { ScriptBinding } from "../../infra/bindings.ts";
import type { Budget } from "../../infra/budgets.ts";
import type { DatabaseRef } from "../../infra/plan.ts";
import { isSecret, previewPlatform, type RegisteredResource } from "../../infra/preview.ts";
import { offlineConfig } from "../stack-file.ts";

export interface PlannedWorkerView {
  /** Worker name in the table (`router`, `investor`, …). */
  name: string;
  scriptName: string;
  bytes: number;
  gzipBytes: number;
  /** sha256 of the deployed code: equal hashes mean no code change. */
  sha256: string;
  budget?: Budget;
  /** One line per binding, in declared order, e.g. `DB → d1 <id>`; never a secret value. */
  bindings: string[];
  /** True when Pulumi marks the whole bindings list secret (preview would show `[secret]`). */
  bindingsSecret: boolean;
  /** The router's CONFIG binding (routes, rollout, CORS). */
  config?: Record<string, unknown>;
  route?: string;
  workersDev?: boolean;
  compatibilityDate?: string;
}

export interface OfflinePlan {
  version: 1;
  stack: string;
  workers: PlannedWorkerView[];
  /** Weight (0-100) per service: the share served by the new service. */
  rollout: Record<string, number>;
  /** Script name of the blue side, when there is one. */
  monolith?: string;
  migrations: { name: string; sha256: string }[];
  /** Every Cloudflare resource the program declares (all would be created on an empty stack). */
  resources: { type: string; name: string; detail: string }[];
}

/** The offline plan of one version of a stack file (its text), from the checkout at `root`. */
export async function offlinePlanOfText(
  root: string,
  stack: string,
  text: string,
  source: string,
): Promise<OfflinePlan> {
  const config = offlineConfig(text, source);
  const { platform, resources, error } = await previewPlatform({ config, stack, root, source });
  if (!platform) throw error;
  const plan = platform.plan;
  const custom = resources.filter((r) => r.custom);
  const ofType = (type: string) => custom.filter((r) => shortType(r.type) === type);
  const scripts = new Map(ofType("WorkersScript").map((r) => [r.inputs.scriptName, r]));
  // A switch's scriptName is the script's output, which the mocks echo back as the name.
  const workersDev = new Map(
    ofType("WorkersScriptSubdomain").map((r) => [r.inputs.scriptName, r.inputs.enabled === true]),
  );
  const { kind, hostname } = plan.endpoint;
  const route =
    kind === "customDomain" ? `${hostname} (custom domain)` : `${hostname}/* (zone route)`;
  return {
    version: 1,
    stack: plan.stack,
    workers: plan.workers.map((worker) => ({
      name: worker.spec.name,
      scriptName: worker.scriptName,
      bytes: worker.build.bytes,
      gzipBytes: worker.build.gzipBytes,
      sha256: worker.build.sha256,
      budget: worker.budget.budget,
      bindings: worker.bindings.map(describeBinding),
      bindingsSecret: isSecret(scripts.get(worker.scriptName)?.inputs.bindings),
      ...(worker.spec.kind === "router"
        ? { config: plan.routerConfig as unknown as Record<string, unknown>, route }
        : {}),
      workersDev: workersDev.get(worker.scriptName),
      compatibilityDate: worker.settings.compatibilityDate,
    })),
    rollout: { ...plan.config.rollout },
    monolith: plan.monolith?.scriptName,
    migrations: plan.migrations.map(({ name, sha256 }) => ({ name, sha256 })),
    resources: custom.map((r) => ({ type: shortType(r.type), name: r.name, detail: detailOf(r) })),
  };
}

/** Names what a binding points at, never a value. */
function describeBinding(binding: ScriptBinding<DatabaseRef>): string {
  switch (binding.type) {
    case "service":
      return `${binding.name} → service ${binding.service}`;
    case "d1":
      return `${binding.name} → d1 ${"id" in binding.databaseId ? binding.databaseId.id : `<new database ${binding.databaseId.name}>`}`;
    case "json":
      return `${binding.name} → json`;
    case "secrets_store_secret":
      return `${binding.name} → secrets store ${binding.secretName}`;
    case "analytics_engine":
      return `${binding.name} → analytics engine ${binding.dataset}`;
    case "ratelimit":
      return `${binding.name} → rate limit ${binding.namespaceId}: ${binding.simple.limit} per ${binding.simple.period} s`;
  }
}

/** One line on what a resource is; secret inputs (the Secrets Store value) are never shown. */
function detailOf(resource: RegisteredResource): string {
  const inputs = resource.inputs;
  const text = (key: string) => (typeof inputs[key] === "string" ? (inputs[key] as string) : "");
  switch (shortType(resource.type)) {
    case "WorkersRoute":
      return `${text("pattern")} → ${text("script")}`;
    case "WorkersCustomDomain":
      return `${text("hostname")} → ${text("service")}`;
    case "WorkersScriptSubdomain":
      return `${text("scriptName")} workers.dev ${inputs.enabled === true ? "on" : "off"}`;
    case "D1Migrations": {
      const names = (inputs.migrations as { name: string }[]).map((m) => m.name);
      return `${names.length} migration file(s): ${names.join(", ")}`;
    }
    default:
      return text("scriptName") || text("name");
  }
}

function shortType(type: string): string {
  return type.split(":").pop() ?? type;
}
