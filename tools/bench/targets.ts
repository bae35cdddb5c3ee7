// The targets the start-up issue sets, judged from the figures; a missed one fails the run. Each
// says what was expected and what was found, naming the workers that missed it.

import { formatBytes } from "../../infra/budgets.ts";
import { type BenchResults, times } from "./results.ts";

export const LIMITS = {
  serviceGzipBytes: 12 * 1024,
  routerGzipBytes: 10 * 1024,
  serviceStartupVsBare: 1.3,
  routerStartupVsBare: 1.2,
  /** The router's added p50 must stay under this (strictly). */
  routerAddedP50Ms: 2,
  splitSharePoints: 1,
} as const;

export interface Target {
  what: string;
  met: boolean;
  found: string;
}

type Judged = Pick<BenchResults, "sizes" | "startup" | "overhead" | "fallback" | "split">;

export function judgeTargets(results: Judged): Target[] {
  const { sizes, startup, overhead, fallback, split } = results;
  const gzipOf = (kind: string) =>
    sizes.filter((s) => s.kind === kind).map((s) => ({ name: s.worker, value: s.gzipBytes }));
  const startupOf = (kind: string) =>
    startup.bundles
      .filter((b) => b.kind === kind)
      .map((b) => ({ name: b.bundle, value: b.vsBare.median }));
  const added = overhead.addedP50Ms.median;
  const paths = [
    overhead.direct,
    overhead.routed,
    fallback.blue,
    fallback.fallback,
    fallback.skipped,
  ];
  const wrong = paths.filter((path) => path.mismatches > 0);
  return [
    atMost(
      `every service ≤ ${formatBytes(LIMITS.serviceGzipBytes)} gzip`,
      gzipOf("service"),
      LIMITS.serviceGzipBytes,
      gzip,
    ),
    atMost(
      `router ≤ ${formatBytes(LIMITS.routerGzipBytes)} gzip`,
      gzipOf("router"),
      LIMITS.routerGzipBytes,
      gzip,
    ),
    atMost(
      "every worker within its budget in bundle-budgets.json (share of the tighter limit)",
      sizes.map((s) => ({
        name: s.worker,
        value: Math.max(s.gzipBytes / s.budget.maxGzipBytes, s.bytes / s.budget.maxBytes),
      })),
      1,
      (share) => `${(share * 100).toFixed(1)}%`,
    ),
    atMost(
      `every service's start-up ≤ ${LIMITS.serviceStartupVsBare}x the bare Hono app's (median)`,
      startupOf("service"),
      LIMITS.serviceStartupVsBare,
      exactTimes,
    ),
    atMost(
      `router's start-up ≤ ${LIMITS.routerStartupVsBare}x the bare Hono app's (median)`,
      startupOf("router"),
      LIMITS.routerStartupVsBare,
      exactTimes,
    ),
    {
      what: `router adds under ${LIMITS.routerAddedP50Ms} ms at p50 (median of the rounds)`,
      met: added < LIMITS.routerAddedP50Ms,
      found: `${added.toFixed(2)} ms`,
    },
    {
      what: "every load-run answer was a 200 with the x-served-by its path claims",
      met: wrong.length === 0,
      found:
        wrong
          .map(
            (path) =>
              `${path.path}: ${path.mismatches} not; statuses ${tallyText(path.statuses)}, x-served-by ${tallyText(path.servedBy)}`,
          )
          .join("; ") || "all were",
    },
    atMost(
      `green share within ±${LIMITS.splitSharePoints} pp of the weight at ${split.weights.join(", ")}`,
      split.shares.map((s) => ({
        name: `${s.service}@${s.weight}`,
        value: Math.abs(s.percent - s.weight),
      })),
      LIMITS.splitSharePoints,
      (points) => `${points.toFixed(2)} pp off`,
    ),
    {
      what: "the split is sticky: no key green→blue as the weight rises, the same key decides the same twice",
      met: split.movedBack === 0 && split.undecided === 0,
      found: `${split.movedBack} moved back, ${split.undecided} decided differently, over ${split.keys} keys`,
    },
  ];
}

/** Three decimals, as measured: 1.30x could be over 1.3. */
function exactTimes(value: number): string {
  return times(value, 3);
}

/** Rounded and exact, since a bundle can be over its limit by less than the rounding. */
function gzip(bytes: number): string {
  return `${formatBytes(bytes)} (${bytes} B)`;
}

/** Met when every figure is at most `max`; found names those over it, else the largest. */
function atMost(
  what: string,
  figures: readonly { name: string; value: number }[],
  max: number,
  show: (value: number) => string,
): Target {
  const over = figures.filter((figure) => figure.value > max);
  const largest = [...figures].sort((a, b) => b.value - a.value).slice(0, 1);
  const named = (list: typeof figures) => list.map((f) => `${f.name} ${show(f.value)}`).join(", ");
  return {
    what,
    met: figures.length > 0 && over.length === 0,
    found:
      figures.length === 0
        ? "nothing measured"
        : over.length > 0
          ? `over: ${named(over)}`
          : `largest: ${named(largest)}`,
  };
}

function tallyText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, count]) => `${key} ×${count}`)
    .join(", ");
}
