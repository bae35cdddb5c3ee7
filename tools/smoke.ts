// `npm run smoke`: a release manager's check of a running platform, local or deployed, by fetch:
// sign-up → pitch → offer, and each route prefix answered by its worker. Exit 1 failed, 2 usage.

import { resolve } from "node:path";
import { COMMON_FLAGS, integerFlag, runCommand } from "../cli/args.ts";
import { textTable } from "../cli/text-table.ts";
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

export type SmokeStep = { name: string; ok: boolean; status?: number; ms: number; detail: string };
export type SmokeResult = { ok: boolean; steps: SmokeStep[]; ms: number };

/** A failed check, reported with the step's last status; a missing input (needed) has none. */
class StepFailure extends Error {}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new StepFailure(message);
}

function needed<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`skipped: needs ${what} from an earlier step`);
  return value;
}

const SEARCH_ATTEMPTS = 5;
type PitchAnswer = { pitch: { id: string; status: string } };
type ListAnswer = { items: { id: string }[] };

/** Runs every step; a step whose inputs are missing (an earlier step failed) is reported failed. */
export async function runSmoke(baseUrl: string, { timeoutMs = 15_000 } = {}): Promise<SmokeResult> {
  const api = new ApiClient(baseUrl, timeoutMs);
  const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const password = `smoke-${run}-password`;
  const steps: SmokeStep[] = [];
  const started = performance.now();
  let last: ApiAnswer | undefined; // the running step's latest answer

  async function step<T>(name: string, body: () => Promise<T>): Promise<T | undefined> {
    const stepStarted = performance.now();
    const record = (ok: boolean, status: number | undefined, detail: string) => {
      steps.push({ name, ok, status, ms: performance.now() - stepStarted, detail });
      last = undefined;
    };
    try {
      const value = await body();
      record(true, last?.status, last?.servedBy ? `served by ${last.servedBy}` : "");
      return value;
    } catch (error) {
      const status = error instanceof StepFailure ? last?.status : undefined;
      record(false, status, describeFetchError(error));
      return undefined;
    }
  }

  /** A request of the running step, kept for its report; any status but `expect` fails the step. */
  async function call<T>(request: Promise<ApiAnswer<T>>, expect?: number) {
    const answer = await request;
    last = answer;
    const message = `expected ${expect}, got ${answer.status}: ${errorOf(answer)}`;
    check(expect === undefined || answer.status === expect, message);
    return answer;
  }

  await step("health", async () => {
    const answer = await call(api.get("/health"), 200);
    check(answer.servedBy && answer.requestId, "x-served-by or x-request-id missing");
  });

  const register = (role: string) =>
    step(`register a ${role}`, async () => {
      const email = `smoke-${run}-${role}@smoke.example.com`;
      const body = { email, password, name: `Smoke ${role} ${run}`, role };
      const { json } = await call(api.post<Session>("/api/auth/register", { body }), 201);
      check(json?.token, "no token in the answer");
      return json;
    });
  const creator = await register("creator");
  const production = await register("production");

  const creatorToken = await step("log in as the creator", async () => {
    const body = { email: needed(creator, "the creator").user.email, password };
    const { json } = await call(api.post<Session>("/api/auth/login", { body }), 200);
    return json?.token ?? needed(creator, "the creator").token;
  });

  const pitchId = await step("create a pitch", async () => {
    const token = needed(creatorToken, "a creator token");
    const body = {
      title: `Smoke test ${run}`,
      logline: `A smoke test run ${run} checks the platform end to end.`,
      genre: "documentary",
      budgetMin: 1000,
      budgetMax: 2000,
    };
    const creating = api.post<PitchAnswer>("/api/creator/pitches", { token, body });
    const { json } = await call(creating, 201);
    check(json?.pitch.status === "draft", `expected a draft, got ${json?.pitch.status}`);
    return json.pitch.id;
  });

  await step("publish the pitch", async () => {
    const path = `/api/creator/pitches/${needed(pitchId, "a pitch")}/publish`;
    const token = needed(creatorToken, "a creator token");
    const { json } = await call(api.post<PitchAnswer>(path, { token }), 200);
    check(json?.pitch.status === "published", `expected published, got ${json?.pitch.status}`);
  });

  await step("search finds the pitch", async () => {
    const id = needed(pitchId, "a published pitch");
    const path = `/api/browse/pitches?q=${encodeURIComponent(run)}&limit=10`;
    let items: { id: string }[] = [];
    // A deployed D1 may answer from a replica a moment behind; a few bounded retries.
    for (let attempt = 1; attempt <= SEARCH_ATTEMPTS; attempt++) {
      items = (await call(api.get<ListAnswer>(path), 200)).json?.items ?? [];
      if (items.some((item) => item.id === id)) return;
      await new Promise((resolveDelay) => setTimeout(resolveDelay, 300 * attempt));
    }
    throw new StepFailure(`pitch ${id} not among ${items.length} results for q=${run}`);
  });

  const offerId = await step("production makes an offer", async () => {
    const token = needed(production, "a production user").token;
    const terms = `Smoke offer ${run}`;
    const body = { pitchId: needed(pitchId, "a published pitch"), amount: 50_000, terms };
    const path = "/api/production/offers";
    const { json } = await call(api.post<{ offer: { id: string } }>(path, { token, body }), 201);
    return needed(json?.offer.id, "an offer id in the answer");
  });

  await step("creator sees the offer", async () => {
    const path = `/api/creator/pitches/${needed(pitchId, "a pitch")}/offers`;
    const token = needed(creatorToken, "a creator token");
    const { json } = await call(api.get<ListAnswer>(path, { token }), 200);
    const id = needed(offerId, "an offer");
    const listed = json?.items.some((offer) => offer.id === id);
    check(listed, `offer ${id} not in the creator's list`);
  });

  for (const route of routeTable()) {
    await step(`route ${route.prefix}`, async () => {
      // Signed in, so the router forwards instead of answering 401 itself.
      const answer = await call(api.get(route.prefix, { token: creatorToken }));
      const by = answer.servedBy;
      const contentType = answer.contentType || "no content type";
      check(answer.json !== undefined, `not a JSON answer (${contentType})`);
      check(by, "no x-served-by header");
      // A 5xx, or the monolith answering for a green service that failed, is a broken worker.
      check(answer.status < 500, `${errorOf(answer)} (served by ${by})`);
      check(by !== "monolith-fallback", `${route.target} failed; the monolith answered instead`);
      // A monolith-only prefix, or a service the monolith never served, has one possible answerer.
      const sole = route.target === "monolith" || route.blueSide === false;
      const expected = sole ? [route.target] : [route.target, "monolith"];
      const wrong = `served by "${by}" (${errorOf(answer)}), expected ${expected.join(" or ")}`;
      check(expected.includes(by), wrong);
    });
  }

  return { ok: steps.every((s) => s.ok), steps, ms: performance.now() - started };
}

export function formatSmokeReport(baseUrl: string, result: SmokeResult): string {
  const passed = result.steps.filter((s) => s.ok).length;
  const rows = result.steps.map((s) => {
    const status = String(s.status ?? "---");
    return [`${s.ok ? "✓" : "✗"} ${s.name}`, status, `${Math.round(s.ms)} ms`, s.detail];
  });
  return [
    `Smoke test of ${baseUrl}`,
    ...textTable(rows, { right: [1, 2] }),
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
if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await runCommand(COMMAND, async (flags) => {
    const url = targetUrl(flags);
    const range = { min: 100, max: 120_000, fallback: 15_000 };
    const timeoutMs = integerFlag(flags.timeout, "timeout", range);
    const result = await runSmoke(url, { timeoutMs });
    console.log(flags.json ? JSON.stringify(result, null, 2) : formatSmokeReport(url, result));
    return result.ok ? 0 : 1;
  });
}
