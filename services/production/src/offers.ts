// Offers from production companies: make one on a published pitch, list your own, and, as the
// pitch's creator, accept or decline one that is still pending.

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
import { OFFER_COLUMNS, type OfferRow, offerFromRow } from "../../../shared/offers.ts";
import { MAX_BUDGET, requirePublishedPitch } from "../../../shared/pitches.ts";

const newOffer = lazySchema(() =>
  strictObject({
    pitchId: uuid(),
    amount: v.pipe(integer(), atLeast(1), atMost(MAX_BUDGET)),
    terms: text(1, 2000),
  }),
);

export async function createOffer(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "production");
  const input = await readJson(c, newOffer);
  await requirePublishedPitch(c.env.DB, input.pitchId);
  const row: OfferRow = {
    id: crypto.randomUUID(),
    pitch_id: input.pitchId,
    production_id: userId,
    amount: input.amount,
    terms: input.terms,
    status: "pending",
    created_at: new Date().toISOString(),
    decided_at: null,
  };
  await c.env.DB.prepare(
    "INSERT INTO offers (id, pitch_id, production_id, amount, terms, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(
      row.id,
      row.pitch_id,
      row.production_id,
      row.amount,
      row.terms,
      row.status,
      row.created_at,
    )
    .run();
  return c.json({ offer: offerFromRow(row) }, 201);
}

/** The caller's offers, newest first. */
export async function listOwnOffers(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "production");
  const page = parseWith(pageQuery, c.req.query(), "query");
  const sql = `SELECT ${OFFER_COLUMNS} FROM offers WHERE production_id = ?`;
  return c.json(await newestFirstPage(c.env.DB, page, sql, [userId], offerFromRow));
}

/** POST /api/production/offers/:id/accept or /decline, by the creator who owns the pitch. */
export function decideOffer(decision: "accepted" | "declined") {
  return async (c: Context<ServiceEnv>): Promise<Response> => {
    const { userId } = requireIdentity(c, "creator");
    const offerId = c.req.param("id") ?? "";
    const db = c.env.DB;
    const current = await db
      .prepare(
        "SELECT o.status FROM offers o JOIN pitches p ON p.id = o.pitch_id WHERE o.id = ? AND p.creator_id = ?",
      )
      .bind(offerId, userId)
      .first<{ status: string }>();
    if (!current) {
      throw new ApiError(404, "not_found", `No offer with id ${offerId} on any of your pitches.`);
    }
    // The status guard in the UPDATE settles two decisions racing on the same offer.
    const decided = await db
      .prepare(
        `UPDATE offers SET status = ?, decided_at = ? WHERE id = ? AND status = 'pending' RETURNING ${OFFER_COLUMNS}`,
      )
      .bind(decision, new Date().toISOString(), offerId)
      .first<OfferRow>();
    if (!decided) {
      throw new ApiError(
        409,
        "conflict",
        `Offer ${offerId} is already ${current.status === "pending" ? "decided" : current.status}; only a pending offer can be accepted or declined.`,
      );
    }
    return c.json({ offer: offerFromRow(decided) });
  };
}
