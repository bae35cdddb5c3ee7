// POST /api/analytics/events: records a batch of pitch views for the signed-in viewer. Views of
// pitches that are not published (or do not exist) are dropped, so `accepted` counts what was kept.

import type { Context } from "hono";
import * as z from "zod/mini";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";

/** Most events one request may carry; D1 also caps bound parameters per statement at 100. */
export const MAX_EVENTS_PER_BATCH = 100;

/** How far ahead of the server's clock a client's `at` may be. */
const CLOCK_SKEW_MS = 60_000;

const eventSchema = z.strictObject({
  pitchId: z.uuid(),
  kind: z.literal("view"),
  at: z.optional(
    z.iso.datetime({ offset: true }).check(
      // Written so an unparsable time fails only the format check above.
      z.refine((at) => !(Date.parse(at) > Date.now() + CLOCK_SKEW_MS), {
        message: "must not be more than a minute in the future",
      }),
    ),
  ),
});

const batchSchema = z.strictObject({
  events: z.array(eventSchema).check(z.minLength(1), z.maxLength(MAX_EVENTS_PER_BATCH)),
});

export async function recordEvents(c: Context<ServiceEnv>): Promise<Response> {
  const viewer = requireIdentity(c);
  const { events } = await readJson(c, batchSchema);
  const db = c.env.DB;

  const pitchIds = [...new Set(events.map((event) => event.pitchId))];
  const marks = pitchIds.map(() => "?").join(", ");
  const published = await db
    .prepare(`SELECT id FROM pitches WHERE status = 'published' AND id IN (${marks})`)
    .bind(...pitchIds)
    .all<{ id: string }>();
  const known = new Set(published.results.map((row) => row.id));

  const now = new Date().toISOString();
  const insert = db.prepare(
    "INSERT INTO events (pitch_id, kind, viewer_key, day, occurred_at) VALUES (?, ?, ?, ?, ?)",
  );
  const statements = events
    .filter((event) => known.has(event.pitchId))
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
  if (statements.length > 0) await db.batch(statements);
  return c.json({ accepted: statements.length }, 202);
}
