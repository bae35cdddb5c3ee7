// The `sessions` and `refresh_tokens` tables, which auth owns: one session per sign-in, whose
// refresh tokens rotate on every use. Tokens are stored as their SHA-256, never as themselves.

import { toBase64Url } from "../../../shared/base64url.ts";
import type { D1Database } from "../../../shared/d1.ts";

/** How long a refresh token can be used; each refresh answers a new one with a new term. */
export const REFRESH_TOKEN_TTL_SECONDS = 60 * 60 * 24 * 30;

const REFRESH_TOKEN_BYTES = 32;

export interface IssuedRefreshToken {
  refreshToken: string;
  /** ISO-8601. */
  expiresAt: string;
}

/** Why a refresh was refused: `reused` is a spent token presented again, which ends its session. */
export type RefreshRefusal = "unknown" | "reused";

export type RotateResult =
  | { ok: true; userId: string; next: IssuedRefreshToken }
  | { ok: false; refusal: RefreshRefusal };

/** Hex SHA-256 of the token: what the table keys on. */
export async function hashRefreshToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Starts a session for the user and answers its first refresh token. */
export async function startSession(
  db: D1Database,
  userId: string,
  now = new Date(),
): Promise<IssuedRefreshToken> {
  const session = { id: crypto.randomUUID(), userId };
  const token = await newRefreshToken(now);
  await db.batch([
    db
      .prepare("INSERT INTO sessions (id, user_id, created_at) VALUES (?, ?, ?)")
      .bind(session.id, userId, now.toISOString()),
    insertToken(db, token, session, now),
  ]);
  return token.issued;
}

/**
 * Spends the refresh token and answers its successor in the same session. A token that was spent
 * already ends the whole session (someone holds a copy of it); an unknown, expired or ended one
 * is simply refused.
 */
export async function rotateRefreshToken(
  db: D1Database,
  token: string,
  now = new Date(),
): Promise<RotateResult> {
  const tokenHash = await hashRefreshToken(token);
  const at = now.toISOString();
  // One UPDATE decides which of two racing refreshes wins; the loser counts as reuse.
  const spent = await db
    .prepare(
      `UPDATE refresh_tokens SET spent_at = ?
       WHERE token_hash = ? AND spent_at IS NULL AND expires_at > ?
         AND session_id IN (SELECT id FROM sessions WHERE ended_at IS NULL)
       RETURNING session_id, user_id`,
    )
    .bind(at, tokenHash, at)
    .first<{ session_id: string; user_id: string }>();
  if (spent) {
    const next = await newRefreshToken(now);
    await insertToken(db, next, { id: spent.session_id, userId: spent.user_id }, now).run();
    return { ok: true, userId: spent.user_id, next: next.issued };
  }
  const known = await db
    .prepare("SELECT session_id, spent_at FROM refresh_tokens WHERE token_hash = ?")
    .bind(tokenHash)
    .first<{ session_id: string; spent_at: string | null }>();
  if (known?.spent_at == null) return { ok: false, refusal: "unknown" };
  // Tokens issued later in this session check `ended_at` when used, so they die with it too.
  await endSession(db, known.session_id, now);
  return { ok: false, refusal: "reused" };
}

/** Ends the session the refresh token (spent or not) belongs to; false when none matches. */
export async function endSessionOf(
  db: D1Database,
  token: string,
  now = new Date(),
): Promise<boolean> {
  const result = await db
    .prepare(
      `UPDATE sessions SET ended_at = ?
       WHERE ended_at IS NULL
         AND id = (SELECT session_id FROM refresh_tokens WHERE token_hash = ?)`,
    )
    .bind(now.toISOString(), await hashRefreshToken(token))
    .run();
  return result.meta.changes > 0;
}

/** The statement that ends every session of the user (logout everywhere, password change). */
export function endUserSessions(db: D1Database, userId: string, now = new Date()) {
  return db
    .prepare("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL")
    .bind(now.toISOString(), userId);
}

async function endSession(db: D1Database, sessionId: string, now: Date): Promise<void> {
  await db
    .prepare("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL")
    .bind(now.toISOString(), sessionId)
    .run();
}

interface NewRefreshToken {
  issued: IssuedRefreshToken;
  tokenHash: string;
}

async function newRefreshToken(now: Date): Promise<NewRefreshToken> {
  const refreshToken = toBase64Url(crypto.getRandomValues(new Uint8Array(REFRESH_TOKEN_BYTES)));
  const expiresAt = new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString();
  return { issued: { refreshToken, expiresAt }, tokenHash: await hashRefreshToken(refreshToken) };
}

function insertToken(
  db: D1Database,
  token: NewRefreshToken,
  session: { id: string; userId: string },
  now: Date,
) {
  return db
    .prepare(
      `INSERT INTO refresh_tokens (token_hash, session_id, user_id, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
    )
    .bind(token.tokenHash, session.id, session.userId, now.toISOString(), token.issued.expiresAt);
}
