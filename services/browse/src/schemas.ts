// What browse accepts: the search query string and the cursors it gives out.

import * as z from "zod/mini";
import { pageQueryShape } from "../../../shared/http/paging.ts";
import { GENRES } from "../../../shared/pitches.ts";

/** Relevance pages use an offset; past this many results a search asks for better words. */
export const MAX_RELEVANCE_RESULTS = 1000;

export const browseQuery = z.object({
  ...pageQueryShape,
  q: z.optional(z.string().check(z.trim(), z.maxLength(200))),
  genre: z.optional(z.enum(GENRES)),
  sort: z.optional(z.enum(["relevance", "recent"])),
});

/** Where the next relevance page starts: the number of results already shown. */
export const relevancePosition = z.strictObject({
  offset: z.int().check(z.minimum(1), z.maximum(MAX_RELEVANCE_RESULTS - 1)),
});
