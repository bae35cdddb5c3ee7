// Messaging between users (not migrated yet, monolith only): send, list your conversations,
// and mark a received message read.

import type { Context } from "hono";
import * as v from "valibot";
import type { D1Database } from "../../../shared/d1.ts";
import { ApiError } from "../../../shared/errors.ts";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { newestFirstPage, pageQueryFields } from "../../../shared/http/paging.ts";
import {
  lazySchema,
  type Output,
  parseWith,
  queryObject,
  strictObject,
  text,
  uuid,
} from "../../../shared/http/validation.ts";
import { camelCaseMapper, type RowMapper } from "../../../shared/rows.ts";

export const messageInput = lazySchema(() =>
  strictObject({
    recipientId: uuid(),
    body: text(1, 5000),
    pitchId: v.optional(uuid()),
  }),
);

const listQuery = lazySchema(() => queryObject({ ...pageQueryFields(), with: v.optional(uuid()) }));

interface MessageRow {
  id: string;
  sender_id: string;
  recipient_id: string;
  pitch_id: string | null;
  body: string;
  created_at: string;
  read_at: string | null;
}

const MESSAGE_COLUMNS = "id, sender_id, recipient_id, pitch_id, body, created_at, read_at";

const messageFromRow: RowMapper<MessageRow> = camelCaseMapper(MESSAGE_COLUMNS);

export async function sendMessage(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c);
  const message = await storeMessage(c.env.DB, userId, await readJson(c, messageInput));
  return c.json({ message }, 201);
}

/** Checks and stores one message from `userId` (the HTTP route and the live channel). */
export async function storeMessage(
  db: D1Database,
  userId: string,
  input: Output<typeof messageInput>,
): Promise<ReturnType<typeof messageFromRow>> {
  if (input.recipientId === userId) {
    throw new ApiError(400, "invalid_request", "body.recipientId must be someone other than you");
  }
  const [recipient, pitch] = await db.batch([
    db.prepare("SELECT 1 AS found FROM users WHERE id = ?").bind(input.recipientId),
    db.prepare("SELECT 1 AS found FROM pitches WHERE id = ?").bind(input.pitchId ?? ""),
  ]);
  if (!recipient?.results.length) {
    throw new ApiError(404, "not_found", `No user with id ${input.recipientId}.`);
  }
  if (input.pitchId && !pitch?.results.length) {
    throw new ApiError(404, "not_found", `No pitch with id ${input.pitchId}.`);
  }
  const row: MessageRow = {
    id: crypto.randomUUID(),
    sender_id: userId,
    recipient_id: input.recipientId,
    pitch_id: input.pitchId ?? null,
    body: input.body,
    created_at: new Date().toISOString(),
    read_at: null,
  };
  await db
    .prepare(`INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`)
    .bind(row.id, row.sender_id, row.recipient_id, row.pitch_id, row.body, row.created_at, null)
    .run();
  return messageFromRow(row);
}

/** Messages the caller sent or received (only those with `?with=` when given), newest first. */
export async function listMessages(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c);
  const query = parseWith(listQuery, c.req.query(), "query");
  const between = query.with
    ? "((sender_id = ? AND recipient_id = ?) OR (sender_id = ? AND recipient_id = ?))"
    : "(sender_id = ? OR recipient_id = ?)";
  const people = query.with ? [userId, query.with, query.with, userId] : [userId, userId];
  const sql = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE ${between}`;
  return c.json(await newestFirstPage(c.env.DB, query, sql, people, messageFromRow));
}

/** Marks a received message read; reading it again keeps the first `readAt`. */
export async function markRead(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c);
  const id = c.req.param("id") ?? "";
  const row = await c.env.DB.prepare(
    `UPDATE messages SET read_at = COALESCE(read_at, ?) WHERE id = ? AND recipient_id = ? RETURNING ${MESSAGE_COLUMNS}`,
  )
    .bind(new Date().toISOString(), id, userId)
    .first<MessageRow>();
  if (!row) throw new ApiError(404, "not_found", `No message ${id} sent to you.`);
  return c.json({ message: messageFromRow(row) });
}
