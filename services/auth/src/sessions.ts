// The answer to a successful register or login: a platform token for the user and the user.

import type { Context } from "hono";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { signToken } from "../../../shared/jwt.ts";
import { readJwtSecret } from "../../../shared/jwt-secret.ts";
import { type User, type UserRow, userFromRow } from "./users.ts";

export interface Session {
  token: string;
  /** When the token stops being accepted (ISO-8601). */
  expiresAt: string;
  user: User;
}

export async function sessionFor(c: Context<ServiceEnv>, row: UserRow): Promise<Session> {
  const secret = await readJwtSecret(c.env.JWT_SECRET);
  const { token, claims } = await signToken({ id: row.id, role: row.role }, secret);
  return { token, expiresAt: new Date(claims.exp * 1000).toISOString(), user: userFromRow(row) };
}
