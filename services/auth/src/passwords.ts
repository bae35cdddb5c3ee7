// Password hashing for auth: salted PBKDF2-SHA256 through WebCrypto. The iteration count is stored
// beside each hash so it can be raised later without invalidating old passwords.

/** Cloudflare's WebCrypto refuses PBKDF2 above 100,000 iterations, so this is the most we can use. */
export const PBKDF2_ITERATIONS = 100_000;

const SALT_BYTES = 16;
const HASH_BYTES = 32;

export interface PasswordHash {
  /** base64 of the derived key. */
  hash: string;
  /** base64 of the random salt. */
  salt: string;
  iterations: number;
}

export async function hashPassword(
  password: string,
  iterations = PBKDF2_ITERATIONS,
): Promise<PasswordHash> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await deriveKey(password, salt, iterations);
  return { hash: toBase64(hash), salt: toBase64(salt), iterations };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const derived = await deriveKey(password, fromBase64(stored.salt), stored.iterations);
  return constantTimeEqual(derived, fromBase64(stored.hash));
}

// A fixed salt for the decoy check below; nothing is ever compared against its result.
const DECOY_SALT = new Uint8Array(SALT_BYTES);

/**
 * Spends the same time as a real check, for an unknown email, so that timing does not tell a
 * caller which emails have accounts.
 */
export async function decoyPasswordCheck(password: string): Promise<false> {
  await deriveKey(password, DECOY_SALT, PBKDF2_ITERATIONS);
  return false;
}

/** Compares every byte whatever the earlier ones were, so the time taken reveals no prefix. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i % b.length] ?? 0);
  return difference === 0;
}

async function deriveKey(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
