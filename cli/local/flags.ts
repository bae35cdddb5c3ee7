// The command line of `npm start` / `npm run dev`: its flags (parsed by cli/args.ts) turned into
// start options. Pure: flags and env in, options or a UsageError naming the flag out.

import { COMMON_FLAGS, type FlagValues, integerFlag, UsageError } from "../args.ts";
import { parseFaults } from "./faults.ts";

export const DEFAULT_PORT = 8787;
export const DEFAULT_STACK = "staging";

export const START_COMMAND = {
  usage: "npm start -- [flags]     (npm run dev -- [flags] adds --watch)",
  summary:
    "Runs the whole platform locally in one workerd (Miniflare): the router on 127.0.0.1, every service and the stand-in monolith, one persisted D1, built and checked by the Pulumi program's own plan.",
  flags: {
    port: { type: "string", value: "<n>", help: `port of the router (default ${DEFAULT_PORT})` },
    stack: {
      ...COMMON_FLAGS.stack,
      help: `stack file to take rollout and CORS from (default ${DEFAULT_STACK})`,
    },
    rollout: {
      type: "string",
      value: "<list>",
      multiple: true,
      help: "override weights, e.g. investor=50,creator=0 (0-100, share served by the service)",
    },
    state: {
      type: "string",
      value: "<dir>",
      help: "state folder: persisted D1, secrets store, JWT key (default .local)",
    },
    "jwt-secret": {
      type: "string",
      value: "<s>",
      help: "JWT key (at least 32 characters; also env PLATFORM_JWT_SECRET)",
    },
    fault: {
      type: "string",
      value: "<worker>=<mode>[@%]",
      multiple: true,
      help: "inject a fault: throw, 500, 503, hang or slow:<ms>, on a share of requests, e.g. investor=500@20 (local only)",
    },
    watch: { type: "boolean", help: "rebuild and reload workers on file change, keeping the data" },
    seed: { type: "boolean", help: "load demo data after start (as npm run seed does)" },
  },
  examples: [
    "npm start                              # http://127.0.0.1:8787, stack staging",
    "npm start -- --rollout browse=50       # half of browse's callers on the monolith",
    "npm run dev -- --port 8788 --seed      # reload on save, with demo data",
    "npm start -- --fault investor=hang     # watch the router's deadline and fallback",
  ],
} as const;

export type StartOptions = ReturnType<typeof startOptions>;

export function startOptions(
  flags: FlagValues<typeof START_COMMAND.flags>,
  env: Readonly<Record<string, string | undefined>> = {},
) {
  if (flags.state?.trim() === "") {
    throw new UsageError("--state must be a folder, got an empty value");
  }
  return {
    port: integerFlag(flags.port, "port", { min: 1, max: 65535, fallback: DEFAULT_PORT }),
    stack: flags.stack ?? DEFAULT_STACK,
    /** State folder; undefined means `<repo>/.local`. */
    stateDir: flags.state,
    /** From `--jwt-secret`, else env PLATFORM_JWT_SECRET; undefined means the one kept in state. */
    jwtSecret: jwtSecretOf(flags["jwt-secret"], env.PLATFORM_JWT_SECRET),
    /** `--rollout investor=50,creator=0`; values stay raw so the stack parser reports them. */
    rollout: parseRollout(flags.rollout ?? []),
    /** `--fault investor=500@20`: local only, never in a deployed bundle. */
    faults: parseFaults(flags.fault ?? []),
    watch: flags.watch ?? false,
    seed: flags.seed ?? false,
  };
}

function jwtSecretOf(flag: string | undefined, env: string | undefined) {
  const given =
    flag !== undefined
      ? { value: flag, from: "--jwt-secret" as const }
      : env
        ? { value: env, from: "PLATFORM_JWT_SECRET" as const }
        : undefined;
  if (given && given.value.length < 32) {
    throw new UsageError(
      `${given.from} must be at least 32 characters, got ${given.value.length}; try $(openssl rand -base64 48)`,
    );
  }
  return given;
}

/** `investor=50,creator=0` (the flag may repeat); later entries win. */
export function parseRollout(entries: readonly string[]): Record<string, number | string> {
  const rollout: Record<string, number | string> = {};
  for (const entry of entries.flatMap((e) => e.split(","))) {
    const match = /^\s*([a-z][a-z0-9-]*)\s*=\s*(\S*)\s*$/i.exec(entry);
    if (!match) {
      throw new UsageError(
        `--rollout takes service=weight pairs like investor=50,creator=0, got ${JSON.stringify(entry)}`,
      );
    }
    const [, service, weight] = match as unknown as [string, string, string];
    rollout[service] = /^-?\d+(\.\d+)?$/.test(weight) ? Number(weight) : weight;
  }
  return rollout;
}
