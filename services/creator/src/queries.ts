// The creator's queries on `pitches` (which it owns) and `offers` (production's, read only).
// Every pitch query names the creator, so one creator can never reach another's pitch.

import type { D1Database } from "../../../shared/d1.ts";
import { newestFirstAfter, type TimeIdPosition } from "../../../shared/http/paging.ts";
import { OFFER_COLUMNS, type OfferRow } from "../../../shared/offers.ts";
import { PITCH_COLUMNS, type PitchRow } from "../../../shared/pitches.ts";
import type { PitchChanges, PitchFields } from "./schemas.ts";

/** Inserts a draft; null when the creator's account no longer exists (a token outlives it). */
export async function insertPitch(
  db: D1Database,
  creatorId: string,
  fields: PitchFields,
): Promise<PitchRow | null> {
  const now = new Date().toISOString();
  // INSERT ... SELECT from users, so a deleted account inserts nothing instead of failing the
  // foreign key with an error.
  return db
    .prepare(
      `INSERT INTO pitches (id, creator_id, title, logline, genre, budget_min, budget_max, status, created_at, updated_at)
       SELECT ?, id, ?, ?, ?, ?, ?, 'draft', ?, ? FROM users WHERE id = ?
       RETURNING ${PITCH_COLUMNS}`,
    )
    .bind(
      crypto.randomUUID(),
      fields.title,
      fields.logline,
      fields.genre,
      fields.budgetMin,
      fields.budgetMax,
      now,
      now,
      creatorId,
    )
    .first<PitchRow>();
}

export async function findOwnPitch(
  db: D1Database,
  creatorId: string,
  id: string,
): Promise<PitchRow | null> {
  return db
    .prepare(`SELECT ${PITCH_COLUMNS} FROM pitches WHERE id = ? AND creator_id = ?`)
    .bind(id, creatorId)
    .first<PitchRow>();
}

/**
 * Applies the changes in one statement that also checks budgetMin ≤ budgetMax against the stored
 * values, so two edits racing cannot leave the range upside down. Null when nothing was updated:
 * the pitch is not the creator's, or the range would be upside down.
 */
export async function updateOwnPitch(
  db: D1Database,
  creatorId: string,
  id: string,
  changes: PitchChanges,
): Promise<PitchRow | null> {
  const budgetMin = changes.budgetMin ?? null;
  const budgetMax = changes.budgetMax ?? null;
  return db
    .prepare(
      `UPDATE pitches SET
         title = COALESCE(?1, title), logline = COALESCE(?2, logline), genre = COALESCE(?3, genre),
         budget_min = COALESCE(?4, budget_min), budget_max = COALESCE(?5, budget_max), updated_at = ?6
       WHERE id = ?7 AND creator_id = ?8 AND COALESCE(?4, budget_min) <= COALESCE(?5, budget_max)
       RETURNING ${PITCH_COLUMNS}`,
    )
    .bind(
      changes.title ?? null,
      changes.logline ?? null,
      changes.genre ?? null,
      budgetMin,
      budgetMax,
      new Date().toISOString(),
      id,
      creatorId,
    )
    .first<PitchRow>();
}

/** Publishes the pitch; publishing again keeps the first publishedAt. */
export async function publishOwnPitch(
  db: D1Database,
  creatorId: string,
  id: string,
): Promise<PitchRow | null> {
  const now = new Date().toISOString();
  return db
    .prepare(
      `UPDATE pitches SET status = 'published', published_at = COALESCE(published_at, ?1),
         updated_at = CASE status WHEN 'published' THEN updated_at ELSE ?1 END
       WHERE id = ?2 AND creator_id = ?3
       RETURNING ${PITCH_COLUMNS}`,
    )
    .bind(now, id, creatorId)
    .first<PitchRow>();
}

/** Deletes the pitch; false when it is not the creator's. */
export async function deleteOwnPitch(
  db: D1Database,
  creatorId: string,
  id: string,
): Promise<boolean> {
  const result = await db
    .prepare("DELETE FROM pitches WHERE id = ? AND creator_id = ?")
    .bind(id, creatorId)
    .run();
  return result.meta.changes > 0;
}

/** The creator's pitches, newest first, starting after `after`; fetches `count` rows. */
export async function listOwnPitches(
  db: D1Database,
  creatorId: string,
  count: number,
  after: TimeIdPosition | undefined,
): Promise<PitchRow[]> {
  const keyset = newestFirstAfter(after);
  const { results } = await db
    .prepare(
      `SELECT ${PITCH_COLUMNS} FROM pitches WHERE creator_id = ? ${keyset.sql}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .bind(creatorId, ...keyset.values, count)
    .all<PitchRow>();
  return results;
}

/** Offers on one pitch, newest first, starting after `after`; fetches `count` rows. */
export async function listOffersOnPitch(
  db: D1Database,
  pitchId: string,
  count: number,
  after: TimeIdPosition | undefined,
): Promise<OfferRow[]> {
  const keyset = newestFirstAfter(after);
  const { results } = await db
    .prepare(
      `SELECT ${OFFER_COLUMNS} FROM offers WHERE pitch_id = ? ${keyset.sql}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .bind(pitchId, ...keyset.values, count)
    .all<OfferRow>();
  return results;
}
