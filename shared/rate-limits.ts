// The rate limits the services enforce with Cloudflare's Workers Rate Limiting binding: their
// names (as in `platform:rateLimits.<name>`), the binding each is declared as, and the defaults.

export const RATE_LIMIT_NAMES = ["login", "loginClient", "register", "events"] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];

/** The only periods (seconds) the binding has. */
export type RateLimitPeriod = 10 | 60;

export interface RateLimitRule {
  /** Requests allowed per key and period. */
  limit: number;
  period: RateLimitPeriod;
}

/** Per limit: the binding's name, what it counts (for docs and messages) and its defaults. */
export const RATE_LIMITS = {
  login: { binding: "RATE_LIMIT_LOGIN", per: "account", limit: 5, period: 60 },
  loginClient: { binding: "RATE_LIMIT_LOGIN_CLIENT", per: "client", limit: 30, period: 60 },
  register: { binding: "RATE_LIMIT_REGISTER", per: "client", limit: 10, period: 60 },
  events: { binding: "RATE_LIMIT_EVENTS", per: "user", limit: 60, period: 60 },
} as const satisfies Record<
  RateLimitName,
  RateLimitRule & { binding: string; per: "account" | "client" | "user" }
>;

/** The JSON binding that tells a service each limit's period, for `Retry-After`. */
export const RATE_LIMIT_PERIODS_BINDING = "RATE_LIMITS";
export type RateLimitPeriods = Partial<Record<RateLimitName, { period: RateLimitPeriod }>>;

/** Cloudflare's rate limiting binding as a worker sees it. */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

export type RateLimitBindings = {
  [K in RateLimitName as (typeof RATE_LIMITS)[K]["binding"]]?: RateLimiter;
} & { [RATE_LIMIT_PERIODS_BINDING]?: RateLimitPeriods };
