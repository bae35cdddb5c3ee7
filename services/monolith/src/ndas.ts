// NDA requests (not migrated yet, monolith only): investors and production companies ask for one
// on a published pitch; the pitch's creator signs or declines it.

import type { Context } from "hono";
import { ApiError } from "../../../shared/errors.ts";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { newestFirstPage, pageQuery } from "../../../shared/http/paging.ts";
import { lazySchema, parseWith, strictObject, uuid } from "../../../shared/http/validation.ts";
import { requirePublishedPitch } from "../../../shared/pitches.ts";
import { camelCaseMapper, type RowMapper } from "../../../shared/rows.ts";

const ndaInput = lazySchema(() => strictObject({ pitchId: uuid() }));

interface NdaRow {
  id: string;
  pitch_id: string;
  requester_id: string;
  owner_id: string;
  status: "requested" | "signed" | "declined";
  created_at: string;
  decided_at: string | null;
}

const NDA_COLUMNS = "id, pitch_id, requester_id, owner_id, status, created_at, decided_at";

const ndaFromRow: RowMapper<NdaRow> = camelCaseMapper(NDA_COLUMNS);

export async function requestNda(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c, "investor", "production");
  const { pitchId } = await readJson(c, ndaInput);
  const db = c.env.DB;
  const pitch = await requirePublishedPitch(db, pitchId);
  const row: NdaRow = {
    id: crypto.randomUUID(),
    pitch_id: pitchId,
    requester_id: userId,
    owner_id: pitch.creator_id,
    status: "requested",
    created_at: new Date().toISOString(),
    decided_at: null,
  };
  const inserted = await db
    .prepare(
      "INSERT INTO ndas (id, pitch_id, requester_id, owner_id, status, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(row.id, row.pitch_id, row.requester_id, row.owner_id, row.status, row.created_at)
    .run();
  if (inserted.meta.changes === 0) {
    throw new ApiError(409, "conflict", `You already requested an NDA for pitch ${pitchId}.`);
  }
  return c.json({ nda: ndaFromRow(row) }, 201);
}

/** NDAs the caller asked for or must decide on, newest first. */
export async function listNdas(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c);
  const page = parseWith(pageQuery, c.req.query(), "query");
  const sql = `SELECT ${NDA_COLUMNS} FROM ndas WHERE (requester_id = ? OR owner_id = ?)`;
  return c.json(await newestFirstPage(c.env.DB, page, sql, [userId, userId], ndaFromRow));
}

/** POST /api/nda/requests/:id/sign or /decline, by the owner of the pitch. */
export function decideNda(decision: "signed" | "declined") {
  return async (c: Context<ServiceEnv>): Promise<Response> => {
    const { userId } = requireIdentity(c, "creator");
    const id = c.req.param("id") ?? "";
    const db = c.env.DB;
    const current = await db
      .prepare("SELECT status FROM ndas WHERE id = ? AND owner_id = ?")
      .bind(id, userId)
      .first<{ status: string }>();
    if (!current)
      throw new ApiError(404, "not_found", `No NDA request ${id} on any of your pitches.`);
    const decided = await db
      .prepare(
        `UPDATE ndas SET status = ?, decided_at = ? WHERE id = ? AND status = 'requested' RETURNING ${NDA_COLUMNS}`,
      )
      .bind(decision, new Date().toISOString(), id)
      .first<NdaRow>();
    if (!decided) {
      throw new ApiError(
        409,
        "conflict",
        `NDA request ${id} is already ${current.status === "requested" ? "decided" : current.status}; only a pending request can be signed or declined.`,
      );
    }
    return c.json({ nda: ndaFromRow(decided) });
  };
}
