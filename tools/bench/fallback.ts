// The fallback path's cost: the same safe GET through three routers, in turns: browse at 0 (the
// monolith answers as the blue side), browse failing (the router calls it, gets a 500, and the
// monolith rescues the request: `monolith-fallback`), and browse skipped after failing (the router
// sends the request straight to the monolith: `monolith-skipped`).

import { loadInTurns, type PathFigures } from "./load.ts";
import { type BenchPlatform, BROWSE_PATH } from "./platform.ts";
import { differences, type Spread, spreadOf } from "./results.ts";

export interface FallbackFigures {
  request: string;
  rounds: number;
  secondsPerRun: number;
  blue: PathFigures;
  fallback: PathFigures;
  skipped: PathFigures;
  /** Per round, each path's p50 and p99 minus the blue path's. */
  added: Record<"fallback" | "skipped", { p50Ms: Spread; p99Ms: Spread }>;
}

export async function measureFallback(
  platform: BenchPlatform,
  rounds: number,
  seconds: number,
): Promise<FallbackFigures> {
  // The skip router's first failure opens its skip, which lasts longer than the whole bench.
  await (await fetch(platform.urlOf("router-skip"))).arrayBuffer();
  const release = platform.holdOffFallbackSkip();
  const figures = await loadInTurns(
    [
      { name: "monolith (blue side)", url: platform.urlOf("router-blue"), servedBy: "monolith" },
      { name: "fallback", url: platform.urlOf("router-fallback"), servedBy: "monolith-fallback" },
      { name: "skipped", url: platform.urlOf("router-skip"), servedBy: "monolith-skipped" },
    ],
    rounds,
    seconds,
  ).finally(release);
  const blue = figures.get("monolith (blue side)") as PathFigures;
  const fallback = figures.get("fallback") as PathFigures;
  const skipped = figures.get("skipped") as PathFigures;
  const addedTo = (path: PathFigures) => ({
    p50Ms: spreadOf(differences(path.p50Ms.runs, blue.p50Ms.runs)),
    p99Ms: spreadOf(differences(path.p99Ms.runs, blue.p99Ms.runs)),
  });
  return {
    request: `GET ${BROWSE_PATH}`,
    rounds,
    secondsPerRun: seconds,
    blue,
    fallback,
    skipped,
    added: { fallback: addedTo(fallback), skipped: addedTo(skipped) },
  };
}
