// Test helpers for the router's unit tests: a CONFIG from the table of workers, fake service
// bindings that record what they receive, and tokens. Not part of the bundle.

import type { PublicRoute, RouterConfig } from "../../../shared/router-config.ts";
import { SERVICE_NAMES, type ServiceName, WORKERS } from "../../../shared/workers.ts";
import type { Bindings, ServiceBinding } from "./bindings.ts";
import { forgetStreaks } from "./skip.ts";

export const SECRET = "router-test-secret-0123456789abcdef";
export const APP_ORIGIN = "https://app.example.com";

export function testConfig(overrides: Partial<RouterConfig> = {}): RouterConfig {
  return {
    routes: WORKERS.flatMap((row) =>
      row.kind === "router"
        ? []
        : row.pathPrefixes.map((prefix) => ({
            prefix,
            target: row.kind === "service" ? row.name : ("monolith" as const),
          })),
    ),
    rollout: allWeights(100),
    corsOrigins: [APP_ORIGIN],
    publicRoutes: WORKERS.flatMap((row): readonly PublicRoute[] =>
      row.kind === "monolith" ? [] : row.publicRoutes,
    ),
    monolith: true,
    ...overrides,
  };
}

export function allWeights(weight: number): Record<ServiceName, number> {
  return Object.fromEntries(SERVICE_NAMES.map((name) => [name, weight])) as Record<
    ServiceName,
    number
  >;
}

/** What a fake worker received: the request as sent and its body read to text. */
export interface Received {
  method: string;
  url: string;
  headers: Headers;
  body: string;
  /** The router's abort signal for the call (its deadline). */
  signal: AbortSignal | undefined;
}

export type Behaviour = (request: Request, body: string) => Response | Promise<Response>;

export interface FakeWorker extends ServiceBinding {
  name: string;
  received: Received[];
}

/** A worker that records each request and answers `{ worker }` unless given a behaviour. */
export function fakeWorker(name: string, behaviour?: Behaviour): FakeWorker {
  const received: Received[] = [];
  return {
    name,
    received,
    async fetch(request, init) {
      const body = await request.text();
      const { method, url, headers } = request;
      received.push({ method, url, headers, body, signal: init?.signal });
      return behaviour ? behaviour(request, body) : Response.json({ worker: name });
    },
  };
}

export interface TestEnv {
  env: Bindings;
  workers: Record<ServiceName | "monolith", FakeWorker>;
}

/** A fresh router isolate's environment: fake workers, and no failure streaks remembered. */
export function testEnv(
  config: RouterConfig = testConfig(),
  behaviours: Partial<Record<ServiceName | "monolith", Behaviour>> = {},
): TestEnv {
  forgetStreaks();
  const workers = Object.fromEntries(
    [...SERVICE_NAMES, "monolith" as const].map((name) => [
      name,
      fakeWorker(name, behaviours[name]),
    ]),
  ) as TestEnv["workers"];
  const env = {
    CONFIG: config,
    JWT_SECRET: SECRET,
    ...Object.fromEntries(
      Object.values(workers)
        .filter((worker) => config.monolith || worker.name !== "monolith")
        .map((worker) => [worker.name.toUpperCase(), worker]),
    ),
  } as Bindings;
  return { env, workers };
}

/** Base64url of a JSON value, for hand-made tokens. */
export function jwtPart(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** A worker that never answers (until the router aborts the call). */
export const hang: Behaviour = () => new Promise<Response>(() => {});
