// The browse worker (reads pitches): public search over published pitches by words, genre and
// recency. It answers the same with or without a signed-in caller.

import type { D1Database } from "../../../shared/d1.ts";
import { ApiError } from "../../../shared/errors.ts";
import { createServiceApp } from "../../../shared/http/app.ts";
import {
  decodeCursor,
  decodeTimeIdCursor,
  type Page,
  pageFrom,
} from "../../../shared/http/paging.ts";
import { parseWith } from "../../../shared/http/validation.ts";
import { findPublishedPitch, type Pitch, pitchFromRow } from "../../../shared/pitches.ts";
import { ftsQueryOf } from "./fts-query.ts";
import { listRecentPitches, listRelevantPitches, type PitchFilter } from "./queries.ts";
import { browseQuery, MAX_RELEVANCE_RESULTS, relevancePosition } from "./schemas.ts";

const app = createServiceApp("browse");

const NO_RESULTS: Page<Pitch> = { items: [], nextCursor: null };

app.get("/api/browse/pitches", async (c) => {
  const { q, genre, sort, limit, cursor } = parseWith(browseQuery, c.req.query(), "query");
  // Null when the words are only symbols: then nothing can match, but the cursor is still checked.
  const match = q ? ftsQueryOf(q) : undefined;
  // Relevance needs words to rank by; without them the only order is recency.
  if (match !== undefined && sort !== "recent") {
    const offset = cursor === undefined ? 0 : decodeCursor(cursor, relevancePosition).offset;
    if (match === null) return c.json(NO_RESULTS);
    return c.json(await relevantPage(c.env.DB, { match, genre }, limit, offset));
  }
  const after = decodeTimeIdCursor(cursor);
  if (match === null) return c.json(NO_RESULTS);
  const rows = await listRecentPitches(c.env.DB, { match, genre }, limit + 1, after);
  return c.json(pageFrom(rows, limit, pitchFromRow, (row) => [row.published_at, row.id]));
});

app.get("/api/browse/pitches/:id", async (c) => {
  const row = await findPublishedPitch(c.env.DB, c.req.param("id"));
  if (!row) throw new ApiError(404, "not_found", "No published pitch has this id.");
  return c.json({ pitch: pitchFromRow(row) });
});

/** One page in relevance order; stops at MAX_RELEVANCE_RESULTS, so deep offsets stay cheap. */
async function relevantPage(
  db: D1Database,
  filter: PitchFilter & { match: string },
  limit: number,
  offset: number,
): Promise<Page<Pitch>> {
  const count = Math.min(limit, MAX_RELEVANCE_RESULTS - offset);
  const rows = await listRelevantPitches(db, filter, count + 1, offset);
  const next = offset + count;
  const page = pageFrom(rows, count, pitchFromRow, () => ({ offset: next }));
  return next >= MAX_RELEVANCE_RESULTS ? { ...page, nextCursor: null } : page;
}

export default app;
