// The one D1 database the services and the monolith share, with its migrations: created by name, or
// adopted by id (the monolith's existing database), in which case nothing is created. Pending
// migrations are applied on `up` before any worker that depends on the database is updated.

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { Migration } from "../migrations/files.ts";
import type { DatabaseRef } from "../plan.ts";
import { D1Migrations } from "./d1-migrations.ts";

export const DATABASE_TYPE = "platform:cloudflare:Database";

export interface DatabaseArgs {
  /** Cloudflare account that owns the database. */
  accountId: string;
  /** `{ name }` creates a database; `{ id }` adopts an existing one. */
  database: DatabaseRef;
  /** Every migration file in order, as `loadMigrations` returns them. */
  migrations: readonly Migration[];
}

export class Database extends pulumi.ComponentResource {
  /** The database UUID the `DB` bindings point at. */
  readonly id: pulumi.Output<string>;
  /** The created database; absent when the stack adopts one by id. */
  readonly d1?: cloudflare.D1Database;
  readonly migrations: D1Migrations;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DATABASE_TYPE, name, {}, opts);

    // Protected: the database holds every service's data, and a replacement (renaming
    // `database.name` forces one) would delete it. Unprotect it on purpose to destroy a stack.
    // `readReplication` is declared although it is optional: the API returns it on every read
    // and the provider does not mark it computed, so a database created without it would show a
    // diff after every `pulumi refresh` (terraform-provider-cloudflare skips its own no-drift
    // tests for d1_database for this reason).
    const createDatabase = (database: { name: string; readReplication: "disabled" | "auto" }) =>
      new cloudflare.D1Database(
        `${name}-d1`,
        {
          accountId: args.accountId,
          name: database.name,
          readReplication: { mode: database.readReplication },
        },
        { parent: this, protect: true },
      );
    // Declared at the stack root before it moved under the database; the alias keeps its state.
    const applyMigrations = (databaseId: pulumi.Input<string>, after: pulumi.Resource[]) =>
      new D1Migrations(
        `${name}-migrations`,
        { accountId: args.accountId, databaseId, migrations: args.migrations },
        {
          parent: this,
          dependsOn: after,
          aliases: [{ name: "migrations", parent: pulumi.rootStackResource }],
        },
      );

    if ("id" in args.database) {
      this.id = pulumi.output(args.database.id);
      this.migrations = applyMigrations(this.id, []);
    } else {
      // The provider's id for a D1 database is its UUID, the value bindings take.
      this.d1 = createDatabase(args.database);
      this.id = this.d1.id;
      this.migrations = applyMigrations(this.id, [this.d1]);
    }
    this.registerOutputs({ id: this.id });
  }
}
