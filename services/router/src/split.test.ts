// The sticky weighted split: proportions, stickiness, monotonic moves, exact 0 and 100, cookies.

import { describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "../../../shared/workers.ts";
import { rolloutBucket, splitCookie, splitDecision, splitKeyFrom } from "./split.ts";

/**
 * 10,000 random UUID-shaped keys from a seeded generator (mulberry32), so a run cannot fail by
 * chance: the bounds below are ~4 standard deviations wide and would flake now and then.
 */
const KEYS = seededUuids(10_000, 0x5eed);
/** Keys with structure, as user ids in a database might be. */
const SEQUENTIAL = Array.from({ length: 10_000 }, (_, i) => `user-${i + 1}`);

function greenShare(keys: string[], service: string, weight: number): number {
  const green = keys.filter((key) => splitDecision(service, weight, key, undefined).green);
  return (green.length / keys.length) * 100;
}

describe("rolloutBucket", () => {
  it("is an integer 0-99 that depends only on key and service", () => {
    for (const key of KEYS.slice(0, 1000)) {
      const bucket = rolloutBucket(key, "investor");
      expect(Number.isInteger(bucket) && bucket >= 0 && bucket < 100).toBe(true);
      expect(rolloutBucket(key, "investor")).toBe(bucket);
    }
  });

  it("spreads keys evenly over the 100 buckets", () => {
    const counts = new Array<number>(100).fill(0);
    for (const key of KEYS) counts[rolloutBucket(key, "creator")]! += 1;
    // 100 per bucket expected; ±45 is over 4 standard deviations.
    expect(Math.min(...counts)).toBeGreaterThan(55);
    expect(Math.max(...counts)).toBeLessThan(145);
  });

  it("hashes a key independently per service", () => {
    const both = KEYS.filter(
      (key) => rolloutBucket(key, "creator") < 50 && rolloutBucket(key, "investor") < 50,
    );
    expect(Math.abs((both.length / KEYS.length) * 100 - 25)).toBeLessThanOrEqual(2);
  });
});

describe("splitDecision", () => {
  it.each([1, 5, 10, 25, 33, 50, 67, 75, 90, 95, 99])(
    "sends %i%% of 10,000 keys to green, within 2 points, for every service",
    (weight) => {
      for (const service of SERVICE_NAMES) {
        expect(Math.abs(greenShare(KEYS, service, weight) - weight)).toBeLessThanOrEqual(2);
        expect(Math.abs(greenShare(SEQUENTIAL, service, weight) - weight)).toBeLessThanOrEqual(2);
      }
    },
  );

  it("is exact at weights 0 and 100 and then needs no key", () => {
    for (const key of KEYS) {
      expect(splitDecision("investor", 0, key, undefined)).toEqual({ green: false });
      expect(splitDecision("investor", 100, key, undefined)).toEqual({ green: true });
    }
    expect(splitDecision("investor", 0, undefined, undefined)).toEqual({ green: false });
    expect(splitDecision("investor", 100, undefined, undefined)).toEqual({ green: true });
  });

  it("keeps every key on its side while the weight stays", () => {
    for (const key of KEYS) {
      const first = splitDecision("browse", 37, key, undefined).green;
      expect(splitDecision("browse", 37, key, undefined).green).toBe(first);
      expect(splitDecision("browse", 37, undefined, `pitch_split=${key}`).green).toBe(first);
    }
  });

  it("only moves keys blue→green as the weight rises", () => {
    const movedBack: string[] = [];
    for (const key of KEYS) {
      let wasGreen = false;
      for (let weight = 0; weight <= 100; weight++) {
        const green = splitDecision("production", weight, key, undefined).green;
        if (wasGreen && !green) movedBack.push(`${key} at ${weight}`);
        wasGreen = green;
      }
      if (!wasGreen) movedBack.push(`${key} is not green at 100`);
    }
    expect(movedBack).toEqual([]);
  });

  it("uses the user id over the cookie, and makes a key only for a caller without either", () => {
    const user = "user-42";
    const signedIn = splitDecision("creator", 50, user, "pitch_split=cookie-key-1234567890");
    expect(signedIn).toEqual({ green: rolloutBucket(user, "creator") < 50 });
    const cookieKey = "0a1b2c3d-0000-4000-8000-123456789abc";
    expect(splitDecision("creator", 50, undefined, `a=1; pitch_split=${cookieKey}`)).toEqual({
      green: rolloutBucket(cookieKey, "creator") < 50,
    });
    const anonymous = splitDecision("creator", 50, undefined, "a=1");
    expect(anonymous.newKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(anonymous.green).toBe(rolloutBucket(anonymous.newKey!, "creator") < 50);
  });
});

describe("split cookie", () => {
  const key = "0a1b2c3d-0000-4000-8000-123456789abc";

  it.each([
    [`pitch_split=${key}`, key],
    [`theme=dark; pitch_split=${key}; lang=en`, key],
    [`theme=dark;pitch_split=${key}`, key],
    [`pitch_split=${key} `, key],
    [`xpitch_split=${key}`, undefined],
    ["pitch_split=short", undefined],
    ['pitch_split="quoted-value-123456"', undefined],
    [`pitch_split=${key}!`, undefined],
    [`pitch_split=${"a".repeat(65)}`, undefined],
    ["", undefined],
  ])("reads %j as %j", (header, expected) => {
    expect(splitKeyFrom(header)).toBe(expected);
  });

  it("is first-party, HttpOnly, SameSite=Lax, long-lived, Secure on https", () => {
    expect(splitCookie(key, true)).toBe(
      `pitch_split=${key}; Path=/; Max-Age=34560000; HttpOnly; SameSite=Lax; Secure`,
    );
    expect(splitCookie(key, false)).toBe(
      `pitch_split=${key}; Path=/; Max-Age=34560000; HttpOnly; SameSite=Lax`,
    );
    expect(splitKeyFrom(splitCookie(key, true).split(";")[0])).toBe(key);
  });
});

function seededUuids(count: number, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, "0");
  };
  return Array.from({ length: count }, () => {
    const hex = next() + next() + next() + next();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  });
}
