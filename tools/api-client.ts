// A small JSON client for the platform's public API (docs/api.md), used by seed, smoke and the local
// platform, and the `--url`/`--stack` flags that name which platform. Only fetch, with a timeout.

import { resolve } from "node:path";
import { COMMON_FLAGS, UsageError, urlFlag } from "../cli/args.ts";
import { offlineConfig, readStackFile } from "../cli/stack-file.ts";
import { PROJECT } from "../infra/config.ts";
import { REQUEST_ID_HEADER, SERVED_BY_HEADER } from "../shared/identity.ts";

const ROOT = resolve(import.meta.dirname, "..");
const LOCAL_URL = "http://127.0.0.1:8787";

/** How smoke and seed are pointed at a platform: a URL, or a deployed stack by name. */
export const TARGET_FLAGS = {
  url: {
    ...COMMON_FLAGS.url,
    help: `a running platform, local or deployed (default ${LOCAL_URL})`,
  },
  stack: {
    ...COMMON_FLAGS.stack,
    help: "a deployed stack: https://<platform:hostname> of its file",
  },
} as const;

/** The base URL `--url` or `--stack` names (not both); the local platform when neither. */
export function targetUrl(flags: { url?: string | undefined; stack?: string | undefined }): string {
  if (flags.url !== undefined && flags.stack !== undefined) {
    throw new UsageError("--url and --stack both name the platform; give one of them");
  }
  if (flags.stack === undefined) return urlFlag(flags.url ?? LOCAL_URL);
  const file = readStackFile(ROOT, flags.stack);
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
  ms: number;
}

export interface RequestOptions {
  token?: string | undefined;
  body?: unknown;
  headers?: Record<string, string>;
}

export class ApiClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: "manual",
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    const contentType = response.headers.get("content-type") ?? "";
    let json: T | undefined;
    if (contentType.includes("json") && text !== "") {
      try {
        json = JSON.parse(text) as T;
      } catch {
        json = undefined;
      }
    }
    return {
      status: response.status,
      json,
      text,
      contentType,
      servedBy: response.headers.get(SERVED_BY_HEADER),
      requestId: response.headers.get(REQUEST_ID_HEADER),
      ms: performance.now() - started,
    };
  }

  get<T = unknown>(path: string, options?: RequestOptions) {
    return this.request<T>("GET", path, options);
  }

  post<T = unknown>(path: string, options?: RequestOptions) {
    return this.request<T>("POST", path, options);
  }
}

/** `{ error: { code, message } }` of an error answer, for messages. */
export function errorOf(answer: ApiAnswer): string {
  const error = (answer.json as { error?: { code?: string; message?: string } } | undefined)?.error;
  if (error) return `${error.code}: ${error.message}`;
  return answer.text.slice(0, 200) || "(empty body)";
}

/** fetch's own errors say only "fetch failed"; the cause says why (refused, DNS, timeout). */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "no answer within the timeout";
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const hint = cause?.code === "ECONNREFUSED" ? "; is the platform running? (npm start)" : "";
  return cause ? `${error.message}: ${cause.code ?? cause.message}${hint}` : error.message;
}

/** Session answer of register and login. */
export interface Session {
  token: string;
  expiresAt: string;
  user: { id: string; email: string; name: string; role: string; createdAt: string };
}
