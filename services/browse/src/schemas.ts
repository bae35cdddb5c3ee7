// What browse accepts: the search query string and the cursors it gives out.

import * as v from "valibot";
import { pageQueryFields } from "../../../shared/http/paging.ts";
import {
  atLeast,
  atMost,
  integer,
  lazySchema,
  queryObject,
  strictObject,
} from "../../../shared/http/validation.ts";
import { GENRES } from "../../../shared/pitches.ts";

/** Relevance pages use an offset; past this many results a search asks for better words. */
export const MAX_RELEVANCE_RESULTS = 1000;

export const browseQuery = lazySchema(() =>
  queryObject({
    ...pageQueryFields(),
    q: v.optional(v.pipe(v.string(), v.trim(), atMost(200))),
    genre: v.optional(v.picklist(GENRES)),
    sort: v.optional(v.picklist(["relevance", "recent"])),
  }),
);

/** Where the next relevance page starts: the number of results already shown. */
export const relevancePosition = lazySchema(() =>
  strictObject({
    offset: v.pipe(integer(), atLeast(1), atMost(MAX_RELEVANCE_RESULTS - 1)),
  }),
);
