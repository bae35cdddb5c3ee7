// Refuses a request over one of the stack's rate limits (shared/rate-limits.ts) with 429 and
// `Retry-After`, before the handler reads or stores anything. Without the binding (a stack with no
// `platform:rateLimits`, the monolith, a test) nothing is limited.

import type { Context } from "hono";
import { ApiError } from "../errors.ts";
import { RATE_LIMITS, type RateLimitName } from "../rate-limits.ts";
import type { ServiceEnv } from "./app.ts";

/** The key of every client that arrives without `cf-connecting-ip` (only locally, off Cloudflare). */
export const LOCAL_CLIENT_KEY = "local-client";

/** The client's address as Cloudflare gives it (the router forwards client headers). */
export function clientKey(c: Context<ServiceEnv>): string {
  return c.req.header("cf-connecting-ip") ?? LOCAL_CLIENT_KEY;
}

const TOO_MANY: Record<RateLimitName, string> = {
  login: "Too many sign-in attempts for this account",
  loginClient: "Too many sign-in attempts from this client",
  register: "Too many registrations from this client",
  events: "Too many event batches from this user",
};

/** Counts one request against `name` for `key`; throws 429 `rate_limited` when over the limit. */
export async function enforceRateLimit(
  c: Context<ServiceEnv>,
  name: RateLimitName,
  key: string,
): Promise<void> {
  const rule = RATE_LIMITS[name];
  const limiter = c.env[rule.binding];
  if (!limiter) return;
  const { success } = await limiter.limit({ key });
  if (success) return;
  const period = c.env.RATE_LIMITS?.[name]?.period ?? rule.period;
  c.header("Retry-After", String(period));
  throw new ApiError(429, "rate_limited", `${TOO_MANY[name]}; try again in ${period} seconds.`);
}
