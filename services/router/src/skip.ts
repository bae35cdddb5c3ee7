// Skipping a green service that keeps failing (outlier ejection, as Envoy does it): after N
// failures in a row, safe requests go straight to the monolith for a while, then one request
// probes the service again. Per router isolate: no shared state, nothing to store.

import type { UpstreamPolicy } from "../../../shared/router-config.ts";

type Policy = Pick<UpstreamPolicy, "skipAfterFailures" | "skipForMs" | "deadlineMs">;

export class FailureStreak {
  private failures = 0;
  private skipUntil = 0;
  /** When the probe in flight started; 0 when none. */
  private probeStartedAt = 0;
  private skippedSinceOpen = 0;
  /** Counts since this isolate started, for the log lines. */
  readonly counts = { fallbacks: 0, skipped: 0 };

  constructor(readonly service: string) {}

  /**
   * Whether a safe request should go to the monolith now. While skipping, the first request after
   * the pause (or after a probe that never reported back) is let through as the probe.
   */
  shouldSkip(policy: Policy, now: number): boolean {
    if (this.failures < policy.skipAfterFailures) return false;
    const probeInFlight =
      this.probeStartedAt > 0 && now - this.probeStartedAt < 2 * policy.deadlineMs;
    if (now < this.skipUntil || probeInFlight) {
      this.counts.skipped++;
      this.skippedSinceOpen++;
      return true;
    }
    this.probeStartedAt = now;
    console.warn(
      `[router] ${this.service}: ${this.skippedSinceOpen} safe request(s) skipped to the monolith (${this.counts.skipped} since start); probing ${this.service} again`,
    );
    return false;
  }

  /** Any answer below 500, on any method, ends the streak (and a skip). */
  succeeded(): void {
    if (this.skipUntil > 0) {
      console.warn(`[router] ${this.service} answered again; no longer skipped`);
    }
    this.failures = 0;
    this.skipUntil = 0;
    this.probeStartedAt = 0;
    this.skippedSinceOpen = 0;
  }

  /** A throw, a 5xx or a timeout, on any method. */
  failed(policy: Policy, now: number, reason: string): void {
    this.failures++;
    const probeFailed = this.probeStartedAt > 0;
    this.probeStartedAt = 0;
    if (this.failures < policy.skipAfterFailures || (now < this.skipUntil && !probeFailed)) return;
    this.skipUntil = now + policy.skipForMs;
    this.skippedSinceOpen = 0;
    console.warn(
      `[router] ${this.service} failed ${this.failures} time(s) in a row (last: ${reason}); safe requests go to the monolith for ${policy.skipForMs} ms`,
    );
  }
}

const streaks = new Map<string, FailureStreak>();

/** The isolate's streak for a service. */
export function streakOf(service: string): FailureStreak {
  let streak = streaks.get(service);
  if (!streak) {
    streak = new FailureStreak(service);
    streaks.set(service, streak);
  }
  return streak;
}

/** Tests start each case from a fresh isolate's state. */
export function forgetStreaks(): void {
  streaks.clear();
}
