// The router worker: every request passes through it. Request id, CORS, central auth, longest
// prefix routing, the sticky weighted split and the fallback; no business logic, no database.
// A plain `fetch` handler on the platform's Request and Response: its routing is its own table,
// and a framework would be a third of its size and start-up (README: "Size").

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
import type { Bindings, ServiceBinding } from "./bindings.ts";
import { readRouterConfig } from "./config-binding.ts";
import { withCors } from "./cors.ts";
import { send, sendWithFallback, type Upstream, UpstreamError, upstreamRequests } from "./proxy.ts";
import { isPublicRoute, normalizePath, routeFor } from "./routing.ts";
import { splitCookie, splitDecision } from "./split.ts";
import { recordForward } from "./telemetry.ts";

export type { Bindings, ServiceBinding } from "./bindings.ts";

/** Every request: request id, then the CONFIG binding, then CORS around the route. */
async function handle(request: Request, env: Bindings): Promise<Response> {
  const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER) ?? undefined);
  let response: Response;
  try {
    const config = readRouterConfig(env?.CONFIG);
    response = await withCors(request, config.corsOrigins, () =>
      answer(request, env, config, requestId).catch((error) =>
        errorResponse(error, request, requestId),
      ),
    );
  } catch (error) {
    response = errorResponse(error, request, requestId);
  }
  response.headers.set(REQUEST_ID_HEADER, requestId);
  if (!response.headers.has(SERVED_BY_HEADER)) response.headers.set(SERVED_BY_HEADER, "router");
  return response;
}

async function answer(
  request: Request,
  env: Bindings,
  config: RouterConfig,
  requestId: string,
): Promise<Response> {
  const url = new URL(request.url);
  const path = normalizePath(url.pathname);
  const method = request.method;
  if (url.pathname === "/health" && (method === "GET" || method === "HEAD")) {
    const health = json({ worker: "router", ok: true }, 200);
    return method === "HEAD" ? new Response(null, health) : health;
  }
  const route = routeFor(path, config.routes);
  if (!route) throw new ApiError(404, "not_found", `No service serves ${path}.`);
  const header = (name: string) => request.headers.get(name) ?? undefined;
  const websocket = header("upgrade")?.toLowerCase() === "websocket";
  const authorization =
    header("authorization") ??
    (websocket ? websocketAuthorization(header("sec-websocket-protocol")) : undefined);
  const identity = await authenticate(authorization, env.JWT_SECRET);
  if (!identity && !isPublicRoute(method, path, config.publicRoutes)) {
    throw signInRequired(method, path);
  }
  const makeRequest = upstreamRequests(request, identity, requestId);
  const monolith = config.monolith ? upstreamOf(env, config, "monolith") : undefined;
  if (route.target === "monolith" && !monolith) {
    throw new ApiError(
      503,
      "not_migrated",
      `${path} is only served by the monolith, and this stack has none (CONFIG.monolith is false).`,
    );
  }
  const started = Date.now();
  const record = (servedBy: string, status: number) =>
    recordForward(env.TELEMETRY, {
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
      ? splitDecision(target, weight, identity?.userId, header("cookie"))
      : { green: true };
    const response = split.green
      ? await sendWithFallback(upstreamOf(env, config, target), blue, makeRequest, requestId)
      : await send(blue!, makeRequest("monolith"), "monolith", requestId);
    if (split.newKey) {
      response.headers.append("set-cookie", splitCookie(split.newKey, url.protocol === "https:"));
    }
    return response;
  }
}

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** The JSON error every failure becomes; anything not an ApiError is logged and a 500. */
function errorResponse(error: unknown, request: Request, requestId: string): Response {
  if (error instanceof ApiError) {
    const response = json(errorBody(error.code, error.message, requestId), error.status);
    if (error.status === 401) response.headers.set("www-authenticate", 'Bearer realm="pitch"');
    return response;
  }
  console.error(`[router] ${requestId} ${request.method} ${request.url}:`, error);
  return json(errorBody("internal_error", "The router failed; try again.", requestId), 500);
}

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

export default {
  fetch: (request: Request, env: Bindings): Promise<Response> => handle(request, env),
  /** A path or URL (and RequestInit) with the bindings as the third argument, as tests call it. */
  request: (input: string | Request, init?: RequestInit, env?: Bindings): Promise<Response> =>
    handle(
      input instanceof Request
        ? new Request(input, init)
        : new Request(new URL(input, "http://localhost"), init),
      env as Bindings,
    ),
};
