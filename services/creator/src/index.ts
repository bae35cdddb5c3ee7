// The creator worker [owns pitches]: a creator's own pitches (create, edit, publish, list, archive,
// delete) and the offers made on them. Another creator's pitch answers 404, so ids cannot be
// probed. Why a pitch others depend on is archived rather than deleted: README.md.

import { ApiError, errorBody } from "../../../shared/errors.ts";
import { createServiceApp } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { decodeTimeIdCursor, pageFrom, pageQuery } from "../../../shared/http/paging.ts";
import { parseWith } from "../../../shared/http/validation.ts";
import { offerFromRow } from "../../../shared/offers.ts";
import { type PitchRow, pitchFromRow } from "../../../shared/pitches.ts";
import {
  archiveOwnPitch,
  type DependantCounts,
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
  const id = c.req.param("id");
  const outcome = await deleteOwnPitch(c.env.DB, userId, id);
  if (outcome.kind === "not_found") notFound();
  if (outcome.kind === "deleted") return c.body(null, 204);
  const message = dependedOnMessage(id, outcome.dependants);
  const { dependants } = outcome;
  return c.json({ ...errorBody("conflict", message, c.get("requestId")), dependants }, 409);
});

app.post("/api/creator/pitches/:id/archive", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  const row = await archiveOwnPitch(c.env.DB, userId, c.req.param("id"));
  return c.json({ pitch: pitchFromRow(row ?? notFound()) });
});

app.post("/api/creator/pitches/:id/publish", async (c) => {
  const { userId } = requireIdentity(c, "creator");
  const id = c.req.param("id");
  const row = await publishOwnPitch(c.env.DB, userId, id);
  if (row) return c.json({ pitch: pitchFromRow(row) });
  // Nothing published: either the pitch is not the caller's or it is archived.
  (await findOwnPitch(c.env.DB, userId, id)) ?? notFound();
  throw new ApiError(
    409,
    "conflict",
    `Pitch ${id} is archived; an archived pitch stays unpublished, so create a new pitch instead.`,
  );
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

const DEPENDANT_NAMES: Record<keyof DependantCounts, [string, string]> = {
  commitments: ["commitment", "commitments"],
  interests: ["recorded interest", "recorded interests"],
  acceptedOffers: ["accepted offer", "accepted offers"],
  pendingOffers: ["pending offer", "pending offers"],
  ndas: ["NDA", "NDAs"],
};

/** `… while others depend on it (1 commitment and 1 accepted offer); archive it instead …`. */
function dependedOnMessage(id: string, dependants: DependantCounts): string {
  const parts = Object.entries(DEPENDANT_NAMES)
    .map(([kind, [one, many]]) => [dependants[kind as keyof DependantCounts], one, many] as const)
    .filter(([count]) => count > 0)
    .map(([count, one, many]) => `${count} ${count === 1 ? one : many}`);
  const listed =
    parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : parts[0];
  return `Pitch ${id} cannot be deleted while others depend on it (${listed}); archive it instead with POST /api/creator/pitches/${id}/archive.`;
}

function budgetOutOfOrder(changes: PitchChanges, current: PitchRow): ApiError {
  const message =
    changes.budgetMin === undefined
      ? `body.budgetMax must be at least the pitch's budgetMin (${current.budget_min})`
      : `body.budgetMin must be at most the pitch's budgetMax (${current.budget_max})`;
  return new ApiError(400, "invalid_request", message);
}

export default app;
