// Which worker a path belongs to (longest prefix on whole segments) and which requests are public.

import type { PublicRoute, RouteEntry } from "../../../shared/router-config.ts";

/**
 * Decodes percent-encoded unreserved characters (RFC 3986 §6.2.2.2), so `/api/%63reator` routes
 * like `/api/creator` as the service itself would read it; `%2F` and other reserved ones stay.
 */
export function normalizePath(pathname: string): string {
  return pathname.replace(/%([0-9A-Fa-f]{2})/g, (encoded, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9._~-]/.test(char) ? char : encoded;
  });
}

/** `/api/creator` covers `/api/creator` and `/api/creator/...`, never `/api/creatorx`. */
export function withinPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The route for `path`; `routes` must be sorted longest prefix first (readRouterConfig does). */
export function routeFor(path: string, routes: readonly RouteEntry[]): RouteEntry | undefined {
  return routes.find((route) => withinPrefix(path, route.prefix));
}

/** Exact paths match exactly; a path ending in `/*` matches its prefix on whole segments. */
export function isPublicRoute(
  method: string,
  path: string,
  publicRoutes: readonly PublicRoute[],
): boolean {
  return publicRoutes.some(
    (route) =>
      route.method === method &&
      (route.path.endsWith("/*")
        ? withinPrefix(path, route.path.slice(0, -2))
        : path === route.path),
  );
}
