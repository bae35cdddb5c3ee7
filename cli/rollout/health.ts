// The health of both sides of one service's split over one time window, from the router's data
// points: Workers Analytics Engine's SQL API for a deployed stack, the local platform's store for
// `--local`. A request the monolith rescued by fallback, or one skipped because the service kept
// failing, counts as a request and a failure of the new side, never as a monolith sample.

export interface SideHealth {
  requests: number;
  /** 5xx answers, timeouts, and for the new side every fallback and skip. */
  errors: number;
  p50: number;
  p99: number;
}

export interface Health {
  service: string;
  since: number;
  until: number;
  /** The new service: its own answers, fallbacks and skips. */
  green: SideHealth;
  /** The monolith answering as the blue side. */
  blue: SideHealth;
}

export interface HealthSource {
  /** Where the figures come from, for the report. */
  describe: string;
  read(service: string, since: number, until: number): Promise<Health>;
}

/** One data point as the router writes it (blob1 side, double1 ms, double2 status). */
export interface Point {
  side: string;
  ms: number;
  status: number;
}

const RESCUED = new Set(["monolith-fallback", "monolith-skipped"]);

/** The nearest-rank quantile `q` (0-1) of ascending values; 0 when there are none. */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export function errorRate(side: SideHealth): number {
  return side.requests === 0 ? 0 : (side.errors / side.requests) * 100;
}

/** The two sides' figures from raw points (the local store keeps every point). */
export function summarize(
  service: string,
  since: number,
  until: number,
  points: readonly Point[],
): Health {
  const green = points.filter((p) => p.side !== "monolith");
  const blue = points.filter((p) => p.side === "monolith");
  const side = (list: readonly Point[], failed: (p: Point) => boolean): SideHealth => {
    const times = list.map((p) => p.ms).sort((a, b) => a - b);
    return {
      requests: list.length,
      errors: list.filter(failed).length,
      p50: quantile(times, 0.5),
      p99: quantile(times, 0.99),
    };
  };
  return {
    service,
    since,
    until,
    green: side(green, (p) => p.status >= 500 || RESCUED.has(p.side)),
    blue: side(blue, (p) => p.status >= 500),
  };
}

/** The local platform's store, through its front (`GET /__local/telemetry`). */
export function localHealth(baseUrl: string): HealthSource {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    describe: `the local platform at ${base}`,
    async read(service, since, until) {
      const url = `${base}/__local/telemetry?service=${encodeURIComponent(service)}&since=${since}&until=${until}`;
      const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const { points } = (await response.json()) as { points: Point[] };
      return summarize(service, since, until, points);
    },
  };
}

/**
 * The SQL that gives both sides' figures for one service and window. Counts are weighted by
 * `_sample_interval` (Analytics Engine samples at high volume); latency quantiles likewise.
 */
export function healthSql(dataset: string, service: string, since: number, until: number): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(dataset)) throw new Error(`bad dataset name "${dataset}"`);
  const quoted = `'${service.replaceAll("'", "''")}'`;
  const seconds = (ms: number) => Math.floor(ms / 1000);
  return `SELECT
  if(blob1 = 'monolith', 'blue', 'green') AS side,
  sum(_sample_interval) AS requests,
  sum(if(double2 >= 500 OR blob1 IN ('monolith-fallback', 'monolith-skipped'), _sample_interval, 0)) AS errors,
  quantileExactWeighted(0.5)(double1, _sample_interval) AS p50,
  quantileExactWeighted(0.99)(double1, _sample_interval) AS p99
FROM ${dataset}
WHERE index1 = ${quoted}
  AND timestamp >= toDateTime(${seconds(since)})
  AND timestamp < toDateTime(${seconds(until)})
GROUP BY side
FORMAT JSON`;
}

/** Workers Analytics Engine's SQL API for a deployed stack. */
export function analyticsEngineHealth(options: {
  accountId: string;
  dataset: string;
  apiToken: string;
  /** Cloudflare's v4 API root; tests point it at a fake. */
  baseUrl?: string;
}): HealthSource {
  const root = (options.baseUrl ?? "https://api.cloudflare.com/client/v4").replace(/\/+$/, "");
  const url = `${root}/accounts/${options.accountId}/analytics_engine/sql`;
  return {
    describe: `Analytics Engine dataset ${options.dataset}`,
    async read(service, since, until) {
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${options.apiToken}` },
        body: healthSql(options.dataset, service, since, until),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (!response.ok) {
        const shown = text.split(options.apiToken).join("[token]").slice(0, 300);
        throw new Error(`Analytics Engine SQL API answered ${response.status}: ${shown}`);
      }
      const { data } = JSON.parse(text) as { data: Record<string, string | number>[] };
      const sideOf = (name: string): SideHealth => {
        const row = data.find((r) => r.side === name);
        const n = (key: string) => Number(row?.[key] ?? 0);
        return { requests: n("requests"), errors: n("errors"), p50: n("p50"), p99: n("p99") };
      };
      return { service, since, until, green: sideOf("green"), blue: sideOf("blue") };
    },
  };
}
