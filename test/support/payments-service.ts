// The files of a seventh service, `payments`, as a platform engineer would write them by following
// docs/adding-a-service.md: its folder (app, handlers, tests beside them), its row and its migration.
// Kept as text because they only compile inside a copy of the repo (test/add-a-service.test.ts).

/** Path in the repo → file text. */
export type Files = Readonly<Record<string, string>>;

/** Everything under `services/payments/`. */
export const PAYMENTS_FOLDER: Files = {
  "services/payments/src/index.ts": `// The payments worker (owns \`payments\`): a signed-in user records a payment and lists their own.

import { createServiceApp } from "../../../shared/http/app.ts";
import { createPayment, listOwnPayments } from "./payments.ts";

const app = createServiceApp("payments");

app.get("/health", (c) => c.json({ worker: "payments", ok: true }));
app.post("/api/payments", createPayment);
app.get("/api/payments", listOwnPayments);

export default app;
`,

  "services/payments/src/payments.ts": `// Payments: record one (an amount in minor units and a currency) and list your own, newest first.

import type { Context } from "hono";
import * as v from "valibot";
import type { ServiceEnv } from "../../../shared/http/app.ts";
import { readJson } from "../../../shared/http/body.ts";
import { requireIdentity } from "../../../shared/http/identity.ts";
import { newestFirstPage, pageQuery } from "../../../shared/http/paging.ts";
import {
  atLeast,
  atMost,
  integer,
  lazySchema,
  parseWith,
  strictObject,
} from "../../../shared/http/validation.ts";
import { camelCaseMapper, type RowMapper } from "../../../shared/rows.ts";

interface PaymentRow {
  id: string;
  user_id: string;
  amount: number;
  currency: string;
  created_at: string;
}

const PAYMENT_COLUMNS = "id, user_id, amount, currency, created_at";
const paymentFromRow: RowMapper<PaymentRow> = camelCaseMapper(PAYMENT_COLUMNS);

const newPayment = lazySchema(() =>
  strictObject({
    amount: v.pipe(integer(), atLeast(1), atMost(100_000_000)),
    currency: v.picklist(["EUR", "GBP", "USD"]),
  }),
);

export async function createPayment(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c);
  const input = await readJson(c, newPayment);
  const row: PaymentRow = {
    id: crypto.randomUUID(),
    user_id: userId,
    amount: input.amount,
    currency: input.currency,
    created_at: new Date().toISOString(),
  };
  await c.env.DB.prepare(
    "INSERT INTO payments (id, user_id, amount, currency, created_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(row.id, row.user_id, row.amount, row.currency, row.created_at)
    .run();
  return c.json({ payment: paymentFromRow(row) }, 201);
}

/** The caller's payments, newest first. */
export async function listOwnPayments(c: Context<ServiceEnv>): Promise<Response> {
  const { userId } = requireIdentity(c);
  const page = parseWith(pageQuery, c.req.query(), "query");
  const sql = \`SELECT \${PAYMENT_COLUMNS} FROM payments WHERE user_id = ?\`;
  return c.json(await newestFirstPage(c.env.DB, page, sql, [userId], paymentFromRow));
}
`,

  "services/payments/src/payments.test.ts": `// POST and GET /api/payments through app.request, on a real local D1 with every migration applied.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../../test/support/d1.ts";
import { type CallOptions, call, insertUser, type TestUser } from "../../../test/support/rows.ts";
import app from "./index.ts";

let test: TestDatabase;
let payer: TestUser;
let other: TestUser;

const request = (method: string, path: string, options: CallOptions = {}) =>
  call(app, { DB: test.db }, method, path, options);

beforeAll(async () => {
  test = await createTestDatabase();
  payer = await insertUser(test.db, "investor");
  other = await insertUser(test.db, "creator");
});
afterAll(() => test.dispose());

describe("/api/payments", () => {
  it("records payments and lists only the caller's", async () => {
    const body = { amount: 1200, currency: "EUR" };
    const created = await request("POST", "/api/payments", { as: payer, body });
    expect(created.status).toBe(201);
    expect(created.json.payment).toMatchObject({ userId: payer.id, ...body });
    await request("POST", "/api/payments", { as: payer, body: { amount: 50, currency: "USD" } });

    const mine = await request("GET", "/api/payments", { as: payer });
    expect(mine.status).toBe(200);
    const amounts = mine.json.items.map((p: { amount: number }) => p.amount);
    expect(amounts.sort((a: number, b: number) => a - b)).toEqual([50, 1200]);
    const theirs = await request("GET", "/api/payments", { as: other });
    expect(theirs.json).toEqual({ items: [], nextCursor: null });
  });

  it("names the field to fix", async () => {
    const answer = await request("POST", "/api/payments", {
      as: payer,
      body: { amount: 0, currency: "EUR" },
    });
    expect(answer.status).toBe(400);
    expect(answer.json.error.message).toBe("body.amount must be at least 1");
  });

  it("needs a signed-in caller", async () => {
    expect((await request("GET", "/api/payments")).status).toBe(401);
  });
});
`,
};

/** Its migration, `shared/migrations/<next number>_payments.sql`. */
export const PAYMENTS_MIGRATION_SQL = `-- Owner: payments.
CREATE TABLE IF NOT EXISTS payments (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount > 0),
  currency TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS payments_user_created ON payments (user_id, created_at);
`;

/** The row docs/adding-a-service.md shows, with the given blue side. */
export function paymentsRow(blueSide: boolean): string {
  return `  {
    name: "payments",
    kind: "service",
    pathPrefixes: ["/api/payments"],
    ownsTables: ["payments"],
    publicRoutes: [],
    blueSide: ${blueSide},
  },
`;
}
