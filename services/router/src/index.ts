// The router worker: every request passes through it. Request id, CORS, central auth, longest
// prefix routing, the sticky weighted split and the fallback; no business logic, no database.

import { Hono } from "hono/tiny";
import { ApiError, errorBody } from "../../../shared/errors.ts";
import { REQUEST_ID_HEADER, SERVED_BY_HEADER } from "../../../shared/identity.ts";
import { requestIdFrom } from "../../../shared/request-id.ts";
import {
  type RouteEntry,
  type RouterConfig,
  UPSTREAM_DEFAULTS,
} from "../../../shared/router-config.ts";
import { bindingNameOf, type RouteTarget } from "../../../shared/workers.ts";
import { authenticate, signInRequired, websocketAuthorization } from "./auth.ts";
import type { Bindings, RouterEnv, ServiceBinding } from "./bindings.ts";
import { readRouterConfig } from "./config-binding.ts";
import { corsFor } from "./cors.ts";
import { send, sendWithFallback, type Upstream, UpstreamError, upstreamRequests } from "./proxy.ts";
import { isPublicRoute, normalizePath, routeFor } from "./routing.ts";
import { splitCookie, splitDecision } from "./split.ts";
import { recordForward } from "./telemetry.ts";

export type { Bindings, ServiceBinding } from "./bindings.ts";

const app = new Hono<RouterEnv>();

app.use(async (c, next) => {
  const requestId = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
  c.set("requestId", requestId);
  await next();
  c.header(REQUEST_ID_HEADER, requestId);
  if (!c.res.headers.has(SERVED_BY_HEADER)) c.header(SERVED_BY_HEADER, "router");
});

app.use(async (c, next) => {
  c.set("config", readRouterConfig(c.env?.CONFIG));
  await next();
});

app.use((c, next) => corsFor(c.get("config").corsOrigins)(c, next));

app.get("/health", (c) => c.json({ worker: "router", ok: true }));

app.all("*", async (c) => {
  const { config, requestId } = c.var;
  const url = new URL(c.req.url);
  const path = normalizePath(url.pathname);
  const method = c.req.method;
  const route = routeFor(path, config.routes);
  if (!route) throw new ApiError(404, "not_found", `No service serves ${path}.`);
  const websocket = c.req.header("upgrade")?.toLowerCase() === "websocket";
  const authorization =
    c.req.header("authorization") ??
    (websocket ? websocketAuthorization(c.req.header("sec-websocket-protocol")) : undefined);
  const identity = await authenticate(authorization, c.env.JWT_SECRET);
  if (!identity && !isPublicRoute(method, path, config.publicRoutes)) {
    throw signInRequired(method, path);
  }
  const makeRequest = upstreamRequests(c.req.raw, identity, requestId);
  const monolith = config.monolith ? upstreamOf(c.env, config, "monolith") : undefined;
  if (route.target === "monolith" && !monolith) {
    throw new ApiError(
      503,
      "not_migrated",
      `${path} is only served by the monolith, and this stack has none (CONFIG.monolith is false).`,
    );
  }
  const started = Date.now();
  const record = (servedBy: string, status: number) =>
    recordForward(c.env.TELEMETRY, {
      target: route.target,
      servedBy,
      status,
      method,
      prefix: route.prefix,
      ms: Date.now() - started,
    });
  try {
    const response = await forward(route);
    record(response.headers.get(SERVED_BY_HEADER) ?? route.target, response.status);
    return response;
  } catch (error) {
    if (error instanceof UpstreamError) record(error.servedBy, error.status);
    throw error;
  }

  async function forward({ target, blueSide }: RouteEntry): Promise<Response> {
    if (target === "monolith")
      return send(monolith!, makeRequest("monolith"), "monolith", requestId);
    // A service the monolith never served has no blue side: no split, no fallback.
    const blue = blueSide === false ? undefined : monolith;
    const weight = config.rollout[target] ?? (blue ? 0 : 100);
    const split = blue
      ? splitDecision(target, weight, identity?.userId, c.req.header("cookie"))
      : { green: true };
    const response = split.green
      ? await sendWithFallback(upstreamOf(c.env, config, target), blue, makeRequest, requestId)
      : await send(blue!, makeRequest("monolith"), "monolith", requestId);
    if (split.newKey) {
      response.headers.append("set-cookie", splitCookie(split.newKey, url.protocol === "https:"));
    }
    return response;
  }
});

app.onError((error, c) => {
  const requestId = c.var.requestId ?? requestIdFrom(undefined);
  if (error instanceof ApiError) {
    if (error.status === 401) c.header("www-authenticate", 'Bearer realm="pitch"');
    return c.json(errorBody(error.code, error.message, requestId), error.status);
  }
  console.error(`[router] ${requestId} ${c.req.method} ${c.req.url}:`, error);
  return c.json(errorBody("internal_error", "The router failed; try again.", requestId), 500);
});

function upstreamOf(env: Bindings, config: RouterConfig, target: RouteTarget): Upstream {
  const policy = { ...UPSTREAM_DEFAULTS, ...config.upstreams?.[target] };
  return { name: target, binding: bindingOf(env, target), policy };
}

function bindingOf(env: Bindings, target: RouteTarget): ServiceBinding {
  const name = bindingNameOf(target);
  const binding = (env as unknown as Record<string, ServiceBinding | undefined>)[name];
  if (!binding?.fetch) {
    throw new ApiError(
      500,
      "router_misconfigured",
      `The router has no ${name} service binding; bind it to the ${target} worker${target === "monolith" ? " or set CONFIG.monolith to false" : ""}.`,
    );
  }
  return binding;
}

export default app;
