import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseStackConfig } from "../../infra/config.ts";
import { SERVICE_NAMES } from "../../shared/workers.ts";
import { UsageError } from "../args.ts";
import { LOCAL_RATE_LIMIT, localRawConfig, localStack } from "./local-config.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SECRET = "a-local-secret-that-is-long-enough-0123456789";

const load = (stack: string, rollout: Record<string, number | string> = {}) => {
  const local = localStack(ROOT, { stack, rollout }, SECRET);
  return parseStackConfig(local.config, { stack: local.stack, source: local.source });
};

function configProblems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("localStack", () => {
  it("reads the stack file as the program would, with the local key and the stand-in", () => {
    const config = load("acme/prod");
    expect(config.stack).toBe("prod");
    expect(config.jwtSecret).toBe(SECRET);
    expect(config.corsOrigins).toContain("https://pitch.example.com");
    expect(config.monolith).toEqual({ scriptName: "pitch-api", deployStandIn: true });
  });

  it("applies --rollout over the file's weights", () => {
    const config = load("staging", { investor: 10, creator: 0 });
    expect(config.rollout.investor).toBe(10);
    expect(config.rollout.creator).toBe(0);
  });

  it("reports bad --rollout values as the program would, naming the key", () => {
    expect(configProblems(() => load("staging", { investor: 150 }))).toEqual([
      "platform:rollout.investor must be an integer 0-100, got 150",
    ]);
    expect(configProblems(() => load("staging", { nosuchservice: 5 }))).toEqual([
      `platform:rollout.nosuchservice is not a service; expected one of ${SERVICE_NAMES.join(", ")}`,
    ]);
    expect(() => load("staging", { investor: 150 })).toThrow(
      "Pulumi.staging.yaml with --rollout has 1 problem(s)",
    );
  });

  it("refuses an unknown stack, listing the known ones", () => {
    expect(() => load("qa")).toThrow(UsageError);
    expect(() => load("qa")).toThrow(
      /^--stack qa: there is no Pulumi\.qa\.yaml in .*; stacks here: prod, staging$/,
    );
  });
});

describe("localRawConfig", () => {
  it("raises every rate limit (all local clients are one address), keeping ids and periods", () => {
    const config = load("staging");
    expect(config.rateLimits?.login).toEqual({
      namespaceId: "1001",
      limit: LOCAL_RATE_LIMIT,
      period: 60,
    });
    for (const limit of Object.values(config.rateLimits ?? {})) {
      expect(limit.limit).toBe(LOCAL_RATE_LIMIT);
    }
  });

  it("adds the stand-in monolith to a stack that has none", () => {
    const raw = localRawConfig(
      { "platform:namePrefix": "pitch-done", "platform:rollout": { auth: 100 } },
      { creator: 20 },
      SECRET,
    );
    expect(raw["platform:monolith"]).toEqual({
      scriptName: "pitch-done-monolith",
      deployStandIn: true,
    });
    expect(raw["platform:rollout"]).toEqual({ auth: 100, creator: 20 });
    expect(raw["platform:jwtSecret"]).toBe(SECRET);
  });
});
