// The local platform's control plane: what changes on a running platform without restarting
// workerd (Miniflare's setOptions restarts it, resetting requests in flight and memory): faults,
// rollout weights, and the router's telemetry, kept here because Miniflare's Analytics Engine
// binding drops every data point. Workers reach it through one Node-served binding; the rollout
// command through the front's `/__local/` routes.

import type { IncomingMessage, ServerResponse } from "node:http";
import {
  hasBlueSide,
  isServiceName,
  isWorkerName,
  type ServiceName,
} from "../../shared/workers.ts";
import type { Faults } from "./faults.ts";

/** The binding every local worker gets (the local entry strips it before the worker sees env). */
export const CONTROL_BINDING = "LOCAL_CONTROL";

/** One router data point as the local store keeps it (the Analytics Engine columns, named). */
export interface TelemetryPoint {
  /** Epoch ms when Node received it. */
  at: number;
  service: string;
  side: string;
  statusClass: string;
  safety: string;
  prefix: string;
  ms: number;
  status: number;
}

/** Most points kept; older ones are dropped first (a long local run stays bounded). */
const MAX_POINTS = 200_000;

export class LocalControl {
  /** Weights set on the running platform, over the stack's. */
  readonly rollout: Partial<Record<ServiceName, number>> = {};
  private readonly points: TelemetryPoint[] = [];

  constructor(
    readonly faults: () => Faults = () => ({}),
    /** The stack's weights, which the overrides lie over. */
    private readonly base: Partial<Record<ServiceName, number>> = {},
  ) {}

  /** The weights in force: the stack's, with those set on the running platform over them. */
  weights(): Partial<Record<ServiceName, number>> {
    return { ...this.base, ...this.rollout };
  }

  /** Points for one service received in [since, until). */
  telemetry(service: string, since: number, until = Number.POSITIVE_INFINITY): TelemetryPoint[] {
    return this.points.filter((p) => p.service === service && p.at >= since && p.at < until);
  }

  record(point: Omit<TelemetryPoint, "at">, at = Date.now()): void {
    this.points.push({ ...point, at });
    if (this.points.length > MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
  }

  /** A problem with a weight change, or undefined; the same rule the stack config applies. */
  weightProblem(service: string, weight: unknown): string | undefined {
    if (!isServiceName(service)) return `"${service}" is not a service`;
    if (!hasBlueSide(service)) return `${service} has no blue side; its weight is always 100`;
    if (!Number.isInteger(weight) || (weight as number) < 0 || (weight as number) > 100) {
      return `the weight must be an integer 0-100, got ${JSON.stringify(weight)}`;
    }
    return undefined;
  }

  /** What the workers' binding answers: a worker's fault, the weights, or a stored data point. */
  async binding(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const [, kind, name] = pathname.split("/");
    if (kind === "faults" && name && isWorkerName(name)) {
      return Response.json(this.faults()[name] ?? null);
    }
    if (kind === "rollout") return Response.json(this.rollout);
    if (kind === "telemetry" && request.method === "POST") {
      const point = (await request.json()) as {
        indexes?: string[];
        blobs?: string[];
        doubles?: number[];
      };
      const [side = "", statusClass = "", safety = "", prefix = ""] = point.blobs ?? [];
      const [ms = 0, status = 0] = point.doubles ?? [];
      this.record({
        service: point.indexes?.[0] ?? "",
        side,
        statusClass,
        safety,
        prefix,
        ms,
        status,
      });
      return new Response(null, { status: 204 });
    }
    return new Response(null, { status: 404 });
  }

