// How the internet reaches the router: a zone route `<hostname>/*`, or a Workers custom domain
// (Cloudflare then manages the DNS record and certificate for the hostname).

import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export const PUBLIC_ENDPOINT_TYPE = "platform:cloudflare:PublicEndpoint";

export interface PublicEndpointArgs {
  /** Cloudflare account of the router script (custom domains are account resources). */
  accountId: string;
  /** Zone that holds the hostname. */
  zoneId: string;
  /** The public API host, e.g. `api.pitch.example.com`. */
  hostname: string;
  /** `route` for `<hostname>/*` on an existing DNS record, `customDomain` to let Cloudflare own it. */
  kind: "route" | "customDomain";
  /** The router's script name; an output, so the endpoint waits for the script. */
  scriptName: pulumi.Input<string>;
}

export class PublicEndpoint extends pulumi.ComponentResource {
  /** `https://<hostname>`. */
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: PublicEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PUBLIC_ENDPOINT_TYPE, name, {}, opts);

    const createRoute = () =>
      new cloudflare.WorkersRoute(
        `${name}-route`,
        { zoneId: args.zoneId, pattern: `${args.hostname}/*`, script: args.scriptName },
        { parent: this },
      );
    const createCustomDomain = () =>
      new cloudflare.WorkersCustomDomain(
        `${name}-domain`,
        {
          accountId: args.accountId,
          zoneId: args.zoneId,
          hostname: args.hostname,
          service: args.scriptName,
        },
        { parent: this },
      );

    if (args.kind === "customDomain") createCustomDomain();
    else createRoute();
    // Known from config, so a preview shows the URL before the route exists.
    this.url = pulumi.output(`https://${args.hostname}`);
    this.registerOutputs({ url: this.url });
  }
}
