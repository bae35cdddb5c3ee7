// Load runs with autocannon against workerd on 127.0.0.1: fixed connections, a fixed number of
// seconds per run, paths taken in turns so a slow moment of the machine falls on all of them alike. Every answer's status and `x-served-by` are tallied, so a path that was not served
// the way it claims shows up instead of lending its numbers to another.

import autocannon from "autocannon";
import { quantile } from "../../cli/rollout/health.ts";
import { SERVED_BY_HEADER } from "../../shared/identity.ts";
import { type Spread, spreadOf } from "./results.ts";

/** Connections per load run, each with one request in flight (no pipelining). */
export const CONNECTIONS = 10;
/** The `x-served-by` tally's name for an answer without the header. */
const NO_HEADER = "(none)";

export interface LoadPath {
  name: string;
  /** Where the request goes, e.g. `http://127.0.0.1:41234/api/browse/pitches?limit=5`. */
  url: string;
  /** The `x-served-by` every answer must carry; undefined: not checked (a service answering itself). */
  servedBy?: string;
}

/** A load run's answers as numbers; a path's, over its runs, as spreads. */
interface Answers<Figure> {
  p50Ms: Figure;
  p99Ms: Figure;
  requestsPerSecond: Figure;
  /** Answers by status and by `x-served-by`. */
  statuses: Record<string, number>;
  servedBy: Record<string, number>;
  /** Answers that were not what the path claims, plus connection errors and timeouts: must be 0. */
  mismatches: number;
}

type LoadRun = Answers<number>;

export interface PathFigures extends Answers<Spread> {
  path: string;
  /** What every answer must be: a 200 with this `x-served-by` (if any). */
  claimed: { status: 200; servedBy?: string };
}

/** One unrecorded warm-up run per path (at most 2 s), then `rounds` runs of each path in turns. */
export async function loadInTurns(
  paths: readonly LoadPath[],
  rounds: number,
  seconds: number,
): Promise<Map<string, PathFigures>> {
  const runs = new Map(paths.map((path) => [path.name, [] as LoadRun[]]));
  for (let round = -1; round < rounds; round++) {
    for (const path of paths) {
      const run = await loadRun(path, round < 0 ? Math.min(seconds, 2) : seconds);
      if (round >= 0) runs.get(path.name)?.push(run);
    }
  }
  return new Map(paths.map((path) => [path.name, figuresOf(path, runs.get(path.name) ?? [])]));
}

function loadRun(path: LoadPath, seconds: number): Promise<LoadRun> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const servedBy: Record<string, number> = {};
  let mismatches = 0;
  const { origin, pathname, search } = new URL(path.url);
  return new Promise((resolve, reject) => {
    // From the start to the last answer: autocannon ends a run on one of its 1 s ticks.
    const started = performance.now();
    let lastAnswer = started;
    const instance = autocannon(
      {
        url: origin,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: "GET",
            path: `${pathname}${search}`,
            onResponse(status, _body, _context, headers) {
              const by = headerOf(headers, SERVED_BY_HEADER) ?? NO_HEADER;
              tally(statuses, String(status));
              tally(servedBy, by);
              if (status !== 200 || (path.servedBy !== undefined && by !== path.servedBy)) {
                mismatches++;
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        resolve({
          p50Ms: quantile(latencies, 0.5),
          p99Ms: quantile(latencies, 0.99),
          requestsPerSecond: latencies.length / ((lastAnswer - started) / 1000),
          statuses,
          servedBy,
          mismatches: mismatches + result.errors,
        });
      },
    );
    // autocannon's own histogram keeps whole milliseconds; its response event has the exact time.
    instance.on("response", (_client, _status, _bytes, ms) => {
      latencies.push(ms);
      lastAnswer = performance.now();
    });
  });
}

function figuresOf(path: LoadPath, runs: readonly LoadRun[]): PathFigures {
  const statuses: Record<string, number> = {};
  const servedBy: Record<string, number> = {};
  for (const run of runs) {
    for (const [status, count] of Object.entries(run.statuses)) tally(statuses, status, count);
    for (const [by, count] of Object.entries(run.servedBy)) tally(servedBy, by, count);
  }
  return {
    path: path.name,
    claimed: { status: 200, ...(path.servedBy === undefined ? {} : { servedBy: path.servedBy }) },
    p50Ms: spreadOf(runs.map((run) => run.p50Ms)),
    p99Ms: spreadOf(runs.map((run) => run.p99Ms)),
    requestsPerSecond: spreadOf(runs.map((run) => run.requestsPerSecond)),
    statuses,
    servedBy,
    mismatches: runs.reduce((sum, run) => sum + run.mismatches, 0),
  };
}

function headerOf(headers: Record<string, unknown> | undefined, name: string) {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : String(headers?.[key]);
}

function tally(counts: Record<string, number>, key: string, count = 1): void {
  counts[key] = (counts[key] ?? 0) + count;
}
