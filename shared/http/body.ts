// Request bodies in every service: the size limit the service app applies to every request before
// any handler (413), and reading a JSON body (415 unless JSON, 400 unless valid Unicode JSON).

import type { Context, MiddlewareHandler } from "hono";
import type * as v from "valibot";
import { ApiError } from "../errors.ts";
import { type LazySchema, parseWith, type Schema } from "./validation.ts";

/** Largest body a service accepts, on any route. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * `application/json`, optionally with `charset=utf-8`: `application/json-patch+json` and the like
 * mean something else, and JSON is UTF-8 (RFC 8259), so no other charset is read.
 */
const JSON_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*)?$/i;

/**
 * A lone UTF-16 surrogate: with the `u` flag a well-formed pair is one code point, outside the
 * range. (Not `\p{Cs}`: a Unicode property costs every isolate time at start-up.)
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Bodies read by bodyLimit, by request: apps composed into one (the monolith) read each once. */
const bodies = new WeakMap<Request, Uint8Array | null>();

/**
 * Middleware reading every request's body, up to `maxBytes`, before any handler runs: a declared
 * content-length over the limit is refused without reading, and a stream without one, or longer
 * than it said, is cut at the limit. So a route that never reads its body cannot be sent more.
 */
export function bodyLimit(maxBytes = MAX_BODY_BYTES): MiddlewareHandler {
  return async (c, next) => {
    const request = c.req.raw;
    if (!bodies.has(request)) {
      if (Number(c.req.header("content-length") ?? "0") > maxBytes) throw tooLarge(maxBytes);
      bodies.set(request, await readLimited(request, maxBytes));
    }
    await next();
  };
}

/** The request's body as JSON validated by `schema`; 413, 415 or 400 (naming the field) if not. */
export async function readJson<S extends Schema>(
  c: Context,
  schema: LazySchema<S>,
  maxBytes = MAX_BODY_BYTES,
): Promise<v.InferOutput<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!JSON_TYPE.test(type)) throw notJson(type);
  const read = bodies.get(c.req.raw);
  const bytes = read === undefined ? await readLimited(c.req.raw, maxBytes) : read;
  if (bytes && bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes ?? new Uint8Array());
  } catch {
    throw new ApiError(
      400,
      "invalid_encoding",
      "The body is not valid UTF-8; send JSON text encoded as UTF-8.",
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The body is not valid JSON.");
  }
  const broken = loneSurrogateAt(value);
  if (broken) {
    throw new ApiError(
      400,
      "invalid_encoding",
      `${broken} holds a lone surrogate escape (\\ud800-\\udfff), which is not Unicode text; escape a character outside the BMP as a pair, or send it unescaped.`,
    );
  }
  return parseWith(schema, value, "body");
}

/** Where in a parsed body a string or key holds a lone surrogate (`body.tags.0`); undefined if nowhere. */
function loneSurrogateAt(body: unknown): string | undefined {
  // A stack, not recursion: 64 KB of `[` nests deeper than the call stack goes.
  const pending: [unknown, string][] = [[body, "body"]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === "string" && LONE_SURROGATE.test(value)) return path;
    if (typeof value !== "object" || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) return `${path} key ${JSON.stringify(key)}`;
      pending.push([item, `${path}.${key}`]);
    }
  }
  return undefined;
}

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array | null> {
  if (!request.body) return null;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function notJson(type: string): ApiError {
  const message = /json/i.test(type)
    ? `The body must be plain JSON (content-type: application/json, optionally with charset=utf-8); found content-type: ${type}.`
    : "Send the body as JSON (content-type: application/json).";
  return new ApiError(415, "unsupported_media_type", message);
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    "payload_too_large",
    `The body is over the ${maxBytes / 1024} KB limit.`,
  );
}
