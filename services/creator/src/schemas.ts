// What creator accepts: pitch bodies for create and edit, validated before any query runs.

import * as z from "zod/mini";
import { GENRES, MAX_BUDGET } from "../../../shared/pitches.ts";

const title = z.string().check(z.trim(), z.minLength(1), z.maxLength(120));
const logline = z.string().check(z.trim(), z.minLength(1), z.maxLength(500));
const genre = z.enum(GENRES);
const budget = z.int().check(z.minimum(0), z.maximum(MAX_BUDGET));

const budgetsInOrder = z.refine<{ budgetMin?: number; budgetMax?: number }>(
  (fields) =>
    fields.budgetMin === undefined ||
    fields.budgetMax === undefined ||
    fields.budgetMin <= fields.budgetMax,
  { message: "must be at least body.budgetMin", path: ["budgetMax"] },
);

export const createPitchBody = z
  .strictObject({ title, logline, genre, budgetMin: budget, budgetMax: budget })
  .check(budgetsInOrder);

export type PitchFields = z.infer<typeof createPitchBody>;

export const updatePitchBody = z
  .strictObject({
    title: z.optional(title),
    logline: z.optional(logline),
    genre: z.optional(genre),
    budgetMin: z.optional(budget),
    budgetMax: z.optional(budget),
  })
  .check(
    budgetsInOrder,
    z.refine((fields) => Object.keys(fields).length > 0, {
      message: "must set at least one of title, logline, genre, budgetMin, budgetMax",
    }),
  );

export type PitchChanges = z.infer<typeof updatePitchBody>;
