// POST /api/analytics/events: records a batch of pitch views for the signed-in viewer. Views of
// pitches that are not published (or do not exist) are dropped, so `accepted` counts what was kept;
// of those, a viewer's first view of a pitch on a UTC day is `counted`, repeats and the owner's own
// views are not (and are not stored).

import type { Context } from "hono";
import * as v from "valibot";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { enforceRateLimit } from "../../../shared/http/rate-limit.ts";
import {
  atLeast,
  atMost,
  lazySchema,
  strictObject,
  uuid,
} from "../../../shared/http/validation.ts";

/** Most events one request may carry; D1 also caps bound parameters per statement at 100. */
export const MAX_EVENTS_PER_BATCH = 100;

/** How far ahead of the server's clock a client's `at` may be (clock skew). */
export const MAX_FUTURE_MS = 5 * 60_000;

/** How old an `at` may be: a client may send views it queued while offline, but not rewrite history. */
export const MAX_PAST_MS = 24 * 60 * 60_000;

/** Whether an event time (ISO-8601) lies in the window around `now` that a batch may report. */
export function isWithinWindow(at: string, now: number): boolean {
  const time = Date.parse(at);
  return time >= now - MAX_PAST_MS && time <= now + MAX_FUTURE_MS;
}

const eventSchema = () =>
  strictObject({
    pitchId: uuid(),
    kind: v.literal("view"),
    at: v.optional(
      v.pipe(
        v.string(),
        v.isoTimestamp(),
        // The format allows a few times that Date cannot read (`+01` offsets): those are not valid.
        v.check(
          (at) => isWithinWindow(at, Date.now()),
          (issue) =>
            Number.isNaN(Date.parse(issue.input))
              ? "must be a valid datetime"
              : `must be within the last 24 hours and at most 5 minutes in the future; found ${issue.input}`,
        ),
      ),
    ),
  });

const batchSchema = lazySchema(() =>
  strictObject({
    events: v.pipe(v.array(eventSchema()), atLeast(1), atMost(MAX_EVENTS_PER_BATCH)),
  }),
);

// Atomic per statement (D1 runs a batch as one transaction), so repeats in one batch or in
// concurrent requests are never stored twice; `changes` says whether the view counted.
const INSERT_FIRST_VIEW_OF_DAY = `INSERT INTO events (pitch_id, kind, viewer_key, day, occurred_at)
SELECT ?1, ?2, ?3, ?4, ?5
WHERE NOT EXISTS (SELECT 1 FROM events WHERE pitch_id = ?1 AND kind = ?2 AND day = ?4 AND viewer_key = ?3)`;

export async function recordEvents(c: Context<ServiceEnv>): Promise<Response> {
  const viewer = requireIdentity(c);
  await enforceRateLimit(c, "events", viewer.userId);
  const { events } = await readJson(c, batchSchema);
  const db = c.env.DB;

  const pitchIds = [...new Set(events.map((event) => event.pitchId))];
  const marks = pitchIds.map(() => "?").join(", ");
  const published = await db
    .prepare(`SELECT id, creator_id FROM pitches WHERE status = 'published' AND id IN (${marks})`)
    .bind(...pitchIds)
    .all<{ id: string; creator_id: string }>();
  const ownerOf = new Map(published.results.map((row) => [row.id, row.creator_id]));

  const accepted = events.filter((event) => ownerOf.has(event.pitchId));
  const now = new Date().toISOString();
  const insert = db.prepare(INSERT_FIRST_VIEW_OF_DAY);
  const statements = accepted
    .filter((event) => ownerOf.get(event.pitchId) !== viewer.userId)
    .map((event) => {
      const occurredAt = event.at ? new Date(event.at).toISOString() : now;
      return insert.bind(
        event.pitchId,
        event.kind,
        viewer.userId,
        occurredAt.slice(0, 10),
        occurredAt,
      );
    });
  const results = statements.length > 0 ? await db.batch(statements) : [];
  const counted = results.reduce((sum, result) => sum + result.meta.changes, 0);
  return c.json({ accepted: accepted.length, counted }, 202);
}
