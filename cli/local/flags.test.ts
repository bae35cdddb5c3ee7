import { describe, expect, it } from "vitest";
import { WORKER_NAMES } from "../../shared/workers.ts";
import { parseFlags, UsageError } from "../args.ts";
import { DEFAULT_PORT, parseRollout, START_COMMAND, startOptions } from "./flags.ts";

const parseStartFlags = (argv: string[], env: Record<string, string> = {}) =>
  startOptions(parseFlags(START_COMMAND, argv), env);

const SECRET = "a-local-secret-that-is-long-enough-0123456789";

function flagError(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseStartFlags(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(" ")} to be refused`);
}

describe("parseStartFlags", () => {
  it("has defaults for everything", () => {
    expect(parseStartFlags([])).toEqual({
      port: DEFAULT_PORT,
      stack: "staging",
      stateDir: undefined,
      jwtSecret: undefined,
      rollout: {},
      faults: {},
      watch: false,
      seed: false,
    });
  });

  it("reads faults, and names the flag and the format when one is wrong", () => {
    expect(
      parseStartFlags(["--fault", "investor=500@20", "--fault", "browse=slow:800,monolith=hang"])
        .faults,
    ).toEqual({
      investor: { mode: "500", percent: 20 },
      browse: { mode: "slow", ms: 800, percent: 100 },
      monolith: { mode: "hang", percent: 100 },
    });
    expect(() => parseStartFlags(["--fault", "investor=boom"])).toThrow(
      '--fault takes <worker>=<mode>[@<percent>] with mode throw, 500, 503, hang or slow:<ms>, e.g. investor=500@20; got "investor=boom"',
    );
    const faultable = WORKER_NAMES.filter((name) => name !== "router");
    expect(() => parseStartFlags(["--fault", "router=500"])).toThrow(
      `--fault router=500: "router" is not one of ${faultable.join(", ")}`,
    );
    expect(() => parseStartFlags(["--fault", "investor=503@0"])).toThrow(
      "--fault investor=503@0: the percent must be 1-100, got 0",
    );
  });

  it("reads every flag", () => {
    const flags = parseStartFlags([
      "--port",
      "9000",
      "--stack",
      "prod",
      "--state",
      "/tmp/state",
      "--jwt-secret",
      SECRET,
      "--rollout",
      "investor=50,creator=0",
      "--watch",
      "--seed",
    ]);
    expect(flags).toMatchObject({
      port: 9000,
      stack: "prod",
      stateDir: "/tmp/state",
      jwtSecret: { value: SECRET, from: "--jwt-secret" },
      rollout: { investor: 50, creator: 0 },
      watch: true,
      seed: true,
    });
  });

  it("takes the JWT key from PLATFORM_JWT_SECRET unless the flag is given", () => {
    expect(parseStartFlags([], { PLATFORM_JWT_SECRET: SECRET }).jwtSecret).toEqual({
      value: SECRET,
      from: "PLATFORM_JWT_SECRET",
    });
    const both = parseStartFlags(["--jwt-secret", `${SECRET}x`], { PLATFORM_JWT_SECRET: SECRET });
    expect(both.jwtSecret?.from).toBe("--jwt-secret");
    expect(parseStartFlags([], { PLATFORM_JWT_SECRET: "" }).jwtSecret).toBeUndefined();
  });

  it("refuses unknown flags, stray arguments and missing values in one line", () => {
    expect(flagError(["--bogus"])).toBe("unknown flag --bogus; run with --help to see the flags");
    expect(flagError(["start"])).toBe(
      'unexpected argument "start"; flags start with --, run with --help to see them',
    );
    expect(flagError(["--port"])).toBe("--port needs a value; run with --help to see the flags");
  });

  it("refuses a port that is not 1-65535", () => {
    for (const port of ["abc", "0", "65536", "80.5", "-1"]) {
      expect(flagError([`--port=${port}`])).toBe(
        `--port must be an integer 1-65535, got ${JSON.stringify(port)}`,
      );
    }
  });

  it("refuses a short JWT key, naming where it came from", () => {
    expect(flagError(["--jwt-secret", "short"])).toBe(
      "--jwt-secret must be at least 32 characters, got 5; try $(openssl rand -base64 48)",
    );
    expect(flagError([], { PLATFORM_JWT_SECRET: "short" })).toMatch(/^PLATFORM_JWT_SECRET must/);
  });

  it("refuses an empty --state", () => {
    expect(flagError(["--state", " "])).toBe("--state must be a folder, got an empty value");
  });
});

describe("parseRollout", () => {
  it("reads pairs, repeated flags and spaces; later entries win", () => {
    expect(parseRollout(["investor=50, creator = 0", "investor=75"])).toEqual({
      investor: 75,
      creator: 0,
    });
  });

  it("keeps values that are not numbers raw, so the stack parser reports them with the key", () => {
    expect(parseRollout(["investor=lots", "creator=150", "auth=12.5"])).toEqual({
      investor: "lots",
      creator: 150,
      auth: 12.5,
    });
  });

  it("refuses entries that are not service=weight", () => {
    expect(() => parseRollout(["investor"])).toThrow(
      '--rollout takes service=weight pairs like investor=50,creator=0, got "investor"',
    );
  });
});
