// What auth accepts: register, login, refresh, logout and password-change bodies. Emails are
// trimmed and lowercased before anything else sees them, so one person cannot hold two accounts
// that differ only in case.

import * as z from "zod/mini";
import { ROLES } from "../../../shared/identity.ts";

const email = z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254), z.email());

/** The password policy, for a password being chosen. */
const newPassword = z.string().check(z.minLength(8), z.maxLength(128));

/** A password being checked: never the policy, which would only tell a guesser what it is. */
const givenPassword = z.string().check(z.minLength(1), z.maxLength(128));

export const registerBody = z.strictObject({
  email,
  password: newPassword,
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  role: z.enum(ROLES),
});

export const loginBody = z.strictObject({
  email: z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(254)),
  password: givenPassword,
});

// A refresh token is 32 random bytes in base64url (43 characters); the bound only stops abuse.
const refreshToken = z.string().check(z.minLength(1), z.maxLength(200));

export const refreshBody = z.strictObject({ refreshToken });

export const logoutBody = z.strictObject({ refreshToken: z.optional(refreshToken) });

export const passwordBody = z.strictObject({ currentPassword: givenPassword, newPassword });
