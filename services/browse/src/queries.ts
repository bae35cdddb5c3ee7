// browse's reads of `pitches` (owned by creator): only published pitches, newest first or by
// relevance to a full-text search through the `pitches_fts` index. Archived pitches never show,
// even one an old monolith republished.

import type { D1Database } from "../../../shared/d1.ts";
import { newestFirstAfter, type TimeIdPosition } from "../../../shared/http/paging.ts";
import { type PitchRow, pitchColumnsOf } from "../../../shared/pitches.ts";

export interface PitchFilter {
  /** An FTS5 expression from ftsQueryOf, never raw user text. */
  match?: string;
  genre?: string;
}

// bm25 weights per indexed column (title, logline, genre): a word in the title counts ten
// times one in the logline, so title matches rank first.
const RANK = "bm25(pitches_fts, 10.0, 1.0, 0.5)";

/** Published pitches matching the filter, newest published first; fetches `count` rows. */
export async function listRecentPitches(
  db: D1Database,
  filter: PitchFilter,
  count: number,
  after: TimeIdPosition | undefined,
): Promise<PitchRow[]> {
  const { from, where, values } = filterSql(filter);
  const keyset = newestFirstAfter(after, "p.published_at", "p.id");
  const { results } = await db
    .prepare(
      `SELECT ${pitchColumnsOf("p")} FROM ${from} WHERE ${where.join(" AND ")} ${keyset.sql}
       ORDER BY p.published_at DESC, p.id DESC LIMIT ?`,
    )
    .bind(...values, ...keyset.values, count)
    .all<PitchRow>();
  return results;
}

/** Published pitches matching `filter.match`, best first; fetches `count` rows from `offset`. */
export async function listRelevantPitches(
  db: D1Database,
  filter: PitchFilter & { match: string },
  count: number,
  offset: number,
): Promise<PitchRow[]> {
  const { from, where, values } = filterSql(filter);
  const { results } = await db
    .prepare(
      `SELECT ${pitchColumnsOf("p")} FROM ${from} WHERE ${where.join(" AND ")}
       ORDER BY ${RANK}, p.id LIMIT ? OFFSET ?`,
    )
    .bind(...values, count, offset)
    .all<PitchRow>();
  return results;
}

function filterSql(filter: PitchFilter) {
  const where = ["p.status = 'published'", "p.archived_at IS NULL"];
  const values: unknown[] = [];
  if (filter.match !== undefined) {
    where.push("pitches_fts MATCH ?");
    values.push(filter.match);
  }
  if (filter.genre !== undefined) {
    where.push("p.genre = ?");
    values.push(filter.genre);
  }
  const from =
    filter.match === undefined
      ? "pitches p"
      : "pitches_fts JOIN pitches p ON p.rowid = pitches_fts.rowid";
  return { from, where, values };
}
