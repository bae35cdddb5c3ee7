// The health gate of a rollout step: compare the new side with the monolith over the step's
// window and decide. Pure, so every decision can be checked on recorded figures.

import { errorRate, type Health, type SideHealth } from "./health.ts";

export interface GateOptions {
  /** Requests the new side needs in the window before it can be judged. */
  minSamples: number;
  /** Percentage points the new side's error rate may exceed the monolith's by. */
  maxErrorDelta: number;
  /** How many times the monolith's p99 the new side's p99 may be. */
  maxP99Ratio: number;
  /** Milliseconds of p99 difference too small to fail on, whatever the ratio (timer noise). */
  p99SlackMs: number;
  /** An error rate (percent) of the new side that rolls back at once. */
  hardErrorRate: number;
}

export const GATE_DEFAULTS: GateOptions = {
  minSamples: 200,
  maxErrorDelta: 1,
  maxP99Ratio: 1.5,
  p99SlackMs: 10,
  hardErrorRate: 5,
};

export type Verdict = "promote" | "fail" | "inconclusive" | "hard-fail";

export interface Decision {
  verdict: Verdict;
  /** One line per reason, naming the figures. */
  reasons: string[];
  /** The monolith figures judged against (this window's, or the previous step's at 100). */
  baseline?: SideHealth;
}

const pct = (value: number) => `${value.toFixed(2)}%`;

/**
 * The verdict for one window. `previousBaseline` stands in for the monolith when this window has
 * too few monolith samples to compare with (the last step, 100, has no blue side left).
 */
export function judge(
  health: Health,
  options: GateOptions,
  previousBaseline?: SideHealth,
): Decision {
  const { green } = health;
  const greenRate = errorRate(green);
  if (green.requests >= options.minSamples && greenRate > options.hardErrorRate) {
    return {
      verdict: "hard-fail",
      reasons: [
        `new side error rate ${pct(greenRate)} is over the hard limit ${pct(options.hardErrorRate)}`,
      ],
    };
  }
  if (green.requests < options.minSamples) {
    return {
      verdict: "inconclusive",
      reasons: [
        `new side has ${green.requests} requests in the window, fewer than ${options.minSamples}`,
      ],
    };
  }
  const baseline = health.blue.requests >= options.minSamples ? health.blue : previousBaseline;
  if (!baseline) {
    return {
      verdict: "inconclusive",
      reasons: [
        `the monolith has ${health.blue.requests} requests in the window and no earlier step to compare with`,
      ],
    };
  }
  const reasons: string[] = [];
  const allowed = errorRate(baseline) + options.maxErrorDelta;
  if (greenRate > allowed) {
    reasons.push(
      `new side error rate ${pct(greenRate)} is over the monolith's ${pct(errorRate(baseline))} + ${options.maxErrorDelta} points`,
    );
  }
  if (
    green.p99 > baseline.p99 * options.maxP99Ratio &&
    green.p99 > baseline.p99 + options.p99SlackMs
  ) {
    reasons.push(
      `new side p99 ${green.p99.toFixed(0)} ms is over ${options.maxP99Ratio} × the monolith's ${baseline.p99.toFixed(0)} ms and over it by more than ${options.p99SlackMs} ms`,
    );
  }
  return reasons.length
    ? { verdict: "fail", reasons, baseline }
    : {
        verdict: "promote",
        reasons: [
          `error rate ${pct(greenRate)} vs ${pct(errorRate(baseline))}, p99 ${green.p99.toFixed(0)} vs ${baseline.p99.toFixed(0)} ms`,
        ],
        baseline,
      };
}
