// shared/jwt.ts against hono/jwt, the library it replaces in the router: same tokens, same
// verdicts, and every kind of bad token refused with the right problem.

import { sign, verify } from "hono/jwt";
import { describe, expect, it } from "vitest";
import {
  CLOCK_SKEW_SECONDS,
  MAX_TOKEN_LIFETIME_SECONDS,
  signToken,
  TOKEN_ISSUER,
  TOKEN_TTL_SECONDS,
  verifyToken,
} from "./jwt.ts";

const SECRET = "jwt-test-secret-0123456789abcdef-0123";

function jwtPart(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

const NOW = 1_800_000_000;
const user = { id: "user-1", role: "investor" as const };

/** A token over any header and payload, HMAC-signed with `secret` (hono's sign fixes the header). */
async function handMade(header: unknown, payload: unknown, secret = SECRET): Promise<string> {
  const signed = `${jwtPart(header)}.${jwtPart(payload)}`;
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(signed));
  return `${signed}.${Buffer.from(signature).toString("base64url")}`;
}

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: "user-1",
  role: "investor",
  iat: NOW,
  nbf: NOW,
  exp: NOW + MAX_TOKEN_LIFETIME_SECONDS,
  iss: TOKEN_ISSUER,
  ...extra,
});

describe("signToken", () => {
  it("makes byte-for-byte the token hono/jwt signs", async () => {
    const { token, claims: issued } = await signToken(user, SECRET, NOW);
    expect(token).toBe(await sign({ ...issued }, SECRET, "HS256"));
    const payload = await verify(token, SECRET, {
      alg: "HS256",
      exp: false,
      nbf: false,
      iat: false,
    });
    expect(payload).toEqual(issued);
  });
});

