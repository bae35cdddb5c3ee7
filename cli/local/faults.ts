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
