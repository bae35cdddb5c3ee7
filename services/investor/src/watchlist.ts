// An investor's watchlist: published pitches they keep an eye on. Adding twice keeps the first
// `addedAt` (200 instead of 201); removing is idempotent so a retried DELETE is harmless. An
// archived pitch drops out of it as out of browse: watching is no stake in a pitch.

import type { Context } from "hono";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { type NewestFirstOrder, newestFirstPage, pageQuery } from "../../../shared/http/paging.ts";
import { lazySchema, parseWith, strictObject, uuid } from "../../../shared/http/validation.ts";
import {
  type PitchRow,
  pitchColumnsOf,
  pitchFromRow,
  requirePublishedPitch,
} from "../../../shared/pitches.ts";

const watchInput = lazySchema(() => strictObject({ pitchId: uuid() }));

type WatchRow = PitchRow & { added_at: string };

function entryFromRow(row: WatchRow) {
  return { pitch: pitchFromRow(row), addedAt: row.added_at };
}

// The list follows when each pitch was added, not when it was created.
const BY_ADDED_AT: NewestFirstOrder<WatchRow> = {
  time: "w.created_at",
  id: "w.pitch_id",
  positionOf: (last) => [last.added_at, last.id],
};

/** The caller's watchlist, most recently added first. */
export async function listWatchlist(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "investor");
  const page = parseWith(pageQuery, c.req.query(), "query");
  const sql = `SELECT ${pitchColumnsOf("p")}, w.created_at AS added_at
     FROM watchlist w JOIN pitches p ON p.id = w.pitch_id
     WHERE w.investor_id = ? AND p.archived_at IS NULL`;
  return c.json(await newestFirstPage(c.env.DB, page, sql, [userId], entryFromRow, BY_ADDED_AT));
}

export async function addToWatchlist(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "investor");
  const { pitchId } = await readJson(c, watchInput);
  const db = c.env.DB;
  const pitch = await requirePublishedPitch(db, pitchId);
  const inserted = await db
    .prepare(
      "INSERT INTO watchlist (investor_id, pitch_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(userId, pitchId, new Date().toISOString())
    .run();
  const row = await db
    .prepare("SELECT created_at FROM watchlist WHERE investor_id = ? AND pitch_id = ?")
    .bind(userId, pitchId)
    .first<{ created_at: string }>();
  const entry = entryFromRow({ ...pitch, added_at: row?.created_at ?? "" });
  return c.json({ entry }, inserted.meta.changes > 0 ? 201 : 200);
}

export async function removeFromWatchlist(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "investor");
  await c.env.DB.prepare("DELETE FROM watchlist WHERE investor_id = ? AND pitch_id = ?")
    .bind(userId, c.req.param("pitchId") ?? "")
    .run();
  return c.body(null, 204);
}
