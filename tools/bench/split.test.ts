// The bench's split statistic must catch a split that is off, not sticky or not deterministic;
// fed the router's own function, it finds none of those.

import { describe, expect, it } from "vitest";
import { rolloutBucket } from "../../services/router/src/split.ts";
import { measureSplit } from "./split.ts";

/** Fixed keys, so the shares (and the test) are the same on every run. */
const KEYS = Array.from({ length: 20_000 }, (_, i) => `user-${i + 1}`);

describe("measureSplit", () => {
  it("finds the router's split within a point of each weight, sticky and deterministic", () => {
    const split = measureSplit(KEYS);
    expect(split.shares).toHaveLength(6 * 5);
    for (const share of split.shares) {
      expect(Math.abs(share.percent - share.weight)).toBeLessThanOrEqual(1);
    }
    expect([split.movedBack, split.undecided]).toEqual([0, 0]);
  });

  it("counts keys that go back to blue when a bucket depends on the weight", () => {
    const rehashed = (service: string, weight: number, key: string) =>
      rolloutBucket(`${key}:${weight}`, service) < weight;
    const split = measureSplit(KEYS, ["browse"], [25, 50], rehashed);
    // About a quarter of the keys green at 25 fall outside the half green at 50.
    expect(split.movedBack).toBeGreaterThan(KEYS.length * 0.1);
    expect(split.undecided).toBe(0);
  });

  it("counts keys that decide differently when asked twice", () => {
    let calls = 0;
    const flaky = () => calls++ % 3 === 0;
    expect(measureSplit(KEYS.slice(0, 300), ["browse"], [50], flaky).undecided).toBe(200);
  });

  it("reports the share of green keys in percent per service and weight", () => {
    const everyOther = (_service: string, _weight: number, key: string) =>
      Number(key.slice(5)) % 2 === 0;
    expect(measureSplit(KEYS, ["browse", "auth"], [99, 1], everyOther).shares).toEqual([
      { service: "browse", weight: 1, percent: 50 },
      { service: "browse", weight: 99, percent: 50 },
      { service: "auth", weight: 1, percent: 50 },
      { service: "auth", weight: 99, percent: 50 },
    ]);
  });
});
