// The shape of bench/results.json, the one summary every measured figure gets (the median and the
// spread p10–p90 of its runs; nearest rank, so with fewer than 10 runs that is min–max), and how
// figures print.

import { quantile } from "../../cli/rollout/health.ts";
import type { BuildFigures, SizeFigure } from "./build.ts";
import type { FallbackFigures } from "./fallback.ts";
import type { OverheadFigures } from "./overhead.ts";
import type { Machine } from "./report.ts";
import type { SplitFigures } from "./split.ts";
import type { StartupFigures } from "./startup.ts";
import type { Target } from "./targets.ts";

export interface Spread {
  median: number;
  p10: number;
  p90: number;
  /** Every run's value, in run order. */
  runs: number[];
}

export interface BenchSettings {
  /** Start-up runs per bundle. */
  runs: number;
  /** esbuild timings, and load runs per path. */
  rounds: number;
  /** Seconds per load run. */
  duration: number;
  connections: number;
  quick: boolean;
}

export interface BenchResults {
  date: string;
  machine: Machine;
  settings: BenchSettings;
  sizes: SizeFigure[];
  build: BuildFigures;
  startup: StartupFigures;
  overhead: OverheadFigures;
  fallback: FallbackFigures;
  split: SplitFigures;
  targets: Target[];
  /** Wall time of the whole run. */
  seconds: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => round(quantile(sorted, q));
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), runs: values.map(round) };
}

/** Run i of `a` over run i of `b`: runs taken in turns are compared within their turn. */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.slice(0, b.length).map((value, i) => value / (b[i] as number));
}

/** Run i of `a` minus run i of `b`. */
export function differences(a: readonly number[], b: readonly number[]): number[] {
  return a.slice(0, b.length).map((value, i) => value - (b[i] as number));
}

/** Three decimals: µs for times, enough for ratios, and a results.json a person can read. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** `1.23 (1.10–1.40)`: the median, then p10–p90. */
export function spread(value: Spread, format: (v: number) => string): string {
  return `${format(value.median)} (${format(value.p10)}–${format(value.p90)})`;
}

/** Milliseconds with the digits that matter at their size. */
export function ms(value: number): string {
  const abs = Math.abs(value);
  return value.toFixed(abs < 1 ? 3 : abs < 10 ? 2 : abs < 100 ? 1 : 0);
}

export function times(value: number, digits = 2): string {
  return `${value.toFixed(digits)}x`;
}

export function percent(value: number): string {
  return `${Number(value.toFixed(2))}%`;
}
