// The CONFIG binding check: a wrong value is a 500 that names the binding and the key.

import { describe, expect, it } from "vitest";
import { ApiError } from "../../../shared/errors.ts";
import { configProblem, readRouterConfig } from "./config-binding.ts";
import { testConfig } from "./test-env.ts";

function failure(value: unknown): ApiError {
  try {
    readRouterConfig(value);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected readRouterConfig to throw");
}

describe("readRouterConfig", () => {
  it("sorts routes longest first and checks each binding object once", () => {
    const binding = testConfig({
      routes: [
        { prefix: "/api/a", target: "auth" },
        { prefix: "/api/a/bcd", target: "creator" },
        { prefix: "/api/a/b", target: "monolith" },
      ],
    });
    const config = readRouterConfig(binding);
    expect(config.routes.map((r) => r.prefix)).toEqual(["/api/a/bcd", "/api/a/b", "/api/a"]);
    expect(binding.routes.map((r) => r.prefix)).toEqual(["/api/a", "/api/a/bcd", "/api/a/b"]);
    expect(readRouterConfig(binding)).toBe(config);
  });

  it("answers a missing binding with a 500 naming it", () => {
    const error = failure(undefined);
    expect(error.status).toBe(500);
    expect(error.code).toBe("router_misconfigured");
    expect(error.message).toBe(
      "The router's CONFIG binding is missing; deploy it with the value infra/topology.ts builds.",
    );
  });

  it.each([
    ["a string", '{"routes":[]}', 'must be a JSON object, got "{\\"routes\\":[]}"'],
    ["no routes", { ...testConfig(), routes: undefined }, "has no routes list (CONFIG.routes)"],
    [
      "a trailing slash",
      testConfig({ routes: [{ prefix: "/api/x/", target: "auth" }] }),
      'CONFIG.routes[0].prefix must be a path like "/api/name" without a trailing "/", got "/api/x/"',
    ],
    [
      "a target that is no worker name",
      testConfig({ routes: [{ prefix: "/api/x", target: "Billing!" as never }] }),
      'CONFIG.routes[0].target must be a worker name like "investor" or "monolith", got "Billing!"',
    ],
    [
      "a deadline that is no integer",
      testConfig({ upstreams: { investor: { deadlineMs: "10s" as never } } as never }),
      'CONFIG.upstreams.investor.deadlineMs must be an integer 1-600000, got "10s"',
    ],
    [
      "an unknown upstream setting",
      testConfig({ upstreams: { investor: { timeout: 5 } } as never }),
      "CONFIG.upstreams.investor.timeout is not a setting; expected deadlineMs, skipAfterFailures, skipForMs",
    ],
    [
      "a blue side that is not false",
      testConfig({ routes: [{ prefix: "/api/x", target: "auth", blueSide: true as never }] }),
      "CONFIG.routes[0].blueSide must be false or absent, got true",
    ],
    [
      "a weight over 100",
      testConfig({ rollout: { ...testConfig().rollout, investor: 150 } }),
      "CONFIG.rollout.investor must be an integer 0-100, got 150",
    ],
    [
      "a fractional weight",
      testConfig({ rollout: { ...testConfig().rollout, creator: 12.5 } }),
      "CONFIG.rollout.creator must be an integer 0-100, got 12.5",
    ],
    [
      "a bad origin list",
      testConfig({ corsOrigins: "https://a.example" as never }),
      "CONFIG.corsOrigins must be a list of origins",
    ],
    [
      "a bad public route",
      testConfig({ publicRoutes: [{ method: "FETCH" as never, path: "/x" }] }),
      'CONFIG.publicRoutes must be a list of { method, path } like { "method": "GET", "path": "/health" }',
    ],
    [
      "a monolith flag that is not boolean",
      testConfig({ monolith: "yes" as never }),
      'CONFIG.monolith must be true or false, got "yes"',
    ],
  ])("refuses %s", (_, value, problem) => {
    expect(configProblem(value)).toBe(problem);
    expect(failure(value).message).toBe(
      `The router's CONFIG binding ${problem}; deploy it with the value infra/topology.ts builds.`,
    );
  });

  it("accepts a config with weights left out (the router then defaults them)", () => {
    expect(configProblem(testConfig({ rollout: {} as never }))).toBeUndefined();
  });
});
