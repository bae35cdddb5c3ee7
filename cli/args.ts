// Command-line flags for every command (cli/ and tools/): `node:util` parseArgs, a `--help` with an
// example generated from the flag list, the same names for the same things, and exit code 2 for a
// usage error that names the flag.

import { parseArgs } from "node:util";

export interface FlagSpec {
  type: "string" | "boolean";
  /** The value's placeholder in the help, e.g. `<name>`; string flags only. */
  value?: string;
  help: string;
  multiple?: boolean;
  short?: string;
}

export interface CommandSpec<F extends Record<string, FlagSpec>> {
  /** How it is run, e.g. `npm run plan -- --stack <name> [flags]`. */
  usage: string;
  /** One sentence on what it does. */
  summary: string;
  flags: F;
  /** Command lines shown under the help, each with a one-line comment. */
  examples: readonly string[];
}

type Values<F extends Record<string, FlagSpec>> = {
  [K in keyof F]?: F[K]["type"] extends "boolean"
    ? boolean
    : F[K]["multiple"] extends true
      ? string[]
      : string;
};

/** A wrong flag or flag value; the message names the flag and what was expected. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The flags every command that talks to a stack or a platform spells the same way. */
export const COMMON_FLAGS = {
  stack: {
    type: "string",
    value: "<name>",
    help: "stack, as Pulumi names it: staging, org/staging or org/project/staging",
  },
  url: { type: "string", value: "<base URL>", help: "a running platform, local or deployed" },
  json: { type: "boolean", help: "print the result as JSON" },
} as const satisfies Record<string, FlagSpec>;

export function helpText<F extends Record<string, FlagSpec>>(command: CommandSpec<F>): string {
  const flags: [string, string][] = Object.entries({
    ...command.flags,
    help: { type: "boolean", help: "show this help" },
  } as Record<string, FlagSpec>).map(([name, flag]) => [
    `--${name}${flag.value ? ` ${flag.value}` : ""}`,
    flag.help,
  ]);
  const width = Math.max(...flags.map(([left]) => left.length));
  return [
    `usage: ${command.usage}`,
    "",
    command.summary,
    "",
    ...flags.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`),
    "",
    "examples:",
    ...command.examples.map((line) => `  ${line}`),
  ].join("\n");
}

/** The parsed flags; throws UsageError for an unknown flag, a missing value or a stray argument. */
export function parseFlags<F extends Record<string, FlagSpec>>(
  command: CommandSpec<F>,
  argv: readonly string[],
): Values<F> & { help?: boolean } {
  const options: Record<
    string,
    { type: "string" | "boolean"; multiple?: boolean; short?: string }
  > = { help: { type: "boolean", short: "h" } };
  for (const [name, flag] of Object.entries(command.flags)) {
    options[name] = {
      type: flag.type,
      ...(flag.multiple ? { multiple: true } : {}),
      ...(flag.short ? { short: flag.short } : {}),
    };
  }
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false })
      .values as Values<F> & { help?: boolean };
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

/**
 * Runs a command: `--help` prints the help and exits 0; a UsageError prints its message and the
 * usage line and exits 2; otherwise the exit code is what `main` answers (1 for any other error).
 */
export async function runCommand<F extends Record<string, FlagSpec>>(
  command: CommandSpec<F>,
  main: (flags: Values<F>) => Promise<number>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<never> {
  let code: number;
  try {
    const flags = parseFlags(command, argv);
    if (flags.help) {
      console.log(helpText(command));
      process.exit(0);
    }
    code = await main(flags);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\nusage: ${command.usage} (--help for more)`);
      code = 2;
    } else {
      console.error(error instanceof Error ? error.message : String(error));
      code = 1;
    }
  }
  process.exit(code);
}

/** A whole number in [min, max] from a flag, or a UsageError naming the flag. */
export function integerFlag(
  raw: string | undefined,
  flag: string,
  range: { min: number; max: number; fallback: number },
): number {
  if (raw === undefined) return range.fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < range.min || value > range.max) {
    throw new UsageError(
      `--${flag} must be an integer ${range.min}-${range.max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** Parses a `--url` value: an http(s) URL with no path beyond `/`. */
export function urlFlag(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--url must be a URL like http://127.0.0.1:8787, got ${JSON.stringify(raw)}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url must start with http:// or https://, got ${JSON.stringify(raw)}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
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
