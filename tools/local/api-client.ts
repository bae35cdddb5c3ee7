// A small JSON client for the platform's public API (docs/api.md), used by the seed and smoke
// scripts. Only fetch, with a timeout on every request, so it works against any https URL too.

import { REQUEST_ID_HEADER, SERVED_BY_HEADER } from "../../shared/identity.ts";

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

/** Session answer of register and login. */
export interface Session {
  token: string;
  expiresAt: string;
  user: { id: string; email: string; name: string; role: string; createdAt: string };
}

/** Parses a `--url` value: an http(s) URL without path beyond `/`. */
export function parseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`--url must be a URL like http://127.0.0.1:8787, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`--url must start with http:// or https://, got ${JSON.stringify(raw)}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
}
