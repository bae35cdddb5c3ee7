// The auth worker [owns users]: register, login (PBKDF2 passwords, HS256 tokens) and `me`.
// Routes carry full paths so the monolith can mount this app beside the others.

import { ApiError } from "../../../shared/errors.ts";
import { createServiceApp } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { decoyPasswordCheck, hashPassword, verifyPassword } from "./passwords.ts";
import { loginBody, registerBody } from "./schemas.ts";
import { sessionFor } from "./sessions.ts";
import { findCredentialsByEmail, findUserById, insertUser, userFromRow } from "./users.ts";

const app = createServiceApp("auth");

app.post("/api/auth/register", async (c) => {
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
  const body = await readJson(c, loginBody);
  const found = await findCredentialsByEmail(c.env.DB, body.email);
  const valid = found
    ? await verifyPassword(body.password, {
        hash: found.password_hash,
        salt: found.password_salt,
        iterations: found.password_iterations,
      })
    : await decoyPasswordCheck(body.password);
  if (!found || !valid) {
    throw new ApiError(401, "invalid_credentials", "The email or the password is wrong.");
  }
  return c.json(await sessionFor(c, found));
});

app.get("/api/auth/me", async (c) => {
  const { userId } = requireIdentity(c);
  const user = await findUserById(c.env.DB, userId);
  if (!user) throw new ApiError(404, "not_found", "Your account no longer exists.");
  return c.json({ user: userFromRow(user) });
});

export default app;
