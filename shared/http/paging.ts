// List paging shared by every service: the `limit`/`cursor` query fields, opaque cursors
// (base64url of JSON, so clients cannot depend on what is inside) and the page answer shape.

import * as v from "valibot";
import { fromBase64Url, toBase64Url } from "../base64url.ts";
import type { D1Database } from "../d1.ts";
import { ApiError } from "../errors.ts";
import {
  atLeast,
  atMost,
  type LazySchema,
  lazySchema,
  queryInteger,
  queryObject,
  type Schema,
  validate,
} from "./validation.ts";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 50;
/** Longest cursor accepted; ours are far shorter, so anything longer is not ours. */
export const MAX_CURSOR_LENGTH = 512;

/** Query fields of every list; spread into a service's own query schema to add filters. */
export const pageQueryFields = () => ({
  limit: queryInteger(1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE),
  cursor: v.optional(v.pipe(v.string(), atLeast(1), atMost(MAX_CURSOR_LENGTH))),
});

/** `?limit=` (1-50, default 20) and `?cursor=`; other query fields are ignored. */
export const pageQuery = lazySchema(() => queryObject(pageQueryFields()));

/**
 * The position after a row in a list ordered by a time column then id, both descending:
 * `[time, id]` of the last row shown.
 */
export type TimeIdPosition = [time: string, id: string];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(position: unknown): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(position)));
}

/** Reads a cursor this service issued; anything else is a 400 naming `query.cursor`. */
export function decodeCursor<S extends Schema>(
  cursor: string,
  schema: LazySchema<S>,
): v.InferOutput<S> {
  const result = validate(schema, readCursorJson(cursor));
  if (!result.success) throw badCursor();
  return result.output;
}

/** The `[time, id]` position a newest-first list continues after; undefined on the first page. */
export function decodeTimeIdCursor(cursor: string | undefined): TimeIdPosition | undefined {
  if (cursor === undefined) return undefined;
  const position = readCursorJson(cursor);
  // Checked by hand: a cursor is ours or not, with no field to name, so no schema is needed.
  if (isTimeIdPosition(position)) return position;
  throw badCursor();
}

const isTimeIdPosition = (value: unknown): value is TimeIdPosition =>
  Array.isArray(value) &&
  value.length === 2 &&
  typeof value[0] === "string" &&
  value[0].length <= 64 &&
  typeof value[1] === "string" &&
  value[1].length <= 128;

/**
 * Builds a page from rows fetched with `LIMIT limit + 1`: the extra row only says that more
 * follow, and the cursor points after the last row shown.
 */
export function pageFrom<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  positionOf: (last: Row) => unknown,
): Page<Item> {
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  const nextCursor =
    rows.length > limit && last !== undefined ? encodeCursor(positionOf(last)) : null;
  return { items: shown.map(toItem), nextCursor };
}

function readCursorJson(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
  try {
    const bytes = fromBase64Url(cursor);
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw badCursor();
  }
}

function badCursor(): ApiError {
  return new ApiError(
    400,
    "invalid_request",
    "query.cursor is not a cursor this list gave out; drop it to start from the first page.",
  );
}

/**
 * The condition and values that continue a newest-first list after `after`:
 * `AND (time < ? OR (time = ? AND id < ?))`, or nothing on the first page.
 */
export function newestFirstAfter(
  after: TimeIdPosition | undefined,
  timeColumn = "created_at",
  idColumn = "id",
): { sql: string; values: string[] } {
  if (!after) return { sql: "", values: [] };
  return {
    sql: `AND (${timeColumn} < ? OR (${timeColumn} = ? AND ${idColumn} < ?))`,
    values: [after[0], after[0], after[1]],
  };
}

/** How a newest-first list is ordered in SQL, and where a row carries that position. */
export interface NewestFirstOrder<Row> {
  time: string;
  id: string;
  positionOf: (last: Row) => TimeIdPosition;
}

const BY_CREATED_AT: NewestFirstOrder<{ created_at: string; id: string }> = {
  time: "created_at",
  id: "id",
  positionOf: (last) => [last.created_at, last.id],
};

/**
 * One page of a newest-first list. `sql` is `SELECT … FROM … WHERE <conditions>` for `values`;
 * the cursor condition, the order and `LIMIT limit + 1` are added here.
 */
export async function newestFirstPage<Row extends { created_at: string; id: string }, Item>(
  db: D1Database,
  page: { limit: number; cursor?: string | undefined },
  sql: string,
  values: unknown[],
  toItem: (row: Row) => Item,
  order: NewestFirstOrder<Row> = BY_CREATED_AT,
): Promise<Page<Item>> {
  const after = newestFirstAfter(decodeTimeIdCursor(page.cursor), order.time, order.id);
  const rows = await db
    .prepare(`${sql} ${after.sql} ORDER BY ${order.time} DESC, ${order.id} DESC LIMIT ?`)
    .bind(...values, ...after.values, page.limit + 1)
    .all<Row>();
  return pageFrom(rows.results, page.limit, toItem, order.positionOf);
}
