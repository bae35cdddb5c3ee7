// CORS for the configured origins, answered by the router: services never see a preflight.

import { REQUEST_ID_HEADER, SERVED_BY_HEADER } from "../../../shared/identity.ts";

/** How long a browser may reuse a preflight answer. */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

const ALLOW_METHODS = "GET,HEAD,POST,PUT,PATCH,DELETE";

/**
 * Allowed origins get their origin echoed with credentials allowed (never `*`), the request id and
 * served-by headers exposed, and any OPTIONS answered here as a preflight. Other origins get no
 * CORS header at all, and their preflights an empty 204. Every response varies on Origin, so
 * caches keep them apart. `next` answers everything else, errors included.
 */
export async function withCors(
  request: Request,
  origins: readonly string[],
  next: () => Promise<Response>,
): Promise<Response> {
  const origin = request.headers.get("origin");
  const allowed = origin !== null && origins.includes(origin);
  const cors: Record<string, string> = allowed
    ? {
        "access-control-allow-origin": origin,
        "access-control-allow-credentials": "true",
        "access-control-expose-headers": `${REQUEST_ID_HEADER},${SERVED_BY_HEADER}`,
      }
    : {};
  if (origin && request.method === "OPTIONS") {
    const headers = new Headers({ vary: "Origin" });
    if (allowed) {
      for (const [name, value] of Object.entries(cors)) headers.set(name, value);
      headers.set("access-control-max-age", String(PREFLIGHT_MAX_AGE_SECONDS));
      headers.set("access-control-allow-methods", ALLOW_METHODS);
      const requested = request.headers.get("access-control-request-headers");
      if (requested) {
        headers.set(
          "access-control-allow-headers",
          requested
            .split(",")
            .map((name) => name.trim())
            .join(","),
        );
        headers.append("vary", "Access-Control-Request-Headers");
      }
    }
    return new Response(null, { status: 204, headers });
  }
  const response = await next();
  for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
  response.headers.append("vary", "Origin");
  return response;
}
