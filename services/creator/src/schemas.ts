// What creator accepts: pitch bodies for create and edit, validated before any query runs.

import * as v from "valibot";
import {
  atLeast,
  atMost,
  integer,
  lazySchema,
  type Output,
  strictObject,
  text,
} from "../../../shared/http/validation.ts";
import { GENRES, MAX_BUDGET } from "../../../shared/pitches.ts";

const title = () => text(1, 120);
const logline = () => text(1, 500);
const genre = () => v.picklist(GENRES);
const budget = () => v.pipe(integer(), atLeast(0), atMost(MAX_BUDGET));

type Budgets = { budgetMin?: number; budgetMax?: number };

const inOrder = (fields: Budgets) =>
  fields.budgetMin === undefined ||
  fields.budgetMax === undefined ||
  fields.budgetMin <= fields.budgetMax;
const OUT_OF_ORDER = "must be at least body.budgetMin";

export const createPitchBody = lazySchema(() =>
  v.pipe(
    strictObject({
      title: title(),
      logline: logline(),
      genre: genre(),
      budgetMin: budget(),
      budgetMax: budget(),
    }),
    // Reported on budgetMax, and checked even when another field is wrong.
    v.forward(v.partialCheck([["budgetMin"], ["budgetMax"]], inOrder, OUT_OF_ORDER), ["budgetMax"]),
  ),
);

export type PitchFields = Output<typeof createPitchBody>;

export const updatePitchBody = lazySchema(() =>
  v.pipe(
    strictObject({
      title: v.optional(title()),
      logline: v.optional(logline()),
      genre: v.optional(genre()),
      budgetMin: v.optional(budget()),
      budgetMax: v.optional(budget()),
    }),
    v.forward(v.partialCheck([["budgetMin"], ["budgetMax"]], inOrder, OUT_OF_ORDER), ["budgetMax"]),
    v.check(
      (fields) => Object.keys(fields).length > 0,
      "must set at least one of title, logline, genre, budgetMin, budgetMax",
    ),
  ),
);

export type PitchChanges = Output<typeof updatePitchBody>;
