import { describe, expect, it } from "vitest";
import {
  constantTimeEqual,
  decoyPasswordCheck,
  hashPassword,
  PBKDF2_ITERATIONS,
  verifyPassword,
} from "./passwords.ts";

describe("hashPassword", () => {
  it("stores a 32-byte PBKDF2 key, a 16-byte salt and 100,000 iterations", async () => {
    const stored = await hashPassword("correct horse");
    expect(stored.iterations).toBe(100_000);
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    expect(atob(stored.hash)).toHaveLength(32);
    expect(atob(stored.salt)).toHaveLength(16);
    expect(stored.hash).not.toContain("correct horse");
  });

  it("salts every hash, so one password never gives the same hash twice", async () => {
    const [first, second] = await Promise.all([hashPassword("same one"), hashPassword("same one")]);
    expect(first.salt).not.toBe(second.salt);
    expect(first.hash).not.toBe(second.hash);
  });
});

describe("verifyPassword", () => {
  it("accepts the password and refuses any other", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct horsf", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("uses the iteration count stored with the hash", async () => {
    const stored = await hashPassword("older account", 1_000);
    expect(await verifyPassword("older account", stored)).toBe(true);
    expect(await verifyPassword("older account", { ...stored, iterations: 1_001 })).toBe(false);
  });
});

describe("decoyPasswordCheck", () => {
  it("always says no", async () => {
    expect(await decoyPasswordCheck("anything")).toBe(false);
  });
});

describe("constantTimeEqual", () => {
  const bytes = (...values: number[]) => new Uint8Array(values);

  it("is true only for the same bytes", () => {
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(bytes(), bytes())).toBe(true);
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(bytes(0, 2, 3), bytes(1, 2, 3))).toBe(false);
  });

  it("is false when the lengths differ, even if one is a prefix of the other", () => {
    expect(constantTimeEqual(bytes(1, 2), bytes(1, 2, 3))).toBe(false);
    expect(constantTimeEqual(bytes(1, 2, 3), bytes(1, 2))).toBe(false);
    expect(constantTimeEqual(bytes(1), bytes())).toBe(false);
  });
});
