// The JWT signing key as a Secrets Store secret. Workers bind it by store id and name, so the key
// itself never enters a script's bindings (which would make Pulumi hide the whole list).

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export const JWT_SECRET_TYPE = "platform:cloudflare:JwtSecret";

export interface JwtSecretArgs {
  /** Cloudflare account that owns the Secrets Store. */
  accountId: string;
  /** The account's Secrets Store id (`platform:secretsStoreId`). */
  storeId: string;
  /** The secret's name in the store, e.g. `pitch_staging_jwt`. */
  secretName: string;
  /** The key (`platform:jwtSecret`); wrapped as a Pulumi secret whatever is passed. */
  value: pulumi.Input<string>;
}

export class JwtSecret extends pulumi.ComponentResource {
  /** The stored value, as a secret output. */
  readonly value: pulumi.Output<string>;

  constructor(name: string, args: JwtSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super(JWT_SECRET_TYPE, name, {}, opts);

    const createSecret = () =>
      new cloudflare.SecretsStoreSecret(
        `${name}-secret`,
        {
          accountId: args.accountId,
          storeId: args.storeId,
          name: args.secretName,
          scopes: ["workers"],
          comment: "JWT signing key (HS256) shared by the router, auth and the monolith",
          value: pulumi.secret(args.value),
        },
        { parent: this },
      );

    const secret = createSecret();
    this.value = secret.value;
    this.registerOutputs({ secretName: secret.name });
  }
}