describe("verifyToken", () => {
  it("accepts a token hono/jwt signed and returns its claims", async () => {
    const token = await sign(claims(), SECRET, "HS256");
    expect(await verifyToken(token, SECRET, NOW)).toEqual({ ok: true, claims: claims() });
  });

  it("checks exp and nbf with the stated clock skew", async () => {
    const token = await sign(claims(), SECRET, "HS256");
    const exp = NOW + MAX_TOKEN_LIFETIME_SECONDS;
    expect((await verifyToken(token, SECRET, exp + CLOCK_SKEW_SECONDS - 1)).ok).toBe(true);
    expect(await verifyToken(token, SECRET, exp + CLOCK_SKEW_SECONDS)).toEqual({
      ok: false,
      problem: "expired",
    });
    expect((await verifyToken(token, SECRET, NOW - CLOCK_SKEW_SECONDS)).ok).toBe(true);
    expect(await verifyToken(token, SECRET, NOW - CLOCK_SKEW_SECONDS - 1)).toEqual({
      ok: false,
      problem: "not_yet_valid",
    });
  });

  it.each<[string, () => Promise<string>, string]>([
    ["a wrong key", () => sign(claims(), `${SECRET}x`, "HS256"), "signature"],
    [
      "a changed payload",
      async () => {
        const [header, , signature] = (await sign(claims(), SECRET, "HS256")).split(".");
        return `${header}.${jwtPart(claims({ role: "creator" }))}.${signature}`;
      },
      "signature",
    ],
    [
      "alg none, unsigned",
      async () => `${jwtPart({ alg: "none" })}.${jwtPart(claims())}.`,
      "malformed",
    ],
    [
      "alg none with a signature",
      async () => `${jwtPart({ alg: "none", typ: "JWT" })}.${jwtPart(claims())}.c2ln`,
      "malformed",
    ],
    ["alg HS512", () => sign(claims(), SECRET, "HS512"), "malformed"],
    ["a typ that is not JWT", () => handMade({ alg: "HS256", typ: "JWE" }, claims()), "malformed"],
    ["a crit header", () => handMade({ alg: "HS256", crit: ["exp"] }, claims()), "malformed"],
    ["a payload that is a list", () => handMade({ alg: "HS256" }, [claims()]), "malformed"],
    ["another issuer", () => sign(claims({ iss: "elsewhere" }), SECRET, "HS256"), "claims"],
    ["no subject", () => sign(claims({ sub: "" }), SECRET, "HS256"), "claims"],
    [
      "a subject no header can carry",
      () => sign(claims({ sub: "u1\nx-evil: 1" }), SECRET, "HS256"),
      "claims",
    ],
    ["an unknown role", () => sign(claims({ role: "admin" }), SECRET, "HS256"), "claims"],
    ["exp as text", () => handMade({ alg: "HS256" }, claims({ exp: "soon" })), "claims"],
    ["no exp", () => handMade({ alg: "HS256" }, claims({ exp: undefined })), "claims"],
    ["no iat", () => handMade({ alg: "HS256" }, claims({ iat: undefined })), "claims"],
    ["nbf as text", () => handMade({ alg: "HS256" }, claims({ nbf: String(NOW) })), "claims"],
    ["iat as text", () => handMade({ alg: "HS256" }, claims({ iat: String(NOW) })), "claims"],
    ["a null nbf", () => handMade({ alg: "HS256" }, claims({ nbf: null })), "claims"],
    ["exp 1e308", () => handMade({ alg: "HS256" }, claims({ exp: 1e308 })), "lifetime"],
    [
      "a lifetime one second over the longest auth issues",
      () => sign(claims({ exp: NOW + MAX_TOKEN_LIFETIME_SECONDS + 1 }), SECRET, "HS256"),
      "lifetime",
    ],
    [
      "a future iat that makes a long token look short",
      () =>
        sign(claims({ nbf: NOW, iat: NOW + 10 ** 9, exp: NOW + 10 ** 9 + 60 }), SECRET, "HS256"),
      "not_yet_valid",
    ],
    ["an expired exp", () => sign(claims({ exp: NOW - 3600 }), SECRET, "HS256"), "expired"],
    ["a future nbf", () => sign(claims({ nbf: NOW + 3600 }), SECRET, "HS256"), "not_yet_valid"],
    ["two parts", async () => "abc.def", "malformed"],
    ["four parts", async () => "a.b.c.d", "malformed"],
    ["empty", async () => "", "malformed"],
    ["spaces", async () => "a b.c.d", "malformed"],
    ["a header that is not JSON", async () => `bm90IGpzb24.${jwtPart(claims())}.c2ln`, "malformed"],
    ["a part that is not base64", async () => `a.${jwtPart(claims())}.c2ln`, "malformed"],
  ])("refuses %s as %s", async (_, make, problem) => {
    expect(await verifyToken(await make(), SECRET, NOW)).toEqual({ ok: false, problem });
  });

  it("accepts a token without nbf from its iat", async () => {
    const token = await sign(claims({ nbf: undefined }), SECRET, "HS256");
    expect(await verifyToken(token, SECRET, NOW)).toEqual({
      ok: true,
      claims: claims({ nbf: NOW }),
    });
    expect((await verifyToken(token, SECRET, NOW - CLOCK_SKEW_SECONDS - 1)).ok).toBe(false);
  });

  it("accepts the tokens signToken issues, whose lifetime is the longest accepted", async () => {
    const { token, claims: issued } = await signToken(user, SECRET, NOW);
    expect(issued.exp - issued.iat).toBe(TOKEN_TTL_SECONDS);
    expect(TOKEN_TTL_SECONDS).toBe(MAX_TOKEN_LIFETIME_SECONDS);
    expect(await verifyToken(token, SECRET, NOW)).toEqual({ ok: true, claims: issued });
  });

  it("accepts a typ of jwt in any case, as hono/jwt does", async () => {
    const token = await handMade({ alg: "HS256", typ: "jwt" }, claims());
    expect((await verifyToken(token, SECRET, NOW)).ok).toBe(true);
  });

  it("agrees with hono/jwt on 500 tokens with one character changed", async () => {
    const token = await sign(claims(), SECRET, "HS256");
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    const disagreements: string[] = [];
    for (let i = 0; i < 500; i++) {
      const at = i % token.length;
      const char = alphabet[(i * 7 + at) % alphabet.length]!;
      const mutated = token.slice(0, at) + char + token.slice(at + 1);
      const ours = (await verifyToken(mutated, SECRET, NOW)).ok;
      const hono = await verify(mutated, SECRET, {
        alg: "HS256",
        iss: TOKEN_ISSUER,
        exp: false,
        nbf: false,
        iat: false,
      }).then(
        () => true,
        () => false,
      );
      if (ours !== hono) disagreements.push(mutated);
    }
    expect(disagreements).toEqual([]);
  });
});
