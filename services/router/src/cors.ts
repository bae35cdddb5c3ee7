// CORS for the configured origins, answered by the router: services never see a preflight.
// hono's cors does the headers; this wrapper keeps every CORS header from other origins.

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { REQUEST_ID_HEADER, SERVED_BY_HEADER } from "../../../shared/identity.ts";

/** How long a browser may reuse a preflight answer. */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

const handlers = new WeakMap<readonly string[], MiddlewareHandler>();

/**
 * Allowed origins get their origin echoed with credentials allowed (never `*`), the request id
 * and served-by headers exposed, and any OPTIONS answered here as a preflight. Other origins get
 * no CORS header at all (hono's cors alone would still send Allow-Credentials), and their
 * preflights an empty 204. Every response varies on Origin, so caches keep them apart.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler {
  const cached = handlers.get(origins);
  if (cached) return cached;
  const allowed = cors({
    origin: (origin) => origin,
    credentials: true,
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    exposeHeaders: [REQUEST_ID_HEADER, SERVED_BY_HEADER],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
  const handler: MiddlewareHandler = async (c, next) => {
    const origin = c.req.header("origin");
    if (origin && origins.includes(origin)) return allowed(c, next);
    if (origin && c.req.method === "OPTIONS") return c.body(null, 204, { vary: "Origin" });
    await next();
    c.header("vary", "Origin", { append: true });
  };
  handlers.set(origins, handler);
  return handler;
}
