// One Workers Analytics Engine data point per forwarded request, for the health-gated rollout:
// index = the service (or `monolith` for its own paths); blobs = side, status class, safe or unsafe,
// route prefix; doubles = duration in ms and status. A request the monolith rescued by fallback,
// or one skipped because the service kept failing, is written with that side, so the rollout
// counts it against the new side. Writing never delays or fails a request.

/** The binding's one method (Cloudflare's `AnalyticsEngineDataset`). */
export interface AnalyticsEngineDataset {
  writeDataPoint(point: { indexes?: string[]; blobs?: string[]; doubles?: number[] }): void;
}

/** The sides as data points name them: the `x-served-by` values, with the service as `service`. */
export type Side = "service" | "monolith" | "monolith-fallback" | "monolith-skipped";

export interface Forwarded {
  /** Route target: a service, or `monolith` for monolith-only paths. */
  target: string;
  /** Who answered (`x-served-by`), or whom the router tried when the call failed. */
  servedBy: string;
  status: number;
  method: string;
  prefix: string;
  ms: number;
}

const SAFE = ["GET", "HEAD", "OPTIONS"];

export function sideOf(target: string, servedBy: string): Side {
  if (servedBy === "monolith-fallback" || servedBy === "monolith-skipped") return servedBy;
  return servedBy === "monolith" || target === "monolith" ? "monolith" : "service";
}

export function recordForward(dataset: AnalyticsEngineDataset | undefined, f: Forwarded): void {
  if (!dataset) return;
  try {
    dataset.writeDataPoint({
      indexes: [f.target],
      blobs: [
        sideOf(f.target, f.servedBy),
        `${Math.floor(f.status / 100)}xx`,
        SAFE.includes(f.method) ? "safe" : "unsafe",
        f.prefix,
      ],
      doubles: [Math.max(0, f.ms), f.status],
    });
  } catch (error) {
    console.error("[router] telemetry write failed:", error);
  }
}
