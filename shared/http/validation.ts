// Turns zod issues into one readable sentence per field, e.g. `body.title must be at least 1
// character`, so a client learns which field to fix. Schemas use zod/mini to keep bundles small.

import type * as z from "zod/mini";
import { ApiError } from "../errors.ts";

type Issue = z.core.$ZodIssue;

export function describeIssue(issue: Issue, where: string): string {
  const field = [where, ...issue.path.map(String)].join(".");
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => `${field}.${key} is not a known field`).join("; ");
    case "invalid_type":
      return issue.input === undefined
        ? `${field} is required`
        : `${field} must be ${issue.expected === "int" ? "an integer" : withArticle(issue.expected)}`;
    case "too_small":
      return issue.origin === "string"
        ? `${field} must be at least ${issue.minimum} character${issue.minimum === 1 ? "" : "s"}`
        : issue.origin === "array"
          ? `${field} must have at least ${issue.minimum} item${issue.minimum === 1 ? "" : "s"}`
          : `${field} must be at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "string"
        ? `${field} must be at most ${issue.maximum} characters`
        : issue.origin === "array"
          ? `${field} must have at most ${issue.maximum} items`
          : `${field} must be at most ${issue.maximum}`;
    case "invalid_value":
      if (issue.input === undefined) return `${field} is required`;
      return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return `${field} must be a valid ${issue.format}`;
    default:
      return issue.message && issue.message !== "Invalid input"
        ? `${field} ${issue.message}`
        : `${field} is invalid`;
  }
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
}

/** Parses `value` with `schema`; throws a 400 ApiError (`invalid_request`) naming every bad field. */
export function parseWith<T extends z.ZodMiniType>(
  schema: T,
  value: unknown,
  where: "body" | "query" | "params",
): z.infer<T> {
  // zod v4 leaves `input` off issues unless asked; describeIssue needs it to tell "missing" from "wrong type".
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data as z.infer<T>;
  const message = result.error.issues.map((issue) => describeIssue(issue, where)).join("; ");
  throw new ApiError(400, "invalid_request", message);
}
