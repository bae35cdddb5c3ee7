// The Hono app every worker starts from: hono's core with its LinearRouter. Registering a route
// costs nothing (the router only stores it), so a cold isolate does no route compilation at start-up:
// `hono/tiny`'s PatternRouter builds a RegExp per route and middleware when it is added, which was
// a fifth of a service's start-up. With a worker's dozen routes, matching stays a short scan.

import type { Env } from "hono";
import { HonoBase } from "hono/hono-base";
import { LinearRouter } from "hono/router/linear-router";

export function createApp<E extends Env>(): HonoBase<E> {
  return new HonoBase<E>({ router: new LinearRouter() });
}
