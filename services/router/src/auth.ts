// Central authentication: the router verifies the bearer token once, and services trust the
// identity headers it forwards. Any Authorization header must carry a valid token, even on a
// public route, so a client learns at once that its token is bad instead of acting signed out.

import { ApiError } from "../../../shared/errors.ts";
import type { Identity } from "../../../shared/identity.ts";
import { type TokenProblem, verifyToken } from "../../../shared/jwt.ts";
import { type JwtSecretBinding, readJwtSecret } from "../../../shared/jwt-secret.ts";

/**
 * How long an isolate reuses the key read from the Secrets Store. Reading it costs a round trip
 * per request; a rotated key takes effect within this time.
 */
export const SECRET_TTL_MS = 60_000;

const secrets = new WeakMap<object, { secret: Promise<string>; until: number }>();

/** The JWT key, read once per isolate and TTL; failures are not cached. */
export function jwtSecret(binding: JwtSecretBinding | undefined): Promise<string> {
  if (typeof binding !== "object") return readJwtSecret(binding);
  const now = Date.now();
  const hit = secrets.get(binding);
  if (hit && hit.until > now) return hit.secret;
  const secret = readJwtSecret(binding);
  secrets.set(binding, { secret, until: now + SECRET_TTL_MS });
  secret.catch(() => secrets.get(binding)?.secret === secret && secrets.delete(binding));
  return secret;
}

const REFUSALS: Record<TokenProblem, string> = {
  malformed: "The Authorization header must be 'Bearer <token>' with a token from /api/auth/login.",
  signature: "The token's signature does not match; sign in again.",
  expired: "The token has expired; sign in again.",
  not_yet_valid: "The token is not valid yet; check the device clock or sign in again.",
  claims: "The token was not issued by this platform; sign in again.",
  lifetime: "The token claims to live longer than this platform's tokens do; sign in again.",
};

/**
 * The verified caller, or undefined when no Authorization header was sent. Throws a 401 ApiError
 * for a bad token and a 500 when the key cannot be read (an operator error).
 */
export async function authenticate(
  authorization: string | undefined,
  binding: JwtSecretBinding | undefined,
): Promise<Identity | undefined> {
  if (authorization === undefined) return undefined;
  const token = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
  const result = token ? await verifyToken(token, await readSecret(binding)) : undefined;
  if (!result?.ok) {
    const problem = result?.problem ?? "malformed";
    throw new ApiError(
      401,
      problem === "expired" ? "token_expired" : "invalid_token",
      REFUSALS[problem],
    );
  }
  return { userId: result.claims.sub, role: result.claims.role };
}

async function readSecret(binding: JwtSecretBinding | undefined): Promise<string> {
  try {
    return await jwtSecret(binding);
  } catch (error) {
    throw new ApiError(
      500,
      "router_misconfigured",
      `The router cannot read its JWT_SECRET binding (${(error as Error).message}); bind the platform's JWT secret to it.`,
    );
  }
}

export function signInRequired(method: string, path: string): ApiError {
  return new ApiError(
    401,
    "unauthenticated",
    `${method} ${path} needs a token: sign in with POST /api/auth/login and send Authorization: Bearer <token>.`,
  );
}

/** The subprotocol entry that carries a token: browsers cannot set headers on a WebSocket. */
export const WEBSOCKET_TOKEN_PREFIX = "bearer.";

/**
 * A WebSocket client's token as an Authorization value: `new WebSocket(url, ["pitch.v1",
 * "bearer.<token>"])` sends it as a `Sec-WebSocket-Protocol` entry. Undefined when there is none.
 */
export function websocketAuthorization(protocols: string | undefined): string | undefined {
  const entry = protocols
    ?.split(",")
    .map((p) => p.trim())
    .find((p) => p.startsWith(WEBSOCKET_TOKEN_PREFIX));
  return entry ? `Bearer ${entry.slice(WEBSOCKET_TOKEN_PREFIX.length)}` : undefined;
}
