// Command-line flags for every command (cli/ and tools/): `node:util` parseArgs, a `--help` with an
// example generated from the flag list, the same names for the same things, and exit code 2 for a
// usage error that names the flag.

import { parseArgs } from "node:util";
import { textTable } from "./text-table.ts";

export interface FlagSpec {
  type: "string" | "boolean";
  /** The value's placeholder in the help, e.g. `<name>`; string flags only. */
  value?: string;
  help: string;
  multiple?: boolean;
  short?: string;
}

type Flags = Record<string, FlagSpec>;

export interface CommandSpec<F extends Flags> {
  /** How it is run, e.g. `npm run plan -- --stack <name> [flags]`. */
  usage: string;
  /** One sentence on what it does. */
  summary: string;
  flags: F;
  /** Command lines shown under the help, each with a one-line comment. */
  examples: readonly string[];
}

/** What `parseFlags` answers for a flag list: each flag optional, typed by its spec. */
export type FlagValues<F extends Flags> = {
  [K in keyof F]?: F[K]["type"] extends "boolean"
    ? boolean
    : F[K]["multiple"] extends true
      ? string[]
      : string;
};

/** A wrong flag or flag value; the message names the flag and what was expected. */
export class UsageError extends Error {
  override name = "UsageError";
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
} as const satisfies Flags;

export function helpText<F extends Flags>(command: CommandSpec<F>): string {
  const flags: Flags = { ...command.flags, help: { type: "boolean", help: "show this help" } };
  return [
    `usage: ${command.usage}`,
    "",
    command.summary,
    "",
    ...textTable(
      Object.entries(flags).map(([name, flag]) => [
        `--${name}${flag.value ? ` ${flag.value}` : ""}`,
        flag.help,
      ]),
    ),
    "",
    "examples:",
    ...command.examples.map((line) => `  ${line}`),
  ].join("\n");
}

/** The parsed flags; throws UsageError for an unknown flag, a missing value or a stray argument. */
export function parseFlags<F extends Flags>(
  command: CommandSpec<F>,
  argv: readonly string[],
): FlagValues<F> & { help?: boolean } {
  // parseArgs reads `type`, `multiple` and `short` and ignores the help fields.
  const options = { ...command.flags, help: { type: "boolean", short: "h" } } as const;
  try {
    return parseArgs({ args: [...argv], options, strict: true }).values as FlagValues<F>;
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

/**
 * Runs a command: `--help` prints the help and exits 0; a UsageError prints its message and the
 * usage line and exits 2; otherwise the exit code is what `main` answers (1 for any other error).
 */
export async function runCommand<F extends Flags>(
  command: CommandSpec<F>,
  main: (flags: FlagValues<F>) => Promise<number>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<never> {
  let code: number;
  try {
    const flags = parseFlags(command, argv);
    if (flags.help) console.log(helpText(command));
    code = flags.help ? 0 : await main(flags);
  } catch (error) {
    const usage = error instanceof UsageError;
    const message = error instanceof Error ? error.message : String(error);
    console.error(usage ? `${message}\nusage: ${command.usage} (--help for more)` : message);
    code = usage ? 2 : 1;
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
  const got = `got ${JSON.stringify(raw)}`;
  if (!URL.canParse(raw))
    throw new UsageError(`--url must be a URL like http://127.0.0.1:8787, ${got}`);
  const url = new URL(raw);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--url must start with http:// or https://, ${got}`);
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
