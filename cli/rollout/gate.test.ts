// The rollout gate and loop on recorded figures: pass, fail on errors, fail on latency,
// inconclusive, the hard limit, the last step judged against the step before, and a run that
// crashed resuming from its log.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Clock, type RolloutTarget, runAutoRollout, type StepRecord } from "./auto.ts";
import { GATE_DEFAULTS, judge } from "./gate.ts";
import { type Health, type SideHealth, summarize } from "./health.ts";

const side = (requests: number, errors: number, p99: number): SideHealth => ({
  requests,
  errors,
  p50: p99 / 3,
  p99,
});
const health = (green: SideHealth, blue: SideHealth): Health => ({
  service: "investor",
  since: 0,
  until: 1,
  green,
  blue,
});

describe("judge", () => {
  it("promotes a new side as healthy as the monolith", () => {
    const decision = judge(health(side(400, 2, 120), side(400, 1, 100)), GATE_DEFAULTS);
    expect(decision.verdict).toBe("promote");
  });

  it("fails on an error rate over the monolith's plus the allowed points", () => {
    const decision = judge(health(side(400, 12, 100), side(400, 2, 100)), GATE_DEFAULTS);
    expect(decision).toMatchObject({
      verdict: "fail",
      reasons: ["new side error rate 3.00% is over the monolith's 0.50% + 1 points"],
    });
  });

  it("fails on a p99 over the allowed ratio", () => {
    const decision = judge(health(side(400, 0, 400), side(400, 0, 100)), GATE_DEFAULTS);
    expect(decision).toMatchObject({
      verdict: "fail",
      reasons: [
        "new side p99 400 ms is over 1.5 × the monolith's 100 ms and over it by more than 10 ms",
      ],
    });
  });

  it("does not fail on a ratio of a few milliseconds (timer noise), only past the slack", () => {
    expect(judge(health(side(400, 0, 11), side(400, 0, 3)), GATE_DEFAULTS).verdict).toBe("promote");
    expect(judge(health(side(400, 0, 14), side(400, 0, 3)), GATE_DEFAULTS).verdict).toBe("fail");
    const strict = { ...GATE_DEFAULTS, p99SlackMs: 0 };
    expect(judge(health(side(400, 0, 11), side(400, 0, 3)), strict).verdict).toBe("fail");
  });

  it("is inconclusive with too few samples, and never promotes on them", () => {
    const decision = judge(health(side(50, 0, 10), side(400, 0, 100)), GATE_DEFAULTS);
    expect(decision.verdict).toBe("inconclusive");
  });

  it("rolls back at once over the hard limit, whatever the monolith does", () => {
    const decision = judge(health(side(400, 40, 100), side(400, 40, 100)), GATE_DEFAULTS);
    expect(decision.verdict).toBe("hard-fail");
  });

  it("judges the last step (no blue side left) against the step before", () => {
    const at100 = health(side(800, 1, 110), side(0, 0, 0));
    expect(judge(at100, GATE_DEFAULTS).verdict).toBe("inconclusive");
    expect(judge(at100, GATE_DEFAULTS, side(400, 1, 100)).verdict).toBe("promote");
  });

  it("counts fallbacks and skips as failures of the new side, never as monolith samples", () => {
    const figures = summarize("investor", 0, 1, [
      { side: "service", ms: 10, status: 200 },
      { side: "monolith-fallback", ms: 30, status: 200 },
      { side: "monolith-skipped", ms: 5, status: 200 },
      { side: "service", ms: 12, status: 504 },
      { side: "monolith", ms: 8, status: 200 },
    ]);
    expect(figures.green).toMatchObject({ requests: 4, errors: 3 });
    expect(figures.blue).toMatchObject({ requests: 1, errors: 0 });
  });
});

const dir = mkdtempSync(join(tmpdir(), "rollout-gate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A target whose health per weight comes from a script; weights are recorded. */
function scripted(figures: (weight: number, look: number) => Health | Error) {
  let weight = 0;
  const looks = new Map<number, number>();
  const set: number[] = [];
  const target: RolloutTarget = {
    describe: "a scripted target",
    weight: async () => weight,
    setWeight: async (_service, next) => {
      weight = next;
      set.push(next);
    },
    health: {
      describe: "recorded figures",
      read: async () => {
        const look = (looks.get(weight) ?? 0) + 1;
        looks.set(weight, look);
        const result = figures(weight, look);
        if (result instanceof Error) throw result;
        return result;
      },
    },
  };
  return { target, set, at: (w: number) => (weight = w) };
}

let t = 0;
const clock: Clock = {
  now: () => t,
  sleep: async (ms) => {
    t += ms;
  },
};
const options = {
  ...GATE_DEFAULTS,
  service: "investor",
  steps: [5, 25, 50, 100],
  intervalMs: 60_000,
  threshold: 2,
  maxInconclusive: 3,
  dryRun: false,
};
const quiet = () => {};
const healthy = (weight: number) =>
  health(side(400, 1, 100), weight === 100 ? side(0, 0, 0) : side(400, 1, 100));

describe("runAutoRollout", () => {
  it("promotes step by step to 100 and exits 0", async () => {
    const { target, set } = scripted(healthy);
    const code = await runAutoRollout(options, target, join(dir, "ok.jsonl"), quiet, clock);
    expect([code, set]).toEqual([0, [5, 25, 50, 100]]);
  });

  it("rolls back to the starting weight after the threshold of failed checks, exit 1", async () => {
    const { target, set } = scripted((w) =>
      w >= 25 ? health(side(400, 40 / 4, 100), side(400, 0, 100)) : healthy(w),
    );
    const code = await runAutoRollout(options, target, join(dir, "fail.jsonl"), quiet, clock);
    expect([code, set]).toEqual([1, [5, 25, 0]]);
  });

  it("rolls back after too many inconclusive looks, exit 3", async () => {
    const { target, set } = scripted((w) => (w === 5 ? new Error("query failed") : healthy(w)));
    const log = join(dir, "inconclusive.jsonl");
    const code = await runAutoRollout(options, target, log, quiet, clock);
    expect([code, set]).toEqual([3, [5, 0]]);
    const verdicts = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as StepRecord).verdict);
    expect(verdicts).toEqual([
      "inconclusive",
      "inconclusive",
      "inconclusive",
      "inconclusive",
      "rolled-back",
    ]);
  });

  it("resumes a crashed run from its log and the current weight", async () => {
    // The runner died at 25%: 5 was promoted and logged, 25 was set but never judged.
    const log = join(dir, "resume.jsonl");
    const promoted: StepRecord = {
      run: "investor-crashed",
      service: "investor",
      from: 0,
      weight: 5,
      since: 0,
      until: 60_000,
      green: side(400, 1, 100),
      blue: side(400, 1, 100),
      verdict: "promote",
      reasons: [],
    };
    writeFileSync(log, `${JSON.stringify(promoted)}\n`);
    const { target, set, at } = scripted(healthy);
    at(25);
    const lines: string[] = [];
    const code = await runAutoRollout(options, target, log, (l) => lines.push(l), clock);
    expect(code).toBe(0);
    expect(lines[0]).toBe(
      `resuming run investor-crashed of investor from ${log}: at 25, started from 0`,
    );
    expect(set).toEqual([25, 50, 100]);
    const last = JSON.parse(readFileSync(log, "utf8").trim().split("\n").at(-1) ?? "{}");
    expect(last).toMatchObject({ run: "investor-crashed", verdict: "done", weight: 100 });
  });
});
