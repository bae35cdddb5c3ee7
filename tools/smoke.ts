// `npm run smoke`: a release manager's check of a running platform, local or deployed: health,
// sign-up → pitch → publish → search → offer → creator sees it, and every route prefix of the
// topology answered by its worker. Only fetch; exit 1 on any failed step, 2 on bad flags.

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMON_FLAGS, integerFlag, runCommand } from "../cli/args.ts";
import { routeTable } from "../infra/topology.ts";
import {
  type ApiAnswer,
  ApiClient,
  describeFetchError,
  errorOf,
  type Session,
  TARGET_FLAGS,
  targetUrl,
} from "./api-client.ts";

export interface SmokeStep {
  name: string;
  ok: boolean;
  status?: number;
  ms: number;
  detail: string;
}

export interface SmokeResult {
  ok: boolean;
  steps: SmokeStep[];
  ms: number;
}

class StepFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const SEARCH_ATTEMPTS = 5;

/** Runs every step; a step whose inputs are missing (an earlier step failed) is reported failed. */
export async function runSmoke(
  baseUrl: string,
  options: { timeoutMs?: number } = {},
): Promise<SmokeResult> {
  const api = new ApiClient(baseUrl, options.timeoutMs ?? 15_000);
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const steps: SmokeStep[] = [];
  const started = performance.now();

  async function step<T>(
    name: string,
    body: () => Promise<{ answer: ApiAnswer; value: T; detail?: string }>,
  ): Promise<T | undefined> {
    const stepStarted = performance.now();
    try {
      const { answer, value, detail } = await body();
      steps.push({
        name,
        ok: true,
        status: answer.status,
        ms: performance.now() - stepStarted,
        detail: detail ?? servedBy(answer),
      });
      return value;
    } catch (error) {
      const status = error instanceof StepFailure ? error.status : undefined;
      const detail = describeFetchError(error);
      steps.push({
        name,
        ok: false,
        ...(status === undefined ? {} : { status }),
        ms: performance.now() - stepStarted,
        detail,
      });
      return undefined;
    }
  }

  await step("health", async () => {
    const answer = await api.get("/health");
    expectStatus(answer, 200);
    if (!answer.servedBy || !answer.requestId)
      throw new StepFailure("x-served-by or x-request-id missing", answer.status);
    return { answer, value: true };
  });

  const register = (role: string) =>
    step(`register a ${role}`, async () => {
      const answer = await api.post<Session>("/api/auth/register", {
        body: {
          email: `smoke-${run}-${role}@smoke.example.com`,
          password: `smoke-${run}-password`,
          name: `Smoke ${role} ${run}`,
          role,
        },
      });
      expectStatus(answer, 201);
      if (!answer.json?.token) throw new StepFailure("no token in the answer", answer.status);
      return { answer, value: answer.json };
    });
  const creator = await register("creator");
  const production = await register("production");

  const creatorToken = await step("log in as the creator", async () => {
    const answer = await api.post<Session>("/api/auth/login", {
      body: { email: needed(creator, "the creator").user.email, password: `smoke-${run}-password` },
    });
    expectStatus(answer, 200);
    return { answer, value: answer.json?.token ?? needed(creator, "the creator").token };
  });

  const title = `Smoke test ${run}`;
  const pitchId = await step("create a pitch", async () => {
    const answer = await api.post<{ pitch: { id: string; status: string } }>(
      "/api/creator/pitches",
      {
        token: needed(creatorToken, "a creator token"),
        body: {
          title,
          logline: `A smoke test run ${run} checks the platform end to end.`,
          genre: "documentary",
          budgetMin: 1000,
          budgetMax: 2000,
        },
      },
    );
    expectStatus(answer, 201);
    if (answer.json?.pitch.status !== "draft")
      throw new StepFailure(`expected a draft, got ${answer.json?.pitch.status}`, answer.status);
    return { answer, value: answer.json.pitch.id };
  });

  await step("publish the pitch", async () => {
    const answer = await api.post<{ pitch: { status: string } }>(
      `/api/creator/pitches/${needed(pitchId, "a pitch")}/publish`,
      {
        token: needed(creatorToken, "a creator token"),
      },
    );
    expectStatus(answer, 200);
    if (answer.json?.pitch.status !== "published")
      throw new StepFailure(`expected published, got ${answer.json?.pitch.status}`, answer.status);
    return { answer, value: true };
  });

  await step("search finds the pitch", async () => {
    const id = needed(pitchId, "a published pitch");
    let answer: ApiAnswer<{ items: { id: string }[] }> | undefined;
    // A deployed D1 may answer from a replica a moment behind; a few bounded retries.
    for (let attempt = 1; attempt <= SEARCH_ATTEMPTS; attempt++) {
      answer = await api.get(`/api/browse/pitches?q=${encodeURIComponent(run)}&limit=10`);
      expectStatus(answer, 200);
      if (answer.json?.items.some((item) => item.id === id)) return { answer, value: true };
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 300 * attempt));
    }
    throw new StepFailure(
      `pitch ${id} not among ${answer?.json?.items.length ?? 0} results for q=${run}`,
      answer?.status,
    );
  });

  const offerId = await step("production makes an offer", async () => {
    const answer = await api.post<{ offer: { id: string } }>("/api/production/offers", {
      token: needed(production, "a production user").token,
      body: {
        pitchId: needed(pitchId, "a published pitch"),
        amount: 50_000,
        terms: `Smoke offer ${run}`,
      },
    });
    expectStatus(answer, 201);
    return { answer, value: needed(answer.json?.offer.id, "an offer id in the answer") };
  });

  await step("creator sees the offer", async () => {
    const answer = await api.get<{ items: { id: string }[] }>(
      `/api/creator/pitches/${needed(pitchId, "a pitch")}/offers`,
      {
        token: needed(creatorToken, "a creator token"),
      },
    );
    expectStatus(answer, 200);
    const id = needed(offerId, "an offer");
    if (!answer.json?.items.some((offer) => offer.id === id))
      throw new StepFailure(`offer ${id} not in the creator's list`, answer.status);
    return { answer, value: true };
  });

  for (const route of routeTable()) {
    await step(`route ${route.prefix}`, async () => {
      // Signed in, so the router forwards instead of answering 401 itself.
      const answer = await api.get(route.prefix, { token: creatorToken });
      if (answer.json === undefined)
        throw new StepFailure(
          `not a JSON answer (${answer.contentType || "no content type"})`,
          answer.status,
        );
      if (!answer.servedBy) throw new StepFailure("no x-served-by header", answer.status);
      // A 5xx, or the monolith answering for a green service that failed, is a broken worker.
      if (answer.status >= 500)
        throw new StepFailure(`${errorOf(answer)} (${servedBy(answer)})`, answer.status);
      if (answer.servedBy === "monolith-fallback")
        throw new StepFailure(
          `${route.target} failed; the monolith answered instead`,
          answer.status,
        );
      // A monolith-only prefix, or a service the monolith never served, has one possible answerer.
      const expected =
        route.target === "monolith" || route.blueSide === false
          ? [route.target]
          : [route.target, "monolith"];
      if (!expected.includes(answer.servedBy)) {
        throw new StepFailure(
          `served by "${answer.servedBy}" (${errorOf(answer)}), expected ${expected.join(" or ")}`,
          answer.status,
        );
      }
      return { answer, value: true };
    });
  }

  return { ok: steps.every((s) => s.ok), steps, ms: performance.now() - started };
}

