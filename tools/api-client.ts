// A small JSON client for the platform's public API (docs/api.md), used by seed, smoke and the local
// platform, and the `--url`/`--stack` flags that name which platform. Only fetch, with a timeout.

import { COMMON_FLAGS, UsageError, urlFlag } from "../cli/args.ts";
import { offlineConfig, REPO_ROOT, readStackFile } from "../cli/stack-file.ts";
import { PROJECT } from "../infra/config.ts";
import { REQUEST_ID_HEADER, SERVED_BY_HEADER } from "../shared/identity.ts";

const LOCAL_URL = "http://127.0.0.1:8787";

/** How smoke and seed are pointed at a platform: a URL, or a deployed stack by name. */
export const TARGET_FLAGS = {
  url: { ...COMMON_FLAGS.url, help: `${COMMON_FLAGS.url.help} (default ${LOCAL_URL})` },
  stack: {
    ...COMMON_FLAGS.stack,
    help: "a deployed stack: https://<platform:hostname> of its file",
  },
} as const;

/** The base URL `--url` or `--stack` names (not both); the local platform when neither. */
export function targetUrl(flags: { url?: string | undefined; stack?: string | undefined }): string {
  if (flags.url !== undefined && flags.stack !== undefined)
    throw new UsageError("--url and --stack both name the platform; give one of them");
  if (flags.stack === undefined) return urlFlag(flags.url ?? LOCAL_URL);
  const file = readStackFile(REPO_ROOT, flags.stack);
  const hostname = offlineConfig(file.text, file.source)[`${PROJECT}:hostname`];
  if (typeof hostname !== "string") throw new Error(`${file.source} has no ${PROJECT}:hostname`);
  return `https://${hostname}`;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  json: T | undefined;
  text: string;
  contentType: string;
  servedBy: string | null;
  requestId: string | null;
}

export type RequestOptions = { token?: string | undefined; body?: unknown };

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {}

  get = <T>(path: string, options?: RequestOptions) => this.request<T>("GET", path, options);
  post = <T>(path: string, options?: RequestOptions) => this.request<T>("POST", path, options);

  private async request<T>(method: string, path: string, options: RequestOptions = {}) {
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.baseUrl.replace(/\/+$/, "")}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: "manual",
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    const contentType = response.headers.get("content-type") ?? "";
    return {
      status: response.status,
      json: contentType.includes("json") ? parseJson<T>(text) : undefined,
      text,
      contentType,
      servedBy: response.headers.get(SERVED_BY_HEADER),
      requestId: response.headers.get(REQUEST_ID_HEADER),
    } satisfies ApiAnswer<T>;
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** `{ error: { code, message } }` of an error answer, for messages. */
export function errorOf(answer: ApiAnswer): string {
  const error = (answer.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  return error ? `${error.code}: ${error.message}` : answer.text.slice(0, 200) || "(empty body)";
}

/** fetch's own errors say only "fetch failed"; the cause says why (refused, DNS, timeout). */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "no answer within the timeout";
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const hint = cause?.code === "ECONNREFUSED" ? "; is the platform running? (npm start)" : "";
  return cause ? `${error.message}: ${cause.code ?? cause.message}${hint}` : error.message;
}

/** The part of register's and login's session answer that seed and smoke use. */
export type Session = { token: string; user: { email: string } };
