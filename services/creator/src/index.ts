// The creator worker [owns pitches]: a creator's own pitches (create, edit, publish, list, delete)
// and the offers made on them. Another creator's pitch answers 404, so ids cannot be probed.

import { ApiError } from "../../../shared/errors.ts";
import { createServiceApp } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { decodeTimeIdCursor, pageFrom, pageQuery } from "../../../shared/http/paging.ts";
import { parseWith } from "../../../shared/http/validation.ts";
import { offerFromRow } from "../../../shared/offers.ts";
import { type PitchRow, pitchFromRow } from "../../../shared/pitches.ts";
import {
  deleteOwnPitch,
  findOwnPitch,
  insertPitch,
  listOffersOnPitch,
  listOwnPitches,
  publishOwnPitch,
  updateOwnPitch,
} from "./queries.ts";
import { createPitchBody, type PitchChanges, updatePitchBody } from "./schemas.ts";

const app = createServiceApp("creator");

app.get("/api/creator/pitches", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  const { limit, cursor } = parseWith(pageQuery, c.req.query(), "query");
  const after = decodeTimeIdCursor(cursor);
  const rows = await listOwnPitches(c.env.DB, userId, limit + 1, after);
  return c.json(pageFrom(rows, limit, pitchFromRow, (row) => [row.created_at, row.id]));
});

app.post("/api/creator/pitches", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  const fields = await readJson(c, createPitchBody);
  const row = await insertPitch(c.env.DB, userId, fields);
  if (!row) throw new ApiError(404, "not_found", "Your account no longer exists.");
  return c.json({ pitch: pitchFromRow(row) }, 201);
});

app.get("/api/creator/pitches/:id", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  const row = await findOwnPitch(c.env.DB, userId, c.req.param("id"));
  return c.json({ pitch: pitchFromRow(row ?? notFound()) });
});

app.patch("/api/creator/pitches/:id", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  const id = c.req.param("id");
  const changes = await readJson(c, updatePitchBody);
  const updated = await updateOwnPitch(c.env.DB, userId, id, changes);
  if (updated) return c.json({ pitch: pitchFromRow(updated) });
  // Nothing updated: either the pitch is not the caller's or the budget range would flip.
  const current = (await findOwnPitch(c.env.DB, userId, id)) ?? notFound();
  throw budgetOutOfOrder(changes, current);
});

app.delete("/api/creator/pitches/:id", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  if (!(await deleteOwnPitch(c.env.DB, userId, c.req.param("id")))) notFound();
  return c.body(null, 204);
});

app.post("/api/creator/pitches/:id/publish", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  const row = await publishOwnPitch(c.env.DB, userId, c.req.param("id"));
  return c.json({ pitch: pitchFromRow(row ?? notFound()) });
});

app.get("/api/creator/pitches/:id/offers", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  const { limit, cursor } = parseWith(pageQuery, c.req.query(), "query");
  const after = decodeTimeIdCursor(cursor);
  const pitch = (await findOwnPitch(c.env.DB, userId, c.req.param("id"))) ?? notFound();
  const rows = await listOffersOnPitch(c.env.DB, pitch.id, limit + 1, after);
  return c.json(pageFrom(rows, limit, offerFromRow, (row) => [row.created_at, row.id]));
});

function notFound(): never {
  throw new ApiError(404, "not_found", "No pitch of yours has this id.");
}

function budgetOutOfOrder(changes: PitchChanges, current: PitchRow): ApiError {
  const message =
    changes.budgetMin === undefined
      ? `body.budgetMax must be at least the pitch's budgetMin (${current.budget_min})`
      : `body.budgetMin must be at most the pitch's budgetMax (${current.budget_max})`;
  return new ApiError(400, "invalid_request", message);
}

export default app;
