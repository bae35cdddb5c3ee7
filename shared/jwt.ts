// Platform tokens: HS256 JWTs signed by auth with the stack's jwtSecret and verified by the router,
// with WebCrypto directly (byte-for-byte the tokens hono/jwt makes) and a stated clock skew.

import { fromBase64Url, toBase64Url } from "./base64url.ts";
import { isRole, type Role } from "./identity.ts";

/** Tolerance for clocks that disagree between the issuer and the verifier. */
export const CLOCK_SKEW_SECONDS = 30;

/**
 * Lifetime of an access token (login, registration, refresh). Short because the router never reads
 * the database: a token outlives its logout or password change by at most this long, and clients
 * renew it with a refresh token from auth.
 */
export const TOKEN_TTL_SECONDS = 60 * 15;

/**
 * The longest lifetime (`exp - iat`) verifyToken accepts: the one auth issues, so changing
 * TOKEN_TTL_SECONDS moves both, and a token claiming to live longer (`exp: 1e308`) is refused.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = TOKEN_TTL_SECONDS;

/** A user id the router can forward as a header value (auth issues UUIDs). */
const SUBJECT = /^[\w.:@-]{1,128}$/;

export const TOKEN_ISSUER = "pitch-platform";

export interface TokenClaims {
  sub: string;
  role: Role;
  iat: number;
  nbf: number;
  exp: number;
  iss: string;
}

/*
 * Why not hono/jwt: its sign/verify bring every JWS algorithm (RSA, ECDSA, EdDSA) and error
 * classes esbuild cannot drop, ~3.2 KB gzip, half of the router's bundle; HS256 alone
 * is a few lines of WebCrypto (services/router/README.md has the numbers). jwt.test.ts checks
 * these functions against hono/jwt both ways.
 */

/** base64url of `{"alg":"HS256","typ":"JWT"}`, as hono/jwt writes it (a literal, so bundles drop it unused). */
const HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

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
  const signed = `${HEADER}.${toBase64Url(utf8(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), utf8(signed));
  return { token: `${signed}.${toBase64Url(new Uint8Array(signature))}`, claims };
}

/** Why a token was refused; the router maps each to a 401 message. */
export type TokenProblem =
  | "malformed"
  | "signature"
  | "expired"
  | "not_yet_valid"
  | "claims"
  | "lifetime";

export type VerifyResult = { ok: true; claims: TokenClaims } | { ok: false; problem: TokenProblem };

/**
 * Verifies an HS256 token: the header must say `alg: HS256` (so `none` and every other algorithm
 * are refused), the signature is checked before any claim is trusted, then `iss`, `sub`, `role`
 * and the time claims, with CLOCK_SKEW_SECONDS of tolerance. `iat` and `exp` are required and
 * `nbf` optional (it defaults to `iat`), each a number; `iat` may not be in the future and
 * `exp - iat` may not exceed MAX_TOKEN_LIFETIME_SECONDS, so no token outlives what auth issues.
 */
export async function verifyToken(
  token: string,
  secret: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<VerifyResult> {
  const parts = /^([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(token);
  if (!parts) return { ok: false, problem: "malformed" };
  const [, headerPart = "", payloadPart = "", signaturePart = ""] = parts;
  let header: unknown;
  let payload: unknown;
  let signature: Uint8Array<ArrayBuffer>;
  try {
    header = JSON.parse(fromUtf8(fromBase64Url(headerPart)));
    payload = JSON.parse(fromUtf8(fromBase64Url(payloadPart)));
    signature = fromBase64Url(signaturePart);
  } catch {
    return { ok: false, problem: "malformed" };
  }
  if (!isHs256Header(header) || !isRecord(payload)) return { ok: false, problem: "malformed" };
  const signed = utf8(`${headerPart}.${payloadPart}`);
  if (!(await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, signed))) {
    return { ok: false, problem: "signature" };
  }
  const { sub, role, exp, nbf, iat, iss } = payload;
  if (iss !== TOKEN_ISSUER || typeof sub !== "string" || !SUBJECT.test(sub) || !isRole(role)) {
    return { ok: false, problem: "claims" };
  }
  if (!isTime(exp) || !isTime(iat) || (nbf !== undefined && !isTime(nbf))) {
    return { ok: false, problem: "claims" };
  }
  if (exp - iat > MAX_TOKEN_LIFETIME_SECONDS) return { ok: false, problem: "lifetime" };
  if (exp + CLOCK_SKEW_SECONDS <= nowSeconds) return { ok: false, problem: "expired" };
  // With iat bounded by now, exp - iat bounds how long the token has left whatever nbf says.
  const notBefore = isTime(nbf) ? nbf : iat;
  if (Math.max(iat, notBefore) - CLOCK_SKEW_SECONDS > nowSeconds) {
    return { ok: false, problem: "not_yet_valid" };
  }
  return { ok: true, claims: { sub, role, exp, nbf: notBefore, iat, iss } };
}

/** Imported keys by secret: an isolate imports its key once, not on every request. */
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    // Each rotation adds an entry; the bound keeps a long-lived isolate from collecting them.
    if (hmacKeys.size >= 4) hmacKeys.clear();
    key = crypto.subtle.importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** `typ`, when present, must name JWT (as hono/jwt accepts it); `crit` is never honoured. */
function isHs256Header(header: unknown): boolean {
  return (
    isRecord(header) &&
    header.alg === "HS256" &&
    (header.typ === undefined ||
      (typeof header.typ === "string" && /^(application\/)?jwt$/i.test(header.typ))) &&
    !("crit" in header)
  );
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

function fromUtf8(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}
