// GET /api/investor/portfolio: per pitch the caller invested in, whether they recorded interest and
// how much they committed, plus the grand total. Not paged: one row per pitch, summed in SQL.

import type { Context } from "hono";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { type PitchRow, pitchColumnsOf, pitchFromRow } from "../../../shared/pitches.ts";

type HoldingRow = PitchRow & { interest: number; committed: number };

export async function portfolio(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "investor");
  const rows = await c.env.DB.prepare(
    `SELECT ${pitchColumnsOf("p")},
       MAX(i.kind = 'interest') AS interest,
       COALESCE(SUM(CASE WHEN i.kind = 'commitment' THEN i.amount END), 0) AS committed
     FROM investments i JOIN pitches p ON p.id = i.pitch_id
     WHERE i.investor_id = ?
     GROUP BY p.id
     ORDER BY MAX(i.created_at) DESC, p.id DESC`,
  )
    .bind(userId)
    .all<HoldingRow>();
  const items = rows.results.map((row) => ({
    pitch: pitchFromRow(row),
    interest: row.interest === 1,
    committed: row.committed,
  }));
  const totalCommitted = items.reduce((sum, item) => sum + item.committed, 0);
  return c.json({ items, totalCommitted });
}
