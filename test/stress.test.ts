// The short stress run: a local platform of its own, reads and writes across every service at
// weights between 0 and 100, the investor service faulted (500@20, then hang) for part of it.
// No write is lost or stored twice, no unexpected 5xx, every answer carries a request id.

import { describe, expect, it } from "vitest";
import { runStress } from "../tools/stress.ts";

describe("npm run stress, short", () => {
  it("loses nothing, duplicates nothing and answers every request without an unexpected 5xx", async () => {
    const report = await runStress({ requests: 800, concurrency: 20, users: 4 });
    expect(report.unexpected5xx).toEqual([]);
    expect(report.withoutRequestId).toBe(0);
    expect(report.requests).toBe(800);
    expect(report.writes.acknowledged).toBeGreaterThan(100);
    expect(report.writes).toMatchObject({ lost: 0, duplicated: 0 });
    expect(report.writes.unconfirmed.duplicated).toBe(0);
    // The faults were in force: the monolith rescued reads, and some writes were refused.
    expect(report.latency["monolith-fallback"]?.count ?? 0).toBeGreaterThan(0);
    expect(report.writes.unconfirmed.count).toBeGreaterThan(0);
    expect(report.ok).toBe(true);
  }, 180_000);
});
