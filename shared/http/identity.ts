// Reads the caller's identity from the router's internal headers. Services never see the JWT:
// only the router can reach them, and it strips these headers from client requests.

import type { Context } from "hono";
import { ApiError } from "../errors.ts";
import { type Identity, isRole, type Role, USER_ID_HEADER, USER_ROLE_HEADER } from "../identity.ts";

/** The signed-in caller, or undefined on a public request. */
export function identityOf(c: Context): Identity | undefined {
  const userId = c.req.header(USER_ID_HEADER);
  const role = c.req.header(USER_ROLE_HEADER);
  if (!userId || !isRole(role)) return undefined;
  return { userId, role };
}

/** The signed-in caller; 401 when there is none, 403 when `roles` is given and theirs is not in it. */
export function requireIdentity(c: Context, ...roles: Role[]): Identity {
  const identity = identityOf(c);
  if (!identity)
    throw new ApiError(401, "unauthenticated", "Sign in first: this endpoint needs a token.");
  if (roles.length > 0 && !roles.includes(identity.role)) {
    throw new ApiError(
      403,
      "forbidden",
      `This endpoint is for ${roles.join(" or ")} accounts; you are signed in as ${identity.role}.`,
    );
  }
  return identity;
}
