// Pitches as every worker sees them: the genre list, the row as stored in D1 and the one mapper
// to the API shape of docs/api.md. creator owns the table; browse, investor, production read it.

import type { D1Database } from "./d1.ts";
import { ApiError } from "./errors.ts";

export const GENRES = [
  "drama",
  "comedy",
  "thriller",
  "horror",
  "sci-fi",
  "fantasy",
  "documentary",
  "animation",
  "action",
  "romance",
  "other",
] as const;

export type Genre = (typeof GENRES)[number];

export const PITCH_STATUSES = ["draft", "published"] as const;

export type PitchStatus = (typeof PITCH_STATUSES)[number];

/** Largest budget a pitch may state, in whole US dollars. */
export const MAX_BUDGET = 1_000_000_000;

/** A `pitches` row as D1 returns it for `SELECT ${PITCH_COLUMNS}`. */
export interface PitchRow {
  id: string;
  creator_id: string;
  title: string;
  logline: string;
  genre: string;
  budget_min: number;
  budget_max: number;
  status: PitchStatus;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  archived_at: string | null;
}

/** A pitch as the API answers it. */
export interface Pitch {
  id: string;
  creatorId: string;
  title: string;
  logline: string;
  genre: string;
  budgetMin: number;
  budgetMax: number;
  status: PitchStatus;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  /** Set once the creator archived it: unpublished, kept for those who depend on it. */
  archivedAt: string | null;
}

const COLUMN_NAMES = [
  "id",
  "creator_id",
  "title",
  "logline",
  "genre",
  "budget_min",
  "budget_max",
  "status",
  "created_at",
  "updated_at",
  "published_at",
  "archived_at",
] as const satisfies readonly (keyof PitchRow)[];

/** The select list that yields a PitchRow: `SELECT ${PITCH_COLUMNS} FROM pitches`. */
export const PITCH_COLUMNS = COLUMN_NAMES.join(", ");

/** The same select list qualified by a table alias, for joins: `pitchColumnsOf("p")`. */
export function pitchColumnsOf(alias: string): string {
  return COLUMN_NAMES.map((column) => `${alias}.${column}`).join(", ");
}

export function pitchFromRow(row: PitchRow): Pitch {
  return {
    id: row.id,
    creatorId: row.creator_id,
    title: row.title,
    logline: row.logline,
    genre: row.genre,
    budgetMin: row.budget_min,
    budgetMax: row.budget_max,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    archivedAt: row.archived_at,
  };
}

/**
 * The published pitch `id`, or null for a draft, an archived or an unknown id (other users see no
 * drafts). Archiving unpublishes; the archived_at test also covers a monolith that republishes.
 */
export function findPublishedPitch(db: D1Database, id: string): Promise<PitchRow | null> {
  return db
    .prepare(
      `SELECT ${PITCH_COLUMNS} FROM pitches WHERE id = ? AND status = 'published' AND archived_at IS NULL`,
    )
    .bind(id)
    .first<PitchRow>();
}

/** The published pitch `id`; a draft and an unknown id both answer 404. */
export async function requirePublishedPitch(db: D1Database, id: string): Promise<PitchRow> {
  const row = await findPublishedPitch(db, id);
  if (!row) throw new ApiError(404, "not_found", `No published pitch with id ${id}.`);
  return row;
}
