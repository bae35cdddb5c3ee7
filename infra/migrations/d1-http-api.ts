// A migration executor over Cloudflare's D1 HTTP API (`POST …/d1/database/:id/query`), so
// `pulumi up` can apply migrations without wrangler. The API token never appears in an error.

import type { MigrationExecutor } from "./apply.ts";

export interface D1ApiOptions {
  accountId: string;
  databaseId: string;
  apiToken: string;
  /** Cloudflare's v4 API root; tests point it at a local fake. */
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
}

/** One entry of Cloudflare's `result` array: one per statement in the request. */
interface D1QueryResult {
  results?: Record<string, unknown>[];
  success?: boolean;
}

interface CloudflareEnvelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: D1QueryResult[] | null;
}

/** A D1 request that failed, with Cloudflare's own message; `status` is the HTTP status. */
export class D1ApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "D1ApiError";
  }
}

export function d1ApiExecutor(options: D1ApiOptions): MigrationExecutor {
  const baseUrl = (options.baseUrl ?? "https://api.cloudflare.com/client/v4").replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const url = `${baseUrl}/accounts/${encodeURIComponent(options.accountId)}/d1/database/${encodeURIComponent(options.databaseId)}/query`;
  const hideToken = (text: string) =>
    options.apiToken ? text.split(options.apiToken).join("[token]") : text;

  async function post(sql: string, params: string[]): Promise<D1QueryResult[]> {
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.apiToken}`,
          "content-type": "application/json",
        },
        body: JSON.stringify(params.length > 0 ? { sql, params } : { sql }),
      });
    } catch (error) {
      throw new D1ApiError(
        hideToken(`D1 API ${baseUrl} could not be reached: ${(error as Error).message}`),
      );
    }
    const text = await response.text();
    let body: CloudflareEnvelope | undefined;
    try {
      body = JSON.parse(text) as CloudflareEnvelope;
    } catch {
      body = undefined;
    }
    if (!response.ok || !body || body.success === false || !Array.isArray(body.result)) {
      throw new D1ApiError(
        hideToken(describeFailure(response.status, body, text)),
        response.status,
      );
    }
    const failed = body.result.findIndex((entry) => entry.success === false);
    if (failed !== -1) {
      throw new D1ApiError(
        `D1 reported statement ${failed + 1} of the batch as failed`,
        response.status,
      );
    }
    return body.result;
  }

  return {
    // `/query` documents no all-or-nothing promise for several statements (only the binding's
    // batch() has one), so files go one statement at a time with recorded progress (apply.ts).
    atomic: false,
    async query(sql, params = []) {
      const result = await post(sql, params);
      return result.flatMap((entry) => entry.results ?? []);
    },
    async run(statements) {
      if (statements.length === 0) return;
      await post(joinStatements(statements), []);
    },
  };
}

/** D1 runs `;`-separated statements of one request as a batch, in one transaction. */
function joinStatements(statements: string[]): string {
  return statements.map((s) => s.trim().replace(/;\s*$/, "")).join(";\n");
}

function describeFailure(
  status: number,
  body: CloudflareEnvelope | undefined,
  text: string,
): string {
  const messages = (body?.errors ?? [])
    .map((e) => (e.code ? `${e.message ?? "unknown error"} [code ${e.code}]` : e.message))
    .filter(Boolean);
  if (messages.length > 0) return `D1 API error (HTTP ${status}): ${messages.join("; ")}`;
  const excerpt = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return `D1 API answered HTTP ${status} without a Cloudflare error: ${excerpt || "(empty body)"}`;
}
