// Stack config parsing: both stack files parse, defaults fill in, and each bad config reports its
// own exact problem (the program tests check that none of them registers a resource).

import { describe, expect, it } from "vitest";
import { hasBlueSide, SERVICE_NAMES } from "../shared/workers.ts";
import {
  BAD_CONFIGS,
  rolloutOf,
  stackConfig,
  stackFile,
  TEST_JWT_SECRET,
  withChange,
} from "../test/support/stack-configs.ts";
import { ConfigError, parseStackConfig, type StackConfig } from "./config.ts";
import { routerConfigFor } from "./topology.ts";

const parse = (raw: Record<string, unknown>, stack = "staging"): StackConfig =>
  parseStackConfig(raw, { stack });

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parse(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("config parsed, expected a ConfigError");
}

describe("the stack files", () => {
  it("staging parses, with the stand-in monolith and a created database", () => {
    const config = parse(stackConfig("staging"));
    expect(config).toMatchObject({
      stack: "staging",
      namePrefix: "pitch-staging",
      hostname: "api.staging.pitch.example.com",
      publicEndpoint: "route",
      monolith: { scriptName: "pitch-staging-monolith", deployStandIn: true },
      database: { name: "pitch-staging" },
      compatibilityDate: "2025-09-01",
      compatibilityFlags: [],
      jwtSecret: TEST_JWT_SECRET,
    });
    expect(config.rollout).toMatchObject({ investor: 50, production: 50 });
    expect(config.rollout).toEqual(rolloutOf(stackFile("staging")));
  });

  it("prod parses, referencing the existing monolith and adopting its database", () => {
    const config = parse(stackConfig("prod"), "prod");
    expect(config.monolith).toEqual({ scriptName: "pitch-api", deployStandIn: false });
    expect(config.database).toEqual({ id: "5b1f9a2e-7c3d-4e8f-9a0b-1c2d3e4f5a6b" });
    expect(config.rollout.production).toBe(0);
  });

  it("accepts values as Pulumi hands them over: objects and lists as JSON strings", () => {
    const asPulumi = Object.fromEntries(
      Object.entries(stackConfig("staging")).map(([key, value]) => [
        key,
        typeof value === "string" ? value : JSON.stringify(value),
      ]),
    );
    expect(parse(asPulumi)).toEqual(parse(stackConfig("staging")));
  });
});

describe("values as the Pulumi CLI stores them", () => {
  // `pulumi config set` stores plain values as strings, and `--path` turns only integers and
  // true/false into YAML numbers and booleans: `--path ...headSamplingRate 0.5` stays "0.5".
  it("takes numbers and booleans spelt as strings", () => {
    const config = parse(
      stackConfig("staging", {
        "platform:monolith": { scriptName: "pitch-staging-monolith", deployStandIn: "true" },
        "platform:rollout": { investor: "50", creator: "0" },
        "platform:workers": {
          router: { observability: { enabled: "true", headSamplingRate: "0.5" } },
        },
      }),
    );
    expect(config.monolith).toEqual({ scriptName: "pitch-staging-monolith", deployStandIn: true });
    expect(config.rollout).toMatchObject({ investor: 50, creator: 0 });
    expect(config.workers.router?.observability).toEqual({ enabled: true, headSamplingRate: 0.5 });
  });

  it("takes weights of 100 spelt as strings without a monolith", () => {
    const config = parse(
      withChange(stackConfig("staging"), {
        "platform:monolith": undefined,
        "platform:rollout": { investor: "100" },
      }),
    );
    expect(config.rollout.investor).toBe(100);
  });

  it("still refuses what no string spells exactly", () => {
    const problems = problemsOf(
      stackConfig("staging", {
        "platform:rollout": { investor: "50.5", creator: " 5", browse: "" },
        "platform:workers": {
          router: { observability: { enabled: "off", headSamplingRate: "1.5" } },
        },
      }),
    );
    expect(problems).toEqual([
      'platform:rollout.investor must be an integer 0-100, got "50.5"',
      'platform:rollout.creator must be an integer 0-100, got " 5"',
      'platform:rollout.browse must be an integer 0-100, got ""',
      'platform:workers.router.observability.enabled must be true or false, got "off"',
      'platform:workers.router.observability.headSamplingRate must be a number 0-1, got "1.5"',
    ]);
  });
});

