// GET /api/investor/portfolio: per pitch the caller invested in, whether they recorded interest and
// how much they committed, plus the grand total. Not paged: one row per pitch, summed in SQL.
// Built from the investments (a LEFT JOIN), so the total counts every commitment: an archived
// pitch is still there, and a pitch gone from D1 (deleted by an old monolith) shows `pitch: null`.

import type { Context } from "hono";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { type PitchRow, pitchColumnsOf, pitchFromRow } from "../../../shared/pitches.ts";

/** The pitch columns are all null when the pitch no longer exists. */
type HoldingRow = PitchRow & { pitch_id: string; interest: number; committed: number };

export async function portfolio(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "investor");
  const rows = await c.env.DB.prepare(
    `SELECT ${pitchColumnsOf("p")}, i.pitch_id AS pitch_id,
       MAX(i.kind = 'interest') AS interest,
       COALESCE(SUM(CASE WHEN i.kind = 'commitment' THEN i.amount END), 0) AS committed
     FROM investments i LEFT JOIN pitches p ON p.id = i.pitch_id
     WHERE i.investor_id = ?
     GROUP BY i.pitch_id
     ORDER BY MAX(i.created_at) DESC, i.pitch_id DESC`,
  )
    .bind(userId)
    .all<HoldingRow>();
  const items = rows.results.map((row) => ({
    pitchId: row.pitch_id,
    pitch: row.id === null ? null : pitchFromRow(row),
    interest: row.interest === 1,
    committed: row.committed,
  }));
  const totalCommitted = items.reduce((sum, item) => sum + item.committed, 0);
  return c.json({ items, totalCommitted });
}
