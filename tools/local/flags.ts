// Command-line flags of `npm start` / `npm run dev`. Pure: argv and env in, flags or a FlagError
// (one line, exit code 2) out; the stack file itself is checked by local-config.ts.

import { parseArgs } from "node:util";

export const DEFAULT_PORT = 8787;
export const DEFAULT_STACK = "staging";
/** The only address the platform listens on. */
export const LOCAL_HOST = "127.0.0.1";

export interface StartFlags {
  port: number;
  stack: string;
  /** State folder (persisted D1, secrets store, JWT key); undefined means `<repo>/.local`. */
  stateDir: string | undefined;
  /** From `--jwt-secret`, else env PLATFORM_JWT_SECRET; undefined means the one kept in state. */
  jwtSecret: { value: string; from: "--jwt-secret" | "PLATFORM_JWT_SECRET" } | undefined;
  /** `--rollout investor=50,creator=0`; values stay raw so the stack parser reports them. */
  rollout: Record<string, number | string>;
  watch: boolean;
  seed: boolean;
  help: boolean;
}

/** A wrong flag; the CLI prints the message and exits with code 2. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FlagError";
  }
}

export const USAGE = `usage: npm start -- [flags]     (npm run dev -- [flags] adds --watch)

  --port <n>            port of the router on ${LOCAL_HOST} (default ${DEFAULT_PORT})
  --stack <name>        stack file Pulumi.<name>.yaml to take rollout and CORS from (default ${DEFAULT_STACK})
  --rollout <list>      override weights, e.g. investor=50,creator=0 (0-100, share served by the service)
  --state <dir>         state folder: persisted D1, secrets store, JWT key (default .local)
  --jwt-secret <s>      JWT key (at least 32 characters; also env PLATFORM_JWT_SECRET)
  --watch               rebuild and reload workers on file change, keeping the data
  --seed                load demo data after start (as npm run seed does)
  --help                show this help`;

const OPTIONS = {
  port: { type: "string" },
  stack: { type: "string" },
  rollout: { type: "string", multiple: true },
  state: { type: "string" },
  "jwt-secret": { type: "string" },
  watch: { type: "boolean" },
  seed: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export function parseStartFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): StartFlags {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>["values"];
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values;
  } catch (error) {
    throw new FlagError(describeParseError(error));
  }
  return {
    port: parsePort(values.port),
    stack: parseStack(values.stack),
    stateDir: nonEmpty(values.state, "--state", "a folder"),
    jwtSecret: parseJwtSecret(values["jwt-secret"], env.PLATFORM_JWT_SECRET),
    rollout: parseRollout(values.rollout ?? []),
    watch: values.watch ?? false,
    seed: values.seed ?? false,
    help: values.help ?? false,
  };
}

function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const flag = /'(-{1,2}[^'\s]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    return `unknown flag ${flag ?? ""}; run with --help to see the flags`.replace("  ", " ");
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return `${flag ?? "a flag"} needs a value; run with --help to see the flags`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const argument = /'([^']*)'/.exec(message)?.[1];
    return `unexpected argument "${argument}"; flags start with --, run with --help to see them`;
  }
  return message.split("\n")[0] ?? message;
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new FlagError(`--port must be an integer 1-65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

function parseStack(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_STACK;
  if (!/^[a-z0-9][a-z0-9_-]*$/i.test(raw)) {
    throw new FlagError(
      `--stack must be a stack name like "staging" (letters, digits, - or _), got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

function nonEmpty(raw: string | undefined, flag: string, what: string): string | undefined {
  if (raw === undefined) return undefined;
  if (raw.trim() === "") throw new FlagError(`${flag} must be ${what}, got an empty value`);
  return raw;
}

function parseJwtSecret(
  flag: string | undefined,
  env: string | undefined,
): StartFlags["jwtSecret"] {
  const given =
    flag !== undefined
      ? { value: flag, from: "--jwt-secret" as const }
      : env !== undefined && env !== ""
        ? { value: env, from: "PLATFORM_JWT_SECRET" as const }
        : undefined;
  if (given && given.value.length < 32) {
    throw new FlagError(
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
      throw new FlagError(
        `--rollout takes service=weight pairs like investor=50,creator=0, got ${JSON.stringify(entry)}`,
      );
    }
    const [, service, weight] = match as unknown as [string, string, string];
    rollout[service] = /^-?\d+(\.\d+)?$/.test(weight) ? Number(weight) : weight;
  }
  return rollout;
}
