// GET /api/analytics/pitches/:id/stats: views of one pitch, for its owner. A view is one viewer on
// one UTC day, never the owner: the reads count distinct (viewer, day) pairs, so repeats stored
// before the write kept only the first (or by a monolith still on the old code) count once. Totals
// are all-time; `days` lists every UTC day of the window, oldest first, with zeros where nothing
// happened.

import type { Context } from "hono";
import { ApiError } from "../../../shared/errors.ts";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import {
  lazySchema,
  parseWith,
  queryInteger,
  queryObject,
} from "../../../shared/http/validation.ts";

export const MAX_STATS_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

const statsQuery = lazySchema(() => queryObject({ days: queryInteger(1, MAX_STATS_DAYS, 30) }));

export interface DayStats {
  day: string;
  views: number;
  uniqueViewers: number;
}

/** The `count` UTC days ending with `today`, oldest first, as `YYYY-MM-DD`. */
export function windowDays(today: Date, count: number): string[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: count }, (_, i) =>
    new Date(end - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

export async function pitchStats(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "creator");
  const pitchId = c.req.param("id") ?? "";
  const { days } = parseWith(statsQuery, c.req.query(), "query");
  const window = windowDays(new Date(), days);
  const db = c.env.DB;

  // One round trip: the owner check and both aggregates, which leave out the owner's own views.
  const [owned, totals, perDay] = await db.batch([
    db
      .prepare("SELECT 1 AS owned FROM pitches WHERE id = ? AND creator_id = ?")
      .bind(pitchId, userId),
    db
      .prepare(
        "SELECT COUNT(*) AS views, COUNT(DISTINCT viewer_key) AS uniqueViewers FROM (SELECT DISTINCT day, viewer_key FROM events WHERE pitch_id = ? AND kind = 'view' AND viewer_key <> ?)",
      )
      .bind(pitchId, userId),
    db
      .prepare(
        "SELECT day, COUNT(DISTINCT viewer_key) AS views, COUNT(DISTINCT viewer_key) AS uniqueViewers FROM events WHERE pitch_id = ? AND kind = 'view' AND viewer_key <> ? AND day BETWEEN ? AND ? GROUP BY day",
      )
      .bind(pitchId, userId, window[0], window[window.length - 1]),
  ]);
  if (!owned?.results.length) {
    throw new ApiError(404, "not_found", `You have no pitch with id ${pitchId}.`);
  }
  const total = totals?.results[0] as { views: number; uniqueViewers: number } | undefined;
  const byDay = new Map(
    (perDay?.results as unknown as DayStats[] | undefined)?.map((row) => [row.day, row]),
  );
  return c.json({
    pitchId,
    totalViews: total?.views ?? 0,
    uniqueViewers: total?.uniqueViewers ?? 0,
    days: window.map((day): DayStats => {
      const row = byDay.get(day);
      return { day, views: row?.views ?? 0, uniqueViewers: row?.uniqueViewers ?? 0 };
    }),
  });
}
