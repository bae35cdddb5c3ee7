// Local fault injection (`npm start -- --fault investor=500@20`), for demos, tests and the stress
// run. Local only: a fault lives in the local entry module wrapped around a worker's bundle, never
// in the bundle the program deploys. The faults in force are kept in Node and read by the workers
// through a Node-served binding, so they change on a running platform without a restart.

import { isWorkerName, WORKER_NAMES, type WorkerName } from "../../shared/workers.ts";
import { UsageError } from "../args.ts";

export type FaultMode = "throw" | "500" | "503" | "hang" | "slow";

export interface Fault {
  mode: FaultMode;
  /** For `slow`: the delay before the worker runs. */
  ms?: number;
  /** Share of requests it applies to, 1-100. */
  percent: number;
}

export type Faults = Partial<Record<WorkerName, Fault>>;

const FAULT = /^([a-z][a-z0-9]*)=(throw|500|503|hang|slow:(\d+))(?:@(\d+))?$/;
const FAULTABLE = WORKER_NAMES.filter((name) => name !== "router");

/** `investor=500@20`, `browse=slow:800`, `auth=hang` (the flag may repeat; later ones win). */
export function parseFaults(entries: readonly string[]): Faults {
  const faults: Faults = {};
  for (const entry of entries.flatMap((e) => e.split(",")).map((e) => e.trim())) {
    const match = FAULT.exec(entry);
    const [, name, mode, slowMs, percent] = match ?? [];
    if (!match || !name || !mode) {
      throw new UsageError(
        `--fault takes <worker>=<mode>[@<percent>] with mode throw, 500, 503, hang or slow:<ms>, e.g. investor=500@20; got ${JSON.stringify(entry)}`,
      );
    }
    if (!isWorkerName(name) || name === "router") {
      throw new UsageError(`--fault ${entry}: "${name}" is not one of ${FAULTABLE.join(", ")}`);
    }
    const share = percent === undefined ? 100 : Number(percent);
    if (share < 1 || share > 100) {
      throw new UsageError(`--fault ${entry}: the percent must be 1-100, got ${percent}`);
    }
    const ms = slowMs === undefined ? undefined : Number(slowMs);
    if (ms !== undefined && (ms < 1 || ms > 600_000)) {
      throw new UsageError(`--fault ${entry}: slow takes 1-600000 ms, got ${slowMs}`);
    }
    faults[name] = {
      mode: (ms === undefined ? mode : "slow") as FaultMode,
      ...(ms === undefined ? {} : { ms }),
      percent: share,
    };
  }
  return faults;
}

/** `500@20`, `slow:800`, `hang`: how the start-up table shows a fault. */
export function describeFault(fault: Fault): string {
  const mode = fault.mode === "slow" ? `slow:${fault.ms}` : fault.mode;
  return fault.percent === 100 ? mode : `${mode}@${fault.percent}`;
}

/** The binding through which a worker's local entry asks Node for its fault. */
export const FAULTS_BINDING = "LOCAL_FAULTS";

/** What the Node side of FAULTS_BINDING answers: the worker's fault, or null. */
export function faultsHandler(current: () => Faults): (request: Request) => Response {
  return (request) => {
    const name = new URL(request.url).pathname.slice(1);
    return Response.json(isWorkerName(name) ? (current()[name] ?? null) : null);
  };
}

/**
 * The part of a worker's local entry that applies its fault before the worker runs. It asks Node
 * at most every 200 ms, and passes the worker an env without the binding.
 */
export function faultWrapperSource(name: WorkerName): string {
  return `const FAULT_WORKER = ${JSON.stringify(name)};
let faultCache = { at: -Infinity, fault: null };
async function currentFault(env) {
  const now = Date.now();
  if (now - faultCache.at > 200) {
    const answer = await env.${FAULTS_BINDING}.fetch("http://local-faults/" + FAULT_WORKER);
    faultCache = { at: now, fault: await answer.json() };
  }
  return faultCache.fault;
}
function withFaults(fetch) {
  return async (request, env, ctx) => {
    const { ${FAULTS_BINDING}: _faults, ...workerEnv } = env;
    const fault = _faults ? await currentFault(env) : null;
    if (fault && Math.random() * 100 < fault.percent) {
      const what = "injected fault (--fault " + FAULT_WORKER + "=" + fault.mode + ")";
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
