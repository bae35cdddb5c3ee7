// The one question the investor service asks of the creator's table: which published pitch is this?

import type { D1Database } from "../../../shared/d1.ts";
import { ApiError } from "../../../shared/errors.ts";
import { PITCH_COLUMNS, type PitchRow } from "../../../shared/pitches.ts";

/** The published pitch `pitchId`; a draft and an unknown id both read as 404. */
export async function requirePublishedPitch(db: D1Database, pitchId: string): Promise<PitchRow> {
  const row = await db
    .prepare(`SELECT ${PITCH_COLUMNS} FROM pitches WHERE id = ? AND status = 'published'`)
    .bind(pitchId)
    .first<PitchRow>();
  if (!row) throw new ApiError(404, "not_found", `No published pitch with id ${pitchId}.`);
  return row;
}
