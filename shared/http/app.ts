// The Hono app every service starts from: request id, the body size limit on every route, JSON
// errors in the shared shape, JSON 404, and no stack trace or SQL error ever reaching the client.

import type { Hono } from "hono";
import { HonoBase } from "hono/hono-base";
import { LinearRouter } from "hono/router/linear-router";
import type { D1Database } from "../d1.ts";
import { ApiError, errorBody } from "../errors.ts";
import { REQUEST_ID_HEADER } from "../identity.ts";
import type { JwtSecretBinding } from "../jwt-secret.ts";
import type { RateLimitBindings } from "../rate-limits.ts";
import { requestIdFrom } from "../request-id.ts";
import { bodyLimit } from "./body.ts";

export type ServiceBindings = {
  DB: D1Database;
  JWT_SECRET?: JwtSecretBinding;
} & RateLimitBindings;

export type ServiceEnv = { Bindings: ServiceBindings; Variables: { requestId: string } };

/** A service app named `worker` (logged with every unexpected error). */
export function createServiceApp(worker: string): Hono<ServiceEnv> {
  // hono's core with LinearRouter: adding a route only stores it, so a cold isolate compiles no
  // route at start-up (hono/tiny's PatternRouter builds a RegExp per route as it is added, a fifth
  // of a service's start-up). With a service's dozen routes, matching stays a short scan.
  const app: Hono<ServiceEnv> = new HonoBase<ServiceEnv>({ router: new LinearRouter() });
  app.use(async (c, next) => {
    const given = c.req.header(REQUEST_ID_HEADER);
    // Apps composed into one (the monolith mounts every service) each run this middleware; the
    // first decides, so the header and every error body carry the same id.
    const requestId = (c.get("requestId") as string | undefined) ?? requestIdFrom(given);
    c.set("requestId", requestId);
    await next();
    c.header(REQUEST_ID_HEADER, requestId);
  });
  // Before any handler, so a route that never reads its body still refuses one over the limit.
  app.use(bodyLimit());
  app.onError((error, c) => {
    const requestId = c.get("requestId") ?? "unknown";
    c.header(REQUEST_ID_HEADER, requestId);
    if (error instanceof ApiError) {
      return c.json(errorBody(error.code, error.message, requestId), error.status);
    }
    console.error(`[${worker}] ${requestId} ${c.req.method} ${c.req.path}:`, error);
    return c.json(errorBody("internal_error", "Something went wrong on our side.", requestId), 500);
  });
  app.notFound((c) => {
    const requestId = c.get("requestId") ?? "unknown";
    return c.json(
      errorBody("not_found", `No route for ${c.req.method} ${c.req.path}.`, requestId),
      404,
    );
  });
  return app;
}
