// Forwarding to a worker over its service binding, and the fallback from a failing green service
// to the monolith. Bodies stream through untouched; only safe requests without a body are resent.

import { ApiError } from "../../../shared/errors.ts";
import {
  IDENTITY_HEADERS,
  type Identity,
  REQUEST_ID_HEADER,
  SERVED_BY_HEADER,
  USER_ID_HEADER,
  USER_ROLE_HEADER,
} from "../../../shared/identity.ts";
import type { UpstreamPolicy } from "../../../shared/router-config.ts";
import { WEBSOCKET_TOKEN_PREFIX } from "./auth.ts";
import type { ServiceBinding } from "./bindings.ts";
import { streakOf } from "./skip.ts";

const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

/** The client's own credentials: the router checks them; only the old monolith still reads them. */
const CLIENT_CREDENTIALS = ["authorization", "cookie", "proxy-authorization"];

/** Who a request is made for: a new service gets the verified identity only. */
export type MakeRequest = (to: "service" | "monolith") => Request;

/**
 * Makes the request a worker receives: the client's method, URL (query and encoding as sent),
 * headers and body, except that identity headers come only from the verified token, and a new
 * service never sees the client's credentials (the monolith, which authenticates requests itself
 * in prod, keeps them). A factory, because a fallback needs a second Request and a Request can be
 * sent once.
 */
export function upstreamRequests(
  incoming: Request,
  identity: Identity | undefined,
  requestId: string,
): MakeRequest {
  const headers = new Headers(incoming.headers);
  for (const name of IDENTITY_HEADERS) headers.delete(name);
  if (identity) {
    headers.set(USER_ID_HEADER, identity.userId);
    headers.set(USER_ROLE_HEADER, identity.role);
  }
  headers.set(REQUEST_ID_HEADER, requestId);
  const serviceHeaders = new Headers(headers);
  for (const name of CLIENT_CREDENTIALS) serviceHeaders.delete(name);
  const protocols = headers
    .get("sec-websocket-protocol")
    ?.split(",")
    .map((p) => p.trim())
    .filter((p) => !p.startsWith(WEBSOCKET_TOKEN_PREFIX));
  if (protocols?.length) serviceHeaders.set("sec-websocket-protocol", protocols.join(", "));
  else serviceHeaders.delete("sec-websocket-protocol");
  const headersFor = (to: "service" | "monolith") => (to === "service" ? serviceHeaders : headers);
  // Some clients send `content-length: 0` on a GET, and workerd then gives it an (empty) body.
  // An empty body is no body: sending none keeps the request replayable for the fallback.
  if (SAFE_METHODS.includes(incoming.method) && incoming.headers.get("content-length") === "0") {
    headers.delete("content-length");
    serviceHeaders.delete("content-length");
    return (to) =>
      new Request(incoming.url, {
        method: incoming.method,
        headers: headersFor(to),
        redirect: "manual",
      });
  }
  // A redirect is the client's to follow, not the router's.
  return (to) => new Request(incoming, { headers: headersFor(to), redirect: "manual" });
}

/** A worker the router calls: its binding, its name in the table and how it is treated. */
export interface Upstream {
  name: string;
  binding: ServiceBinding;
  policy: UpstreamPolicy;
}

/** The worker's response headers did not come within its deadline; the call was aborted. */
export class DeadlineExceeded extends Error {
  constructor(
    readonly worker: string,
    readonly deadlineMs: number,
  ) {
    super(`${worker} gave no response headers within ${deadlineMs} ms`);
    this.name = "DeadlineExceeded";
  }
}

/**
 * The worker's response, or a DeadlineExceeded once its deadline passes: the binding's call is
 * aborted then (workerd cancels the callee). The race stands in case a callee ignores the abort.
 */
