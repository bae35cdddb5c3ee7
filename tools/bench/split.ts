// The router's sticky weighted split, measured with its own function over many keys: the green
// share at each weight, keys that move green→blue when the weight rises (must be none), and keys
// that decide differently when asked twice (must be none).

import { splitDecision } from "../../services/router/src/split.ts";
import { hasBlueSide, SERVICE_NAMES } from "../../shared/workers.ts";

export const SPLIT_WEIGHTS = [1, 5, 25, 50, 99] as const;
export const SPLIT_KEYS = 100_000;

export interface SplitFigures {
  keys: number;
  weights: number[];
  /** Green share (0-100) per service and weight. */
  shares: { service: string; weight: number; percent: number }[];
  /** Times (over services and keys) a key green at one weight was blue at the next higher one. */
  movedBack: number;
  /** Keys (per service and weight) that decided differently the second time. */
  undecided: number;
}

/** Whether `key` goes to the new service at `weight`: the router's decision for a signed-in user. */
export type Decide = (service: string, weight: number, key: string) => boolean;

const routerDecision: Decide = (service, weight, key) =>
  splitDecision(service, weight, key, undefined).green;

/** Keys as the router makes them for anonymous callers (and user ids are made the same way). */
export function randomKeys(count = SPLIT_KEYS): string[] {
  return Array.from({ length: count }, () => crypto.randomUUID());
}

export function measureSplit(
  keys: readonly string[],
  services: readonly string[] = SERVICE_NAMES.filter(hasBlueSide),
  weights: readonly number[] = SPLIT_WEIGHTS,
  decide: Decide = routerDecision,
): SplitFigures {
  const ascending = [...weights].sort((a, b) => a - b);
  const shares: SplitFigures["shares"] = [];
  let movedBack = 0;
  let undecided = 0;
  for (const service of services) {
    const green = new Array<number>(ascending.length).fill(0);
    for (const key of keys) {
      let wasGreen = false;
      ascending.forEach((weight, i) => {
        const isGreen = decide(service, weight, key);
        if (decide(service, weight, key) !== isGreen) undecided++;
        if (wasGreen && !isGreen) movedBack++;
        if (isGreen) green[i]!++;
        wasGreen = isGreen;
      });
    }
    ascending.forEach((weight, i) => {
      shares.push({ service, weight, percent: (green[i]! * 100) / keys.length });
    });
  }
  return { keys: keys.length, weights: ascending, shares, movedBack, undecided };
}
