// What auth accepts: register, login, refresh, logout and password-change bodies. Emails are
// trimmed and lowercased before anything else sees them, so one person cannot hold two accounts
// that differ only in case.

import * as v from "valibot";
import {
  atLeast,
  atMost,
  lazySchema,
  strictObject,
  text,
} from "../../../shared/http/validation.ts";
import { ROLES } from "../../../shared/identity.ts";

const email = () => v.pipe(v.string(), v.trim(), v.toLowerCase(), atMost(254), v.email());

/** The password policy, for a password being chosen. */
const newPassword = () => v.pipe(v.string(), atLeast(8), atMost(128));

/** A password being checked: never the policy, which would only tell a guesser what it is. */
const givenPassword = () => v.pipe(v.string(), atLeast(1), atMost(128));

export const registerBody = lazySchema(() =>
  strictObject({
    email: email(),
    password: newPassword(),
    name: text(1, 100),
    role: v.picklist(ROLES),
  }),
);

export const loginBody = lazySchema(() =>
  strictObject({
    email: v.pipe(v.string(), v.trim(), v.toLowerCase(), atLeast(1), atMost(254)),
    password: givenPassword(),
  }),
);

// A refresh token is 32 random bytes in base64url (43 characters); the bound only stops abuse.
const refreshToken = () => v.pipe(v.string(), atLeast(1), atMost(200));

export const refreshBody = lazySchema(() => strictObject({ refreshToken: refreshToken() }));

export const logoutBody = lazySchema(() =>
  strictObject({ refreshToken: v.optional(refreshToken()) }),
);

export const passwordBody = lazySchema(() =>
  strictObject({ currentPassword: givenPassword(), newPassword: newPassword() }),
);