function expectStatus(answer: ApiAnswer, status: number): void {
  if (answer.status !== status)
    throw new StepFailure(
      `expected ${status}, got ${answer.status}: ${errorOf(answer)}`,
      answer.status,
    );
}

function needed<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new StepFailure(`skipped: needs ${what} from an earlier step`);
  return value;
}

function servedBy(answer: ApiAnswer): string {
  return answer.servedBy ? `served by ${answer.servedBy}` : "";
}

export function formatSmokeReport(baseUrl: string, result: SmokeResult): string {
  const width = Math.max(...result.steps.map((s) => s.name.length));
  const passed = result.steps.filter((s) => s.ok).length;
  return [
    `Smoke test of ${baseUrl}`,
    ...result.steps.map(
      (s) =>
        `  ${s.ok ? "✓" : "✗"} ${s.name.padEnd(width)}  ${String(s.status ?? "---").padStart(3)}  ${`${Math.round(s.ms)} ms`.padStart(7)}  ${s.detail}`,
    ),
    `${passed} of ${result.steps.length} steps passed in ${(result.ms / 1000).toFixed(1)} s${result.ok ? "" : " — FAILED"}`,
  ].join("\n");
}

const COMMAND = {
  usage: "npm run smoke -- [--url <base URL> | --stack <name>] [--timeout <ms>] [--json]",
  summary:
    "Checks a running platform through its public API: health, sign-up → pitch → publish → search → offer → creator sees it, and every route prefix answered by its worker; exit 1 when a step fails.",
  flags: {
    ...TARGET_FLAGS,
    timeout: { type: "string", value: "<ms>", help: "per request, 100-120000 (default 15000)" },
    json: COMMON_FLAGS.json,
  },
  examples: [
    "npm run smoke                                   # the local platform (npm start)",
    "npm run smoke -- --stack staging                # https://api.staging.pitch.example.com",
    "npm run smoke -- --url https://api.example.com --json > smoke.json",
  ],
} as const;

// Only when run, so tests can import runSmoke.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runCommand(COMMAND, async (flags) => {
    const url = targetUrl(flags);
    const timeoutMs = integerFlag(flags.timeout, "timeout", {
      min: 100,
      max: 120_000,
      fallback: 15_000,
    });
    const result = await runSmoke(url, { timeoutMs });
    console.log(flags.json ? JSON.stringify(result, null, 2) : formatSmokeReport(url, result));
    return result.ok ? 0 : 1;
  });
}
