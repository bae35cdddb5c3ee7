// The one D1 database the services and the monolith share: created by name, or adopted by id
// (the monolith's existing database), in which case nothing is created and only the id is used.

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export const DATABASE_TYPE = "platform:cloudflare:Database";

export interface DatabaseArgs {
  /** Cloudflare account that owns the database. */
  accountId: string;
  /** `{ name }` creates a database; `{ id }` adopts an existing one. */
  database: { name: string } | { id: string };
}

export class Database extends pulumi.ComponentResource {
  /** The database UUID the `DB` bindings point at. */
  readonly id: pulumi.Output<string>;
  /** Whether this stack created (and so owns) the database. */
  readonly created: boolean;
  /** The created database; absent when the stack adopts one by id. */
  readonly d1?: cloudflare.D1Database;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DATABASE_TYPE, name, {}, opts);

    // Protected: the database holds every service's data, and a replacement (renaming
    // `database.name` forces one) would delete it. Unprotect it on purpose to destroy a stack.
    const createDatabase = (databaseName: string) =>
      new cloudflare.D1Database(
        `${name}-d1`,
        { accountId: args.accountId, name: databaseName },
        { parent: this, protect: true },
      );

    if ("id" in args.database) {
      this.id = pulumi.output(args.database.id);
      this.created = false;
    } else {
      // The provider's id for a D1 database is its UUID, the value bindings take.
      this.d1 = createDatabase(args.database.name);
      this.id = this.d1.id;
      this.created = true;
    }
    // Migrations (plan.migrations) are applied against `id` by a step registered after this one.
    this.registerOutputs({ id: this.id });
  }
}
