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

/** Publishes the pitch unless archived; publishing again keeps the first publishedAt. */
export function publishOwnPitch(
  db: D1Database,
  creatorId: string,
  id: string,
): Promise<PitchRow | null> {
  return setOnOwnPitch(
    db,
    creatorId,
    id,
    `status = 'published', published_at = COALESCE(published_at, ?1),
         updated_at = CASE status WHEN 'published' THEN updated_at ELSE ?1 END`,
    "AND archived_at IS NULL",
  );
}

/** One UPDATE of the creator's own pitch (`?1` is now in `set`), answering the row or null. */
function setOnOwnPitch(
  db: D1Database,
  creatorId: string,
  id: string,
  set: string,
  condition = "",
): Promise<PitchRow | null> {
  return db
    .prepare(
      `UPDATE pitches SET ${set}
       WHERE id = ?2 AND creator_id = ?3 ${condition}
       RETURNING ${PITCH_COLUMNS}`,
    )
    .bind(new Date().toISOString(), id, creatorId)
    .first<PitchRow>();
}

/** Rows of other services that rely on a pitch (`?1`), by kind: each blocks its delete. */
const DEPENDANTS = {
  commitments: "investments WHERE pitch_id = ?1 AND kind = 'commitment'",
  interests: "investments WHERE pitch_id = ?1 AND kind = 'interest'",
  acceptedOffers: "offers WHERE pitch_id = ?1 AND status = 'accepted'",
  pendingOffers: "offers WHERE pitch_id = ?1 AND status = 'pending'",
  ndas: "ndas WHERE pitch_id = ?1 AND status IN ('requested', 'signed')",
} as const;

export type DependantCounts = Record<keyof typeof DEPENDANTS, number>;

const DEPENDANT_ENTRIES = Object.entries(DEPENDANTS);

export type DeleteOutcome =
  | { kind: "deleted" }
  | { kind: "not_found" }
  | { kind: "depended_on"; dependants: DependantCounts };

/**
 * Deletes the pitch unless rows of other services depend on it. The counts and the guarded DELETE
 * run as one batch (a D1 transaction), so the answer matches what the DELETE saw; the other tables
 * are only read, never written.
 */
export async function deleteOwnPitch(
  db: D1Database,
  creatorId: string,
  id: string,
): Promise<DeleteOutcome> {
  const counts = DEPENDANT_ENTRIES.map(
    ([kind, rows]) => `(SELECT COUNT(*) FROM ${rows}) AS ${kind}`,
  );
  const none = DEPENDANT_ENTRIES.map(([, rows]) => `NOT EXISTS (SELECT 1 FROM ${rows})`);
  const [found, deleted] = await db.batch([
    db
      .prepare(`SELECT ${counts.join(", ")} FROM pitches WHERE id = ?1 AND creator_id = ?2`)
      .bind(id, creatorId),
    db
      .prepare(`DELETE FROM pitches WHERE id = ?1 AND creator_id = ?2 AND ${none.join(" AND ")}`)
      .bind(id, creatorId),
  ]);
  if ((deleted?.meta.changes ?? 0) > 0) return { kind: "deleted" };
  const dependants = found?.results[0] as DependantCounts | undefined;
  return dependants ? { kind: "depended_on", dependants } : { kind: "not_found" };
}

/** Archives the pitch: unpublished and hidden from browse; archiving again keeps archivedAt. */
export function archiveOwnPitch(
  db: D1Database,
  creatorId: string,
  id: string,
): Promise<PitchRow | null> {
  return setOnOwnPitch(
    db,
    creatorId,
    id,
    `status = 'draft', archived_at = COALESCE(archived_at, ?1),
         updated_at = CASE WHEN archived_at IS NULL THEN ?1 ELSE updated_at END`,
  );
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
