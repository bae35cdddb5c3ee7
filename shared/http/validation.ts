// What the workers accept, and one readable sentence per bad field, e.g. `body.title must be at
// least 1 character`, so a client learns which field to fix. Schemas use valibot, built on first
// use: a worker's start-up pays for neither a validation library's set-up (zod/mini nearly
// doubled it) nor its own schemas (see BENCHMARKS.md). The stack config, on the platform
// engineer's side, stays with zod.

import * as v from "valibot";
import { ApiError } from "../errors.ts";

/** Any valibot schema. */
export type Schema = v.GenericSchema;

/** A schema built by `lazySchema` on its first call; every worker schema is one. */
export type LazySchema<S extends Schema = Schema> = () => S;

/** What a lazy schema yields when a value passes. */
export type Output<L extends LazySchema> = v.InferOutput<ReturnType<L>>;

/**
 * A schema built the first time a request needs it, then kept: constructing schemas at module
 * top level would run on every cold start, before the first request is even read.
 */
export function lazySchema<S extends Schema>(build: () => S): LazySchema<S> {
  let schema: S | undefined;
  return () => (schema ??= build());
}

/** The issues of `value` against a lazy schema, or its output. */
export function validate<S extends Schema>(schema: LazySchema<S>, value: unknown) {
  return v.safeParse(schema(), value);
}

type Issue = v.BaseIssue<unknown>;

// A schema's own message (a phrase like "must set at least one of ...") is used as it is;
// valibot's start with "Invalid" and are replaced by the sentences below.
const own = (message: string) => !message.startsWith("Invalid ");

function describeIssue(issue: Issue, where: string): string {
  const field = [where, ...(issue.path ?? []).map((item) => String(item.key))].join(".");
  if (issue.expected === "never") {
    return `${field} is not a known ${issue.path?.at(-1)?.type === "array" ? "item" : "field"}`;
  }
  if (issue.input === undefined && issue.kind === "schema") return `${field} is required`;
  if (own(issue.message)) return `${field} ${issue.message}`;
  switch (issue.type) {
    case "integer":
      return `${field} must be an integer`;
    case "picklist":
    case "literal":
      return `${field} must be one of ${(issue.expected ?? "").replace(/^\(|\)$/g, "").replaceAll(" | ", ", ")}`;
    case "uuid":
    case "email":
      return `${field} must be a valid ${issue.type}`;
    case "iso_timestamp":
      return `${field} must be a valid datetime`;
  }
  // A value of the wrong type: valibot names the type it expected (`string`, `Array`, `Object`).
  const expected = issue.expected?.toLowerCase() ?? "";
  return /^[a-z]+$/.test(expected)
    ? `${field} must be ${/^[aeiou]/.test(expected) ? "an" : "a"} ${expected}`
    : `${field} is invalid`;
}

/** Parses `value` with `schema`; throws a 400 ApiError (`invalid_request`) naming every bad field. */
export function parseWith<S extends Schema>(
  schema: LazySchema<S>,
  value: unknown,
  where: "body" | "query" | "params",
): v.InferOutput<S> {
  const result = validate(schema, value);
  if (result.success) return result.output;
  // A value can fail two checks that say the same thing (a time in no format is also in no window).
  const sentences = new Set(result.issues.map((issue) => describeIssue(issue, where)));
  const message = [...sentences].join("; ");
  throw new ApiError(400, "invalid_request", message);
}

/** A whole number. */
export const integer = () => v.pipe(v.number(), v.integer());

type Sized = number | string | readonly unknown[];

/**
 * A bound on a number, or on the characters of a string or the items of an array, as a `check`
 * with our sentence (`must be at least 1`, `must have at most 2 items`). Every worker carries
 * `check` already (strictObject); valibot's minValue, maxValue, minLength and maxLength would add
 * about 1 KB to each for messages this file replaces anyway.
 */
function bound<T extends Sized>(limit: number, words: string, holds: (size: number) => boolean) {
  return v.check<T, (issue: v.CheckIssue<T>) => string>(
    (value) => holds(typeof value === "number" ? value : value.length),
    ({ input }) => {
      if (typeof input === "number") return `must be ${words} ${limit}`;
      const [verb, unit] = typeof input === "string" ? ["be", "character"] : ["have", "item"];
      return `must ${verb} ${words} ${limit} ${unit}${limit === 1 ? "" : "s"}`;
    },
  );
}

/** At least `min`: a number, or a string's characters, or an array's items. */
export const atLeast = <T extends Sized>(min: number) =>
  bound<T>(min, "at least", (size) => size >= min);

/** At most `max`: a number, or a string's characters, or an array's items. */
export const atMost = <T extends Sized>(max: number) =>
  bound<T>(max, "at most", (size) => size <= max);

/**
 * An object with exactly these fields. Every unknown field is named (valibot's `strictObject`
 * stops at the first), so a client fixes them all in one go.
 */
export const strictObject = <E extends v.ObjectEntries>(entries: E) =>
  v.pipe(
    // valibot takes an array for an object (and reads `at` off Array.prototype): refuse it first.
    v.unknown(),
    v.check((value) => !Array.isArray(value), "must be an object"),
    v.objectWithRest(entries, v.never()),
    v.transform((fields) => fields as v.InferOutput<v.ObjectSchema<E, undefined>>),
  );

/**
 * The parameters of a query string; others are ignored. Built on the same valibot schema as
 * `strictObject` (objectWithRest), so a worker carries one object schema, not two.
 */
export const queryObject = <E extends v.ObjectEntries>(entries: E) =>
  v.objectWithRest(entries, v.unknown()) as unknown as v.ObjectSchema<E, undefined>;

/** A whole number from a query string (`?limit=20`): `fallback` when absent. */
export const queryInteger = (min: number, max: number, fallback: number) =>
  v.optional(
    v.pipe(v.unknown(), v.transform(Number), v.number(), v.integer(), atLeast(min), atMost(max)),
    fallback,
  );

/** A string trimmed before its length is checked, as every text field is. */
export const text = (min: number, max: number) =>
  v.pipe(v.string(), v.trim(), atLeast(min), atMost(max));

/** An id this platform issued (a UUID). */
export const uuid = () => v.pipe(v.string(), v.uuid());
