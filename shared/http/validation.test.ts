// Every sentence a worker answers a bad field with, from valibot's issues: the one error shape
// clients read (`invalid_request`, each bad field named once).

import { resolve } from "node:path";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { workerLinesMatching } from "../../test/support/worker-sources.ts";
import { ApiError } from "../errors.ts";
import {
  atLeast,
  atMost,
  integer,
  type LazySchema,
  lazySchema,
  parseWith,
  queryInteger,
  queryObject,
  strictObject,
  text,
  uuid,
} from "./validation.ts";

const body = lazySchema(() =>
  strictObject({
    title: text(1, 5),
    count: v.optional(v.pipe(integer(), atLeast(1), atMost(9))),
    kind: v.optional(v.picklist(["a", "b"])),
    id: v.optional(uuid()),
    email: v.optional(v.pipe(v.string(), v.email())),
    at: v.optional(v.pipe(v.string(), v.isoTimestamp())),
    tags: v.optional(v.pipe(v.array(v.string()), atLeast(1), atMost(2))),
    pair: v.optional(v.strictTuple([v.string()])),
    view: v.optional(v.literal("view")),
  }),
);

function messageOf(value: unknown, schema: LazySchema = body): string {
  try {
    parseWith(schema, value, "body");
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).code).toBe("invalid_request");
    return (error as ApiError).message;
  }
  throw new Error(`${JSON.stringify(value)} passed`);
}

describe("parseWith", () => {
  it.each([
    [{}, "body.title is required"],
    [{ title: 1 }, "body.title must be a string"],
    [{ title: "  " }, "body.title must be at least 1 character"],
    [{ title: "toolong" }, "body.title must be at most 5 characters"],
    [{ title: "t", count: "2" }, "body.count must be a number"],
    [{ title: "t", count: 1.5 }, "body.count must be an integer"],
    [{ title: "t", count: 0 }, "body.count must be at least 1"],
    [{ title: "t", count: 10 }, "body.count must be at most 9"],
    [{ title: "t", kind: "c" }, 'body.kind must be one of "a", "b"'],
    [{ title: "t", view: "click" }, 'body.view must be one of "view"'],
    [{ title: "t", id: "nope" }, "body.id must be a valid uuid"],
    [{ title: "t", email: "nope" }, "body.email must be a valid email"],
    [{ title: "t", at: "yesterday" }, "body.at must be a valid datetime"],
    [{ title: "t", tags: "x" }, "body.tags must be an array"],
    [{ title: "t", tags: [] }, "body.tags must have at least 1 item"],
    [{ title: "t", tags: ["a", "b", "c"] }, "body.tags must have at most 2 items"],
    [{ title: "t", tags: [1] }, "body.tags.0 must be a string"],
    [{ title: "t", pair: ["a", "b"] }, "body.pair.1 is not a known item"],
    [[1], "body must be an object"],
    ["x", "body must be an object"],
    [null, "body must be an object"],
  ])("%j → %s", (value, message) => {
    expect(messageOf(value)).toBe(message);
  });

  it("names every unknown field and every bad one in one answer", () => {
    expect(messageOf({ title: "", isAdmin: true, role: "x" })).toBe(
      "body.title must be at least 1 character; body.isAdmin is not a known field; body.role is not a known field",
    );
  });

  it("says a bound of one in the singular", () => {
    const one = lazySchema(() => strictObject({ code: v.pipe(v.string(), atMost(1)) }));
    expect(messageOf({ code: "ab" }, one)).toBe("body.code must be at most 1 character");
    const pair = lazySchema(() => strictObject({ tags: v.pipe(v.array(v.string()), atMost(1)) }));
    expect(messageOf({ tags: ["a", "b"] }, pair)).toBe("body.tags must have at most 1 item");
  });

  it("returns the trimmed output, and reads query strings with defaults", () => {
    expect(parseWith(body, { title: " t " }, "body")).toEqual({ title: "t" });
    const query = lazySchema(() => queryObject({ limit: queryInteger(1, 50, 20) }));
    expect(parseWith(query, {}, "query")).toEqual({ limit: 20 });
    expect(parseWith(query, { limit: "7", other: "x" }, "query").limit).toBe(7);
    expect(() => parseWith(query, { limit: "abc" }, "query")).toThrow(
      "query.limit must be a number",
    );
    expect(() => parseWith(query, { limit: "1.5" }, "query")).toThrow(
      "query.limit must be an integer",
    );
  });

  it("is the one way the workers bound a size: valibot's own bounds would answer 'is invalid'", () => {
    const root = resolve(import.meta.dirname, "../..");
    const bounds = /\bv\.(?:minValue|maxValue|minLength|maxLength)\(/;
    const found = workerLinesMatching(root, bounds);
    expect(found, "use atLeast/atMost from shared/http/validation.ts (same sentences)").toEqual([]);
  });

  it("builds a schema once, on first use", () => {
    let builds = 0;
    const counted = lazySchema(() => {
      builds += 1;
      return v.string();
    });
    expect(builds).toBe(0);
    parseWith(counted, "a", "body");
    parseWith(counted, "b", "body");
    expect(builds).toBe(1);
  });
});
