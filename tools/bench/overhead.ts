// What the router adds in front of a service: the same GET sent to the browse worker on its own
// socket and through the router (every service at 100, so it forwards to browse), in turns.

import { CONNECTIONS, loadInTurns, type PathFigures } from "./load.ts";
import { type BenchPlatform, BROWSE_PATH } from "./platform.ts";
import { differences, ratios, type Spread, spreadOf } from "./results.ts";

export interface OverheadFigures {
  request: string;
  connections: number;
  rounds: number;
  secondsPerRun: number;
  direct: PathFigures;
  routed: PathFigures;
  /** Per round, routed p50 − direct p50. */
  addedP50Ms: Spread;
  /** Per round, routed over direct. */
  ratios: { p50: Spread; p99: Spread; requestsPerSecond: Spread };
}

export async function measureOverhead(
  platform: BenchPlatform,
  rounds: number,
  seconds: number,
): Promise<OverheadFigures> {
  const figures = await loadInTurns(
    [
      { name: "browse directly", url: platform.urlOf("browse") },
      { name: "through the router", url: platform.urlOf("router"), servedBy: "browse" },
    ],
    rounds,
    seconds,
  );
  const direct = figures.get("browse directly") as PathFigures;
  const routed = figures.get("through the router") as PathFigures;
  const over = (pick: (path: PathFigures) => Spread, combine: typeof ratios) =>
    spreadOf(combine(pick(routed).runs, pick(direct).runs));
  return {
    request: `GET ${BROWSE_PATH}`,
    connections: CONNECTIONS,
    rounds,
    secondsPerRun: seconds,
    direct,
    routed,
    addedP50Ms: over((path) => path.p50Ms, differences),
    ratios: {
      p50: over((path) => path.p50Ms, ratios),
      p99: over((path) => path.p99Ms, ratios),
      requestsPerSecond: over((path) => path.requestsPerSecond, ratios),
    },
  };
}