describe("defaults", () => {
  it("rate limits take their limit and period per name; ids become strings, as --path stores them", () => {
    const config = parse(
      stackConfig("staging", {
        "platform:rateLimits": JSON.stringify({
          login: { namespaceId: 1001, limit: "3", period: "10" },
          loginClient: { namespaceId: "1002" },
          register: { namespaceId: 1003 },
          events: { namespaceId: 1004, limit: 120 },
        }),
      }),
    );
    expect(config.rateLimits).toEqual({
      login: { namespaceId: "1001", limit: 3, period: 10 },
      loginClient: { namespaceId: "1002", limit: 30, period: 60 },
      register: { namespaceId: "1003", limit: 10, period: 60 },
      events: { namespaceId: "1004", limit: 120, period: 60 },
    });
  });

  it("no rateLimits: no limit is declared", () => {
    expect(parse(stackConfig("staging", { "platform:rateLimits": undefined })).rateLimits).toBe(
      undefined,
    );
  });

  it("a service missing from rollout gets 0 with a monolith", () => {
    const config = parse(stackConfig("staging", { "platform:rollout": { investor: 30 } }));
    // A service with no blue side has no weight to miss: it is always at 100.
    expect(config.rollout).toEqual(
      Object.fromEntries(
        SERVICE_NAMES.map((s) => [s, s === "investor" ? 30 : hasBlueSide(s) ? 0 : 100]),
      ),
    );
  });

  it("and 100 without one (the migration is finished)", () => {
    const config = parse(
      withChange(stackConfig("staging"), {
        "platform:monolith": undefined,
        "platform:rollout": {},
      }),
    );
    expect(config.rollout).toEqual(Object.fromEntries(SERVICE_NAMES.map((s) => [s, 100])));
  });

  it("CORS origins, workers overrides and flags default to empty", () => {
    const config = parse(withChange(stackConfig("staging"), { "platform:corsOrigins": undefined }));
    expect(config.corsOrigins).toEqual([]);
    expect(config.workers).toEqual({});
    expect(config.compatibilityFlags).toEqual([]);
  });

  it("ignores other namespaces (provider settings such as cloudflare:apiToken)", () => {
    expect(() => parse(stackConfig("staging", { "cloudflare:apiToken": "x" }))).not.toThrow();
  });
});

describe("deadlines and skip", () => {
  it("reach the router's CONFIG: stack values over the defaults, skip only where a monolith is behind", () => {
    const config = parse(
      stackConfig("staging", {
        "platform:workers": {
          investor: { deadlineMs: "2500", skipAfterFailures: 3, skipForMs: 60000 },
          monolith: { deadlineMs: 20000 },
        },
      }),
    );
    const { upstreams } = routerConfigFor(config);
    expect(upstreams?.investor).toEqual({
      deadlineMs: 2500,
      skipAfterFailures: 3,
      skipForMs: 60000,
    });
    expect(upstreams?.creator).toEqual({
      deadlineMs: 10000,
      skipAfterFailures: 5,
      skipForMs: 30000,
    });
    expect(upstreams?.monolith).toEqual({ deadlineMs: 20000 });
    expect(Object.keys(upstreams ?? {})).toEqual([...SERVICE_NAMES, "monolith"]);
  });
});

describe("bad configs", () => {
  it.each(BAD_CONFIGS)("$case: $problem", ({ change, problem }) => {
    expect(problemsOf(withChange(stackConfig("staging"), change))).toEqual([problem]);
  });

  it("lists every problem at once, and the error message names the stack", () => {
    const raw = withChange(stackConfig("staging"), {
      "platform:accountId": undefined,
      "platform:rollout": { investor: 150 },
    });
    expect(() => parse(raw)).toThrow(
      'stack "staging" has 2 problem(s):\n  - platform:accountId is required\n  - platform:rollout.investor must be an integer 0-100, got 150',
    );
  });

  it("never shows the JWT key it rejects", () => {
    const problems = problemsOf(stackConfig("staging", { "platform:jwtSecret": "short-key" }));
    expect(problems).toEqual(["platform:jwtSecret must be at least 32 characters, got [secret]"]);
  });

  it("rejects an unknown key with its name, and the known ones when none is close", () => {
    expect(problemsOf(stackConfig("staging", { "platform:rollot": {} }))).toEqual([
      "platform:rollot is not a known setting; did you mean platform:rollout?",
    ]);
    expect(problemsOf(stackConfig("staging", { "platform:region": "weur" }))).toEqual([
      "platform:region is not a known setting; known settings: accountId, zoneId, hostname, publicEndpoint, namePrefix, monolith, database, corsOrigins, rollout, secretsStoreId, jwtSecret, compatibilityDate, compatibilityFlags, workers, telemetry, rateLimits",
    ]);
  });
});