async function fetchWithin(upstream: Upstream, request: Request): Promise<Response> {
  const { deadlineMs } = upstream.policy;
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DeadlineExceeded(upstream.name, deadlineMs);
      abort.abort(error);
      reject(error);
    }, deadlineMs);
  });
  try {
    return await Promise.race([
      upstream.binding.fetch(request, { signal: abort.signal }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends to one worker; a throw becomes a 502 naming it, a missed deadline a 504. */
export async function send(
  upstream: Upstream,
  request: Request,
  servedBy: string,
  requestId: string,
): Promise<Response> {
  try {
    return served(await fetchWithin(upstream, request), servedBy);
  } catch (error) {
    throw failedCall(upstream.name, request.method, requestId, error, servedBy);
  }
}

/**
 * Sends to a green service. A safe request without a body whose service throws, answers 5xx or
 * misses its deadline is served by the monolith instead (`monolith-fallback`), and while the
 * service is skipped after failing again and again it goes straight there (`monolith-skipped`).
 * Anything else is never replayed: its client sees the service's answer, a 502 or a 504.
 */
export async function sendWithFallback(
  green: Upstream,
  monolith: Upstream | undefined,
  makeRequest: MakeRequest,
  requestId: string,
): Promise<Response> {
  const request = makeRequest("service");
  // A WebSocket upgrade is a GET without a body, but opens a session: never sent twice.
  const replayable =
    SAFE_METHODS.includes(request.method) &&
    request.body === null &&
    !request.headers.has("upgrade");
  const blue = replayable ? monolith : undefined;
  const streak = streakOf(green.name);
  if (blue && streak.shouldSkip(green.policy, Date.now())) {
    return send(blue, makeRequest("monolith"), "monolith-skipped", requestId);
  }
  let response: Response;
  try {
    response = await fetchWithin(green, request);
  } catch (error) {
    streak.failed(green.policy, Date.now(), describeFailure(error));
    if (!blue) throw failedCall(green.name, request.method, requestId, error);
    return fallBack(green, blue, makeRequest, requestId, describeFailure(error));
  }
  if (response.status < 500) {
    streak.succeeded();
    return served(response, green.name);
  }
  streak.failed(green.policy, Date.now(), `status ${response.status}`);
  if (!blue) return served(response, green.name);
  await response.body?.cancel();
  return fallBack(green, blue, makeRequest, requestId, `status ${response.status}`);
}

function fallBack(
  green: Upstream,
  blue: Upstream,
  makeRequest: MakeRequest,
  requestId: string,
  reason: string,
): Promise<Response> {
  const counts = streakOf(green.name).counts;
  counts.fallbacks++;
  console.error(
    `[router] ${requestId} ${green.name} failed (${reason}); the monolith answers instead (fallback ${counts.fallbacks} for ${green.name} since start)`,
  );
  return send(blue, makeRequest("monolith"), "monolith-fallback", requestId);
}

/**
 * The upstream response with `x-served-by` set. CORS is the router's alone, so any
 * Access-Control-* header a worker (e.g. the old monolith) adds is dropped.
 */
export function served(response: Response, servedBy: string): Response {
  const out = new Response(response.body, response);
  for (const name of [...out.headers.keys()]) {
    if (name.startsWith("access-control-")) out.headers.delete(name);
  }
  out.headers.set(SERVED_BY_HEADER, servedBy);
  return out;
}

function describeFailure(error: unknown): string {
  return error instanceof DeadlineExceeded
    ? `no response headers within ${error.deadlineMs} ms`
    : `threw ${error instanceof Error ? error.message : String(error)}`;
}

/** A failed call's client error, with the `x-served-by` the answer would have carried. */
export class UpstreamError extends ApiError {
  constructor(
    status: 502 | 504,
    code: string,
    message: string,
    readonly servedBy: string,
  ) {
    super(status, code, message);
  }
}

/** The client's error for a call that failed: 504 past the deadline, else 502. */
function failedCall(
  name: string,
  method: string,
  requestId: string,
  error: unknown,
  servedBy = name,
): ApiError {
  console.error(`[router] ${requestId} ${method} to ${name}: ${describeFailure(error)}`);
  const advice = SAFE_METHODS.includes(method)
    ? "try again shortly"
    : "it was not replayed, so check whether it took effect before retrying";
  if (error instanceof DeadlineExceeded) {
    return new UpstreamError(
      504,
      "upstream_timeout",
      `The ${name} worker did not answer within ${error.deadlineMs} ms; ${advice}.`,
      servedBy,
    );
  }
  return new UpstreamError(
    502,
    "upstream_unavailable",
    `The ${name} worker failed to answer; ${advice}.`,
    servedBy,
  );
}
