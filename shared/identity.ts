// Header names the router and the services agree on. Only the router can reach the services,
// so the services trust the identity headers; the router strips any a client sends.

export const ROLES = ["creator", "investor", "production"] as const;
export type Role = (typeof ROLES)[number];

export const USER_ID_HEADER = "x-pitch-user-id";
export const USER_ROLE_HEADER = "x-pitch-user-role";
export const REQUEST_ID_HEADER = "x-request-id";
export const SERVED_BY_HEADER = "x-served-by";

/** Headers that carry identity inside the platform; never accepted from a client. */
export const IDENTITY_HEADERS = [USER_ID_HEADER, USER_ROLE_HEADER] as const;

export interface Identity {
  userId: string;
  role: Role;
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
