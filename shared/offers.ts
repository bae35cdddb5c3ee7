// Offers as every worker sees them: the row as stored in D1 and the mapper to the API shape of
// docs/api.md. production owns the table; creator reads the offers on its own pitches.

import { type Camelized, camelCaseMapper, type RowMapper } from "./rows.ts";

export const OFFER_STATUSES = ["pending", "accepted", "declined"] as const;

export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** An `offers` row as D1 returns it for `SELECT ${OFFER_COLUMNS}`. */
export interface OfferRow {
  id: string;
  pitch_id: string;
  production_id: string;
  amount: number;
  terms: string;
  status: OfferStatus;
  created_at: string;
  decided_at: string | null;
}

/** An offer as the API answers it. */
export type Offer = Camelized<OfferRow>;

/** The select list that yields an OfferRow: `SELECT ${OFFER_COLUMNS} FROM offers`. */
export const OFFER_COLUMNS =
  "id, pitch_id, production_id, amount, terms, status, created_at, decided_at";

export const offerFromRow: RowMapper<OfferRow> = camelCaseMapper(OFFER_COLUMNS);