  /**
   * The front's `/__local/` routes for the rollout command: `GET /__local/telemetry?service=&since=&until=`,
   * `GET /__local/rollout`, `PUT /__local/rollout` with `{ service, weight }`. Answers true when
   * it handled the request.
   */
  http(incoming: IncomingMessage, outgoing: ServerResponse): boolean {
    const url = new URL(incoming.url ?? "/", "http://local");
    if (!url.pathname.startsWith("/__local/")) return false;
    const send = (status: number, body: unknown) => {
      outgoing.writeHead(status, { "content-type": "application/json" });
      outgoing.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string) =>
      send(status, { error: { code: "invalid_request", message, requestId: "local-control" } });
    if (url.pathname === "/__local/telemetry" && incoming.method === "GET") {
      const service = url.searchParams.get("service") ?? "";
      const since = Number(url.searchParams.get("since") ?? 0);
      const until = Number(url.searchParams.get("until") ?? Number.POSITIVE_INFINITY);
      if (!isServiceName(service)) {
        fail(400, "query.service must be a service");
        return true;
      }
      send(200, { service, now: Date.now(), points: this.telemetry(service, since, until) });
      return true;
    }
    if (url.pathname === "/__local/rollout" && incoming.method === "GET") {
      send(200, { weights: this.weights(), overrides: this.rollout });
      return true;
    }
    if (url.pathname === "/__local/rollout" && incoming.method === "PUT") {
      let body = "";
      incoming.setEncoding("utf8");
      incoming.on("data", (chunk: string) => {
        body += chunk;
      });
      incoming.on("end", () => {
        let change: { service?: unknown; weight?: unknown };
        try {
          change = JSON.parse(body) as typeof change;
        } catch {
          return fail(400, "the body must be JSON: { service, weight }");
        }
        const service = String(change.service);
        const problem = this.weightProblem(service, change.weight);
        if (problem) return fail(400, problem);
        this.rollout[service as ServiceName] = change.weight as number;
        send(200, { weights: this.weights(), overrides: this.rollout });
      });
      return true;
    }
    fail(404, `no local control route ${incoming.method} ${url.pathname}`);
    return true;
  }
}

/**
 * The part of a worker's local entry that talks to the control plane: it applies the worker's
 * fault before the worker runs; for the router it also lays the weights set on the running
 * platform over CONFIG and sends each telemetry data point to the store. It asks Node at most
 * every 200 ms, and the worker's env never holds the binding.
 */
export function controlWrapperSource(worker: string, router: boolean): string {
  return `const CONTROL_WORKER = ${JSON.stringify(worker)};
const ROUTER = ${router};
let controlCache = { at: -Infinity, fault: null, rollout: "{}", config: null, base: null };
async function controlState(control, env) {
  const now = Date.now();
  if (now - controlCache.at > 200) {
    const [fault, rollout] = await Promise.all([
      ROUTER ? null : control.fetch("http://local-control/faults/" + CONTROL_WORKER).then((r) => r.json()),
      ROUTER ? control.fetch("http://local-control/rollout").then((r) => r.text()) : "{}",
    ]);
    controlCache = { ...controlCache, at: now, fault, rollout };
  }
  if (ROUTER && env.CONFIG && (controlCache.base !== env.CONFIG || controlCache.configFor !== controlCache.rollout)) {
    // One merged object per change, so the router checks and caches it once.
    const overrides = JSON.parse(controlCache.rollout);
    controlCache.config = Object.keys(overrides).length
      ? { ...env.CONFIG, rollout: { ...env.CONFIG.rollout, ...overrides } }
      : env.CONFIG;
    controlCache.base = env.CONFIG;
    controlCache.configFor = controlCache.rollout;
  }
  return controlCache;
}
function withControl(fetch) {
  return async (request, env, ctx) => {
    const { ${CONTROL_BINDING}: control, ...workerEnv } = env;
    if (!control) return fetch(request, workerEnv, ctx);
    const state = await controlState(control, env);
    if (ROUTER) {
      workerEnv.CONFIG = state.config ?? workerEnv.CONFIG;
      workerEnv.TELEMETRY = {
        writeDataPoint(point) {
          ctx.waitUntil(
            control
              .fetch("http://local-control/telemetry", { method: "POST", body: JSON.stringify(point) })
              .catch(() => {}),
          );
        },
      };
      return fetch(request, workerEnv, ctx);
    }
    const fault = state.fault;
    if (fault && Math.random() * 100 < fault.percent) {
      const what = "injected fault (--fault " + CONTROL_WORKER + "=" + fault.mode + ")";
      if (fault.mode === "throw") throw new Error(what);
      if (fault.mode === "500" || fault.mode === "503") {
        const requestId = request.headers.get("x-request-id") || "none";
        return Response.json({ error: { code: "injected_fault", message: what, requestId } }, { status: Number(fault.mode) });
      }
      // hang: until the caller gives up (the router's deadline aborts the call).
      await new Promise((resolve) => setTimeout(resolve, fault.mode === "slow" ? fault.ms : 3600000));
    }
    return fetch(request, workerEnv, ctx);
  };
}
`;
}
