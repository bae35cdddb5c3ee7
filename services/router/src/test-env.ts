// Test helpers for the router's unit tests: a CONFIG from the table of workers, fake service
// bindings that record what they receive, and tokens. Not part of the bundle.

import type { PublicRoute, RouterConfig } from "../../../shared/router-config.ts";
import { SERVICE_NAMES, type ServiceName, WORKERS } from "../../../shared/workers.ts";
import type { Bindings, ServiceBinding } from "./bindings.ts";

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
    async fetch(request) {
      const body = await request.text();
      received.push({ method: request.method, url: request.url, headers: request.headers, body });
      return behaviour ? behaviour(request, body) : Response.json({ worker: name });
    },
  };
}

export interface TestEnv {
  env: Bindings;
  workers: Record<ServiceName | "monolith", FakeWorker>;
}

export function testEnv(
  config: RouterConfig = testConfig(),
  behaviours: Partial<Record<ServiceName | "monolith", Behaviour>> = {},
): TestEnv {
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
