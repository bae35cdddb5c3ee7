import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.ts";
import {
  decodeCursor,
  decodeTimeIdCursor,
  encodeCursor,
  newestFirstAfter,
  pageFrom,
  pageQuery,
} from "./paging.ts";
import { parseWith } from "./validation.ts";

describe("pageQuery", () => {
  it("defaults limit to 20 and reads it from the query string", () => {
    expect(parseWith(pageQuery, {}, "query")).toEqual({ limit: 20 });
    expect(parseWith(pageQuery, { limit: "1", cursor: "abc" }, "query")).toEqual({
      limit: 1,
      cursor: "abc",
    });
  });

  it.each([
    ["0", "query.limit must be at least 1"],
    ["51", "query.limit must be at most 50"],
    ["2.5", "query.limit must be an integer"],
    ["ten", "query.limit must be a number"],
  ])("refuses limit=%s", (limit, message) => {
    expect(() => parseWith(pageQuery, { limit }, "query")).toThrow(message);
  });
});

describe("cursors", () => {
  it("round-trip any JSON position, unicode included, as base64url", () => {
    const position = ["2025-01-01T00:00:00.000Z", "é/+?"];
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTimeIdCursor(cursor)).toEqual(position);
  });

  it.each([
    ["not base64url", "a+b"],
    ["not JSON", encodeCursor("x").slice(0, 2)],
    ["the wrong shape", encodeCursor({ offset: 3 })],
    ["padding junk", "===="],
  ])("refuse %s with a 400 naming query.cursor", (_, cursor) => {
    try {
      decodeTimeIdCursor(cursor);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ status: 400, code: "invalid_request" });
      expect((error as ApiError).message).toMatch(/^query\.cursor /);
    }
  });
});

describe("decodeTimeIdCursor", () => {
  it("reads no cursor as the first page and a cursor as its [time, id] position", () => {
    expect(decodeTimeIdCursor(undefined)).toBeUndefined();
    const position = ["2025-01-01T00:00:00.000Z", "b"];
    expect(decodeTimeIdCursor(encodeCursor(position))).toEqual(position);
    expect(() => decodeTimeIdCursor(encodeCursor({ offset: 3 }))).toThrow(/^query\.cursor /);
  });

  it.each([
    ["one item", ["2025-01-01T00:00:00.000Z"]],
    ["three items", ["2025-01-01T00:00:00.000Z", "b", "c"]],
    ["a number for the time", [1735689600000, "b"]],
    ["a number for the id", ["2025-01-01T00:00:00.000Z", 7]],
    ["a time over 64 characters", ["x".repeat(65), "b"]],
    ["an id over 128 characters", ["2025-01-01T00:00:00.000Z", "x".repeat(129)]],
  ])("refuses a position with %s", (_, position) => {
    expect(() => decodeTimeIdCursor(encodeCursor(position))).toThrow(/^query\.cursor /);
  });

  it("takes the longest time and id it allows", () => {
    const position = ["x".repeat(64), "y".repeat(128)];
    expect(decodeTimeIdCursor(encodeCursor(position))).toEqual(position);
  });
});

describe("pageFrom", () => {
  const toItem = (n: number) => ({ n });
  const positionOf = (n: number) => ({ after: n });

  it("drops the look-ahead row and points the cursor after the last row shown", () => {
    const page = pageFrom([1, 2, 3], 2, toItem, positionOf);
    expect(page.items).toEqual([{ n: 1 }, { n: 2 }]);
    expect(decodeCursor(page.nextCursor!, () => v.object({ after: v.number() }))).toEqual({
      after: 2,
    });
  });

  it("has no cursor on the last page", () => {
    expect(pageFrom([1, 2], 2, toItem, positionOf)).toEqual({
      items: [{ n: 1 }, { n: 2 }],
      nextCursor: null,
    });
    expect(pageFrom([], 2, toItem, positionOf)).toEqual({ items: [], nextCursor: null });
  });
});

describe("newestFirstAfter", () => {
  it("adds nothing on the first page", () => {
    expect(newestFirstAfter(undefined)).toEqual({ sql: "", values: [] });
  });

  it("continues strictly after the last row's time, then id, on the named columns", () => {
    expect(
      newestFirstAfter(["2025-01-01T00:00:00.000Z", "b"], "w.created_at", "w.pitch_id"),
    ).toEqual({
      sql: "AND (w.created_at < ? OR (w.created_at = ? AND w.pitch_id < ?))",
      values: ["2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z", "b"],
    });
  });
});
