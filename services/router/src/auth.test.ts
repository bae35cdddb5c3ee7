// Central authentication: bearer parsing, 401 answers per problem, and the JWT key read from the
// Secrets Store binding once per isolate and TTL.

import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../shared/errors.ts";
import { signToken } from "../../../shared/jwt.ts";
import { authenticate, jwtSecret, SECRET_TTL_MS } from "./auth.ts";
import { SECRET } from "./test-env.ts";

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("authenticate", () => {
  it("returns no identity when no Authorization header is sent", async () => {
    expect(await authenticate(undefined, SECRET)).toBeUndefined();
  });

  it("returns the verified user id and role", async () => {
    const { token } = await signToken({ id: "user-7", role: "production" }, SECRET);
    expect(await authenticate(`Bearer ${token}`, SECRET)).toEqual({
      userId: "user-7",
      role: "production",
    });
    expect(await authenticate(`bearer  ${token}`, SECRET)).toEqual({
      userId: "user-7",
      role: "production",
    });
  });

  it.each([
    ["Basic dXNlcjpwYXNz", "invalid_token", "must be 'Bearer <token>'"],
    ["Bearer", "invalid_token", "must be 'Bearer <token>'"],
    ["Bearer ", "invalid_token", "must be 'Bearer <token>'"],
    ["Bearer a.b", "invalid_token", "must be 'Bearer <token>'"],
    ["Bearer a.b.c d", "invalid_token", "must be 'Bearer <token>'"],
    ["", "invalid_token", "must be 'Bearer <token>'"],
  ])("refuses %j with 401 %s", async (header, code, message) => {
    const error = await refusal(authenticate(header, SECRET));
    expect([error.status, error.code]).toEqual([401, code]);
    expect(error.message).toContain(message);
  });

  it("tells an expired token and a wrongly signed one apart", async () => {
    const old = await signToken({ id: "u", role: "creator" }, SECRET, 1_000_000_000);
    const expired = await refusal(authenticate(`Bearer ${old.token}`, SECRET));
    expect([expired.status, expired.code, expired.message]).toEqual([
      401,
      "token_expired",
      "The token has expired; sign in again.",
    ]);
    const forged = await signToken({ id: "u", role: "creator" }, `${SECRET}-other`);
    const wrong = await refusal(authenticate(`Bearer ${forged.token}`, SECRET));
    expect([wrong.status, wrong.code, wrong.message]).toEqual([
      401,
      "invalid_token",
      "The token's signature does not match; sign in again.",
    ]);
  });

  it("answers 500 naming JWT_SECRET when the key cannot be read", async () => {
    const { token } = await signToken({ id: "u", role: "creator" }, SECRET);
    const missing = await refusal(authenticate(`Bearer ${token}`, undefined));
    expect([missing.status, missing.code, missing.message]).toEqual([
      500,
      "router_misconfigured",
      "The router cannot read its JWT_SECRET binding (JWT_SECRET binding is missing); bind the platform's JWT secret to it.",
    ]);
    const short = await refusal(authenticate(`Bearer ${token}`, "too-short"));
    expect(short.message).toContain("JWT_SECRET must be at least 32 characters");
  });
});

describe("jwtSecret", () => {
  it("reads a Secrets Store binding once per TTL", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const binding = { get: vi.fn(async () => SECRET) };
    for (let i = 0; i < 5; i++) expect(await jwtSecret(binding)).toBe(SECRET);
    expect(binding.get).toHaveBeenCalledTimes(1);
    vi.setSystemTime(1_000_000 + SECRET_TTL_MS - 1);
    await jwtSecret(binding);
    expect(binding.get).toHaveBeenCalledTimes(1);
    vi.setSystemTime(1_000_000 + SECRET_TTL_MS);
    await jwtSecret(binding);
    expect(binding.get).toHaveBeenCalledTimes(2);
  });

  it("does not keep a failed read", async () => {
    let calls = 0;
    const binding = {
      get: async () => {
        calls += 1;
        if (calls === 1) throw new Error("store unavailable");
        return SECRET;
      },
    };
    await expect(jwtSecret(binding)).rejects.toThrow("store unavailable");
    expect(await jwtSecret(binding)).toBe(SECRET);
    expect(calls).toBe(2);
  });
});
