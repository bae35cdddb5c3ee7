// What auth accepts: register and login bodies. Emails are trimmed and lowercased before anything
// else sees them, so one person cannot hold two accounts that differ only in case.

import * as z from "zod/mini";
import { ROLES } from "../../../shared/identity.ts";

const email = z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254), z.email());

export const registerBody = z.strictObject({
  email,
  password: z.string().check(z.minLength(8), z.maxLength(128)),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  role: z.enum(ROLES),
});

// Login does not re-check the password policy: that would only tell a guesser what it is.
export const loginBody = z.strictObject({
  email: z.string().check(z.trim(), z.toLowerCase(), z.minLength(1), z.maxLength(254)),
  password: z.string().check(z.minLength(1), z.maxLength(128)),
});
