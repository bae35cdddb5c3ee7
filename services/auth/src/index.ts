// The auth worker [owns users, sessions, refresh_tokens]: register, login (PBKDF2 passwords),
// short-lived HS256 access tokens renewed with rotating refresh tokens, logout, password change
// and `me`. Routes carry full paths so the monolith can mount this app beside the others.

import { ApiError } from "../../../shared/errors.ts";
import { createServiceApp } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { identityOf, requireIdentity } from "../../../shared/http/identity.ts";
import { clientKey, enforceRateLimit } from "../../../shared/http/rate-limit.ts";
import { decoyPasswordCheck, hashPassword, verifyPassword } from "./passwords.ts";
import { endSessionOf, endUserSessions, rotateRefreshToken } from "./refresh-tokens.ts";
import { loginBody, logoutBody, passwordBody, refreshBody, registerBody } from "./schemas.ts";
import { sessionAnswer, sessionFor } from "./sessions.ts";
import {
  type CredentialsRow,
  findCredentialsByEmail,
  findCredentialsById,
  findUserById,
  insertUser,
  updatePassword,
  userFromRow,
} from "./users.ts";

function passwordMatches(row: CredentialsRow, password: string): Promise<boolean> {
  return verifyPassword(password, {
    hash: row.password_hash,
    salt: row.password_salt,
    iterations: row.password_iterations,
  });
}

function accountGone(): ApiError {
  return new ApiError(404, "not_found", "Your account no longer exists.");
}

const app = createServiceApp("auth");

app.post("/api/auth/register", async (c) => {
  await enforceRateLimit(c, "register", clientKey(c));
  const body = await readJson(c, registerBody);
  const password = await hashPassword(body.password);
  const user = await insertUser(c.env.DB, { ...body, password });
  if (!user) {
    throw new ApiError(
      409,
      "conflict",
      "An account with this email exists already; log in instead.",
    );
  }
  return c.json(await sessionFor(c, user), 201);
});

app.post("/api/auth/login", async (c) => {
  await enforceRateLimit(c, "loginClient", clientKey(c));
  const body = await readJson(c, loginBody);
  // Per account too, so guessing one account's password from many addresses is slowed as well.
  await enforceRateLimit(c, "login", body.email);
  const found = await findCredentialsByEmail(c.env.DB, body.email);
  const valid = found
    ? await passwordMatches(found, body.password)
    : await decoyPasswordCheck(body.password);
  if (!found || !valid) {
    throw new ApiError(401, "invalid_credentials", "The email or the password is wrong.");
  }
  return c.json(await sessionFor(c, found));
});

app.post("/api/auth/refresh", async (c) => {
  const body = await readJson(c, refreshBody);
  const rotated = await rotateRefreshToken(c.env.DB, body.refreshToken);
  const user = rotated.ok ? await findUserById(c.env.DB, rotated.userId) : null;
  if (!rotated.ok || !user) {
    const reused = !rotated.ok && rotated.refusal === "reused";
    throw new ApiError(
      401,
      "invalid_refresh_token",
      reused
        ? "This refresh token was used already, so its session has been ended; sign in again."
        : "The refresh token is unknown, expired or logged out; sign in again.",
    );
  }
  return c.json(await sessionAnswer(c, user, rotated.next));
});

// Public so that a client whose access token has expired can still end its session.
app.post("/api/auth/logout", async (c) => {
  const body = c.req.header("content-type") ? await readJson(c, logoutBody) : {};
  const identity = identityOf(c);
  if (body.refreshToken !== undefined) {
    await endSessionOf(c.env.DB, body.refreshToken);
  } else if (identity) {
    await endUserSessions(c.env.DB, identity.userId).run();
  } else {
    throw new ApiError(
      401,
      "unauthenticated",
      "Send { refreshToken } or a token: logout needs to know which session to end.",
    );
  }
  return c.body(null, 204);
});

app.post("/api/auth/password", async (c) => {
  const { userId } = requireIdentity(c);
  const body = await readJson(c, passwordBody);
  const found = await findCredentialsById(c.env.DB, userId);
  if (!found) throw accountGone();
  if (!(await passwordMatches(found, body.currentPassword))) {
    throw new ApiError(403, "invalid_credentials", "The current password is wrong.");
  }
  const password = await hashPassword(body.newPassword);
  // One batch, so no session survives a password that was changed.
  await c.env.DB.batch([
    updatePassword(c.env.DB, userId, password),
    endUserSessions(c.env.DB, userId),
  ]);
  return c.json(await sessionFor(c, found));
});

app.get("/api/auth/me", async (c) => {
  const { userId } = requireIdentity(c);
  const user = await findUserById(c.env.DB, userId);
  if (!user) throw accountGone();
  return c.json({ user: userFromRow(user) });
});

export default app;
