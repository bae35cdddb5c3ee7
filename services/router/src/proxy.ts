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
import type { ServiceBinding } from "./bindings.ts";

const SAFE_METHODS = ["GET", "HEAD", "OPTIONS"];

/**
 * Makes the request a worker receives: the client's method, URL (query and encoding as sent),
 * headers and body, except that identity headers come only from the verified token. A factory,
 * because a fallback needs a second Request and a Request can be sent once.
 */
export function upstreamRequests(
  incoming: Request,
  identity: Identity | undefined,
  requestId: string,
): () => Request {
  const headers = new Headers(incoming.headers);
  for (const name of IDENTITY_HEADERS) headers.delete(name);
  if (identity) {
    headers.set(USER_ID_HEADER, identity.userId);
    headers.set(USER_ROLE_HEADER, identity.role);
  }
  headers.set(REQUEST_ID_HEADER, requestId);
  // Some clients send `content-length: 0` on a GET, and workerd then gives it an (empty) body.
  // An empty body is no body: sending none keeps the request replayable for the fallback.
  if (SAFE_METHODS.includes(incoming.method) && incoming.headers.get("content-length") === "0") {
    headers.delete("content-length");
    return () =>
      new Request(incoming.url, { method: incoming.method, headers, redirect: "manual" });
  }
  // A redirect is the client's to follow, not the router's.
  return () => new Request(incoming, { headers, redirect: "manual" });
}

/** Sends to one worker; a throw becomes a 502 naming it. */
export async function send(
  binding: ServiceBinding,
  request: Request,
  servedBy: string,
  requestId: string,
): Promise<Response> {
  try {
    return served(await binding.fetch(request), servedBy);
  } catch (error) {
    throw unavailable(servedBy, request.method, requestId, error);
  }
}

/**
 * Sends to a green service. A safe request without a body whose service throws or answers 5xx is
 * served by the monolith instead; anything else is never replayed, so its client sees the
 * service's own answer, or a 502 when the service threw.
 */
export async function sendWithFallback(
  service: string,
  green: ServiceBinding,
  monolith: ServiceBinding | undefined,
  makeRequest: () => Request,
  requestId: string,
): Promise<Response> {
  const request = makeRequest();
  const blue =
    SAFE_METHODS.includes(request.method) && request.body === null ? monolith : undefined;
  let response: Response;
  try {
    response = await green.fetch(request);
  } catch (error) {
    if (!blue) throw unavailable(service, request.method, requestId, error);
    console.error(`[router] ${requestId} ${service} threw; serving the monolith's answer:`, error);
    return send(blue, makeRequest(), "monolith-fallback", requestId);
  }
  if (response.status < 500 || !blue) return served(response, service);
  await response.body?.cancel();
  return send(blue, makeRequest(), "monolith-fallback", requestId);
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

function unavailable(name: string, method: string, requestId: string, error: unknown): ApiError {
  console.error(`[router] ${requestId} ${method} to ${name} threw:`, error);
  const advice = SAFE_METHODS.includes(method)
    ? "try again shortly"
    : "it was not replayed, so check whether it took effect before retrying";
  return new ApiError(
    502,
    "upstream_unavailable",
    `The ${name} worker failed to answer; ${advice}.`,
  );
}
