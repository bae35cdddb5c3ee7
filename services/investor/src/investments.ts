// An investor's interest in and commitments to published pitches. Each POST is a new record; the
// portfolio sums them per pitch.

import type { Context } from "hono";
import * as v from "valibot";
import { ApiError } from "../../../shared/errors.ts";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { newestFirstPage, pageQuery } from "../../../shared/http/paging.ts";
import {
  atLeast,
  atMost,
  integer,
  lazySchema,
  parseWith,
  strictObject,
  text,
  uuid,
} from "../../../shared/http/validation.ts";
import { MAX_BUDGET, requirePublishedPitch } from "../../../shared/pitches.ts";
import { camelCaseMapper, type RowMapper } from "../../../shared/rows.ts";

export const INVESTMENT_KINDS = ["interest", "commitment"] as const;

const newInvestment = lazySchema(() =>
  strictObject({
    pitchId: uuid(),
    kind: v.picklist(INVESTMENT_KINDS),
    amount: v.optional(v.pipe(integer(), atLeast(1), atMost(MAX_BUDGET))),
    note: v.optional(text(1, 1000)),
  }),
);

interface InvestmentRow {
  id: string;
  investor_id: string;
  pitch_id: string;
  kind: (typeof INVESTMENT_KINDS)[number];
  amount: number | null;
  note: string | null;
  created_at: string;
}

const INVESTMENT_COLUMNS = "id, investor_id, pitch_id, kind, amount, note, created_at";

const investmentFromRow: RowMapper<InvestmentRow> = camelCaseMapper(INVESTMENT_COLUMNS);

/** The caller's investments, newest first. */
export async function listInvestments(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "investor");
  const page = parseWith(pageQuery, c.req.query(), "query");
  const sql = `SELECT ${INVESTMENT_COLUMNS} FROM investments WHERE investor_id = ?`;
  return c.json(await newestFirstPage(c.env.DB, page, sql, [userId], investmentFromRow));
}

export async function createInvestment(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "investor");
  const input = await readJson(c, newInvestment);
  // Checked here rather than in the schema so the message names the field and the rule.
  if (input.kind === "commitment" && input.amount === undefined) {
    throw new ApiError(400, "invalid_request", "body.amount is required when kind is commitment");
  }
  if (input.kind === "interest" && input.amount !== undefined) {
    throw new ApiError(
      400,
      "invalid_request",
      "body.amount is only for commitments; leave it out when kind is interest",
    );
  }
  await requirePublishedPitch(c.env.DB, input.pitchId);
  const row: InvestmentRow = {
    id: crypto.randomUUID(),
    investor_id: userId,
    pitch_id: input.pitchId,
    kind: input.kind,
    amount: input.amount ?? null,
    note: input.note ?? null,
    created_at: new Date().toISOString(),
  };
  await c.env.DB.prepare(
    `INSERT INTO investments (${INVESTMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(row.id, row.investor_id, row.pitch_id, row.kind, row.amount, row.note, row.created_at)
    .run();
  return c.json({ investment: investmentFromRow(row) }, 201);
}
