// Platform tokens: HS256 JWTs signed by auth with the stack's jwtSecret and verified by the router.
// hono/jwt does the signing (WebCrypto); time claims are checked here to allow a stated clock skew.

import { sign, verify } from "hono/jwt";
import { isRole, type Role } from "./identity.ts";

/** Tolerance for clocks that disagree between the issuer and the verifier. */
export const CLOCK_SKEW_SECONDS = 30;

/** Lifetime of a token issued at login or registration. */
export const TOKEN_TTL_SECONDS = 60 * 60 * 12;

export const TOKEN_ISSUER = "pitch-platform";

export interface TokenClaims {
  sub: string;
  role: Role;
  iat: number;
  nbf: number;
  exp: number;
  iss: string;
}

export async function signToken(
  user: { id: string; role: Role },
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ token: string; claims: TokenClaims }> {
  const claims: TokenClaims = {
    sub: user.id,
    role: user.role,
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + TOKEN_TTL_SECONDS,
    iss: TOKEN_ISSUER,
  };
  return { token: await sign({ ...claims }, secret, "HS256"), claims };
}

/** Why a token was refused; the router maps each to a 401 message. */
export type TokenProblem = "malformed" | "signature" | "expired" | "not_yet_valid" | "claims";

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; problem: TokenProblem };

/** Verifies signature (HS256 only: `alg: none` and others are refused) and time claims with skew. */
export async function verifyToken(
  token: string,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<VerifyResult> {
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return { ok: false, problem: "malformed" };
  let payload: Record<string, unknown>;
  try {
    payload = await verify(token, secret, {
      alg: "HS256",
      exp: false,
      nbf: false,
      iat: false,
      iss: TOKEN_ISSUER,
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "JwtTokenSignatureMismatched") return { ok: false, problem: "signature" };
    if (name === "JwtTokenIssuer") return { ok: false, problem: "claims" };
    return { ok: false, problem: "malformed" };
  }
  const { sub, role, exp, nbf, iat } = payload;
  if (typeof sub !== "string" || sub.length === 0 || !isRole(role) || typeof exp !== "number") {
    return { ok: false, problem: "claims" };
  }
  if (exp + CLOCK_SKEW_SECONDS <= nowSeconds) return { ok: false, problem: "expired" };
  const notBefore = typeof nbf === "number" ? nbf : typeof iat === "number" ? iat : 0;
  if (notBefore - CLOCK_SKEW_SECONDS > nowSeconds) return { ok: false, problem: "not_yet_valid" };
  return {
    ok: true,
    claims: {
      sub,
      role,
      exp,
      nbf: notBefore,
      iat: typeof iat === "number" ? iat : notBefore,
      iss: TOKEN_ISSUER,
    },
  };
}
