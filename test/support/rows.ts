// Test fixtures for the service tests: users and pitches inserted straight into D1 (their owning
// services are tested elsewhere), and a request helper that signs in the way the router does.

import type { Hono } from "hono";
import type { D1Database } from "../../shared/d1.ts";
import type { ServiceEnv } from "../../shared/http/app.ts";
import { type Role, USER_ID_HEADER, USER_ROLE_HEADER } from "../../shared/identity.ts";

export const TEST_JWT_SECRET = "test-secret-0123456789-abcdefghij-klmnop";

export interface TestUser {
  id: string;
  role: Role;
}

let sequence = 0;

/** Distinct, increasing ISO times so "newest first" orderings are deterministic. */
export function nextTime(): string {
  sequence += 1;
  return new Date(Date.UTC(2025, 0, 1) + sequence * 1000).toISOString();
}

export async function insertUser(db: D1Database, role: Role, name = `${role} ${sequence}`) {
  const user: TestUser = { id: crypto.randomUUID(), role };
  await db
    .prepare(
      "INSERT INTO users (id, email, name, role, password_hash, password_salt, password_iterations, created_at) VALUES (?, ?, ?, ?, 'x', 'x', 1, ?)",
    )
    .bind(user.id, `${user.id}@example.com`, name, role, nextTime())
    .run();
  return user;
}

export async function insertPitch(
  db: D1Database,
  creator: TestUser,
  options: { status?: "draft" | "published"; title?: string } = {},
): Promise<string> {
  const id = crypto.randomUUID();
  const status = options.status ?? "published";
  const at = nextTime();
  await db
    .prepare(
      "INSERT INTO pitches (id, creator_id, title, logline, genre, budget_min, budget_max, status, created_at, updated_at, published_at) VALUES (?, ?, ?, 'A logline.', 'drama', 1000, 5000, ?, ?, ?, ?)",
    )
    .bind(
      id,
      creator.id,
      options.title ?? `Pitch ${sequence}`,
      status,
      at,
      at,
      status === "published" ? at : null,
    )
    .run();
  return id;
}

export interface CallOptions {
  as?: TestUser;
  body?: unknown;
  /** Raw body text, sent as is (with `body` unset). */
  raw?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
  json: any;
}

/** Calls `app` the way the router would: identity in the internal headers, JSON bodies. */
export async function call(
  app: Hono<ServiceEnv>,
  env: ServiceEnv["Bindings"],
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as) {
    headers[USER_ID_HEADER] = options.as.id;
    headers[USER_ROLE_HEADER] = options.as.role;
  }
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await app.request(`http://service${path}`, { method, headers, body }, env);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? JSON.parse(text) : null,
  };
}
