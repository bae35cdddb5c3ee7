// The one question production asks of the creator's table: is this pitch open for offers?

import type { D1Database } from "../../../shared/d1.ts";
import { ApiError } from "../../../shared/errors.ts";

/** Resolves when `pitchId` is a published pitch; a draft and an unknown id both read as 404. */
export async function requirePublishedPitch(db: D1Database, pitchId: string): Promise<void> {
  const row = await db
    .prepare("SELECT 1 AS found FROM pitches WHERE id = ? AND status = 'published'")
    .bind(pitchId)
    .first();
  if (!row) throw new ApiError(404, "not_found", `No published pitch with id ${pitchId}.`);
}
