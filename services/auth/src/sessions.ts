// The answer to a successful register, login, refresh or password change: a short-lived access
// token for the router, a refresh token to renew it with, and the user.

import type { Context } from "hono";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { signToken } from "../../../shared/jwt.ts";
import { readJwtSecret } from "../../../shared/jwt-secret.ts";
import { type IssuedRefreshToken, startSession } from "./refresh-tokens.ts";
import { type User, type UserRow, userFromRow } from "./users.ts";

export interface Session {
  /** The access token (TOKEN_TTL_SECONDS, shared/jwt.ts). */
  token: string;
  /** When the access token stops being accepted (ISO-8601). */
  expiresAt: string;
  /** Single use: POST /api/auth/refresh answers a new one. */
  refreshToken: string;
  /** When the refresh token stops being accepted (ISO-8601). */
  refreshExpiresAt: string;
  user: User;
}

/** Signs the user in on a new session. */
export async function sessionFor(c: Context<ServiceEnv>, row: UserRow): Promise<Session> {
  return sessionAnswer(c, row, await startSession(c.env.DB, row.id));
}

/** The answer for a session whose next refresh token is `refresh`. */
export async function sessionAnswer(
  c: Context<ServiceEnv>,
  row: UserRow,
  refresh: IssuedRefreshToken,
): Promise<Session> {
  const secret = await readJwtSecret(c.env.JWT_SECRET);
  const { token, claims } = await signToken({ id: row.id, role: row.role }, secret);
  return {
    token,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    refreshToken: refresh.refreshToken,
    refreshExpiresAt: refresh.expiresAt,
    user: userFromRow(row),
  };
}
