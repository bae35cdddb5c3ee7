// The `users` table, which auth owns: the queries auth runs and the mapping to the API's `user`.

import type { D1Database } from "../../../shared/d1.ts";
import type { Role } from "../../../shared/identity.ts";
import type { PasswordHash } from "./passwords.ts";

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}

export interface CredentialsRow extends UserRow {
  password_hash: string;
  password_salt: string;
  password_iterations: number;
}

/** A user as the API answers it; never carries the password hash. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

const USER_COLUMNS = "id, email, name, role, created_at";

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
  };
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: PasswordHash;
}

/** Inserts the user; null when the email is taken (emails compare case-insensitively). */
export async function insertUser(db: D1Database, user: NewUser): Promise<UserRow | null> {
  // ON CONFLICT rather than a lookup first, so two registrations racing for one email cannot both win.
  return db
    .prepare(
      `INSERT INTO users (id, email, name, role, password_hash, password_salt, password_iterations, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (email) DO NOTHING
       RETURNING ${USER_COLUMNS}`,
    )
    .bind(
      crypto.randomUUID(),
      user.email,
      user.name,
      user.role,
      user.password.hash,
      user.password.salt,
      user.password.iterations,
      new Date().toISOString(),
    )
    .first<UserRow>();
}

const CREDENTIAL_COLUMNS = `${USER_COLUMNS}, password_hash, password_salt, password_iterations`;

export async function findCredentialsByEmail(
  db: D1Database,
  email: string,
): Promise<CredentialsRow | null> {
  return db
    .prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM users WHERE email = ?`)
    .bind(email)
    .first<CredentialsRow>();
}

export async function findCredentialsById(
  db: D1Database,
  id: string,
): Promise<CredentialsRow | null> {
  return db
    .prepare(`SELECT ${CREDENTIAL_COLUMNS} FROM users WHERE id = ?`)
    .bind(id)
    .first<CredentialsRow>();
}

/** The statement that replaces the user's password hash. */
export function updatePassword(db: D1Database, id: string, password: PasswordHash) {
  return db
    .prepare(
      "UPDATE users SET password_hash = ?, password_salt = ?, password_iterations = ? WHERE id = ?",
    )
    .bind(password.hash, password.salt, password.iterations, id);
}

export async function findUserById(db: D1Database, id: string): Promise<UserRow | null> {
  return db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`).bind(id).first<UserRow>();
}
