// `npm run stress`: starts its own local platform (a temp state folder, 127.0.0.1 only) and sends
// a bounded mix of reads and writes across every service at fixed concurrency, with the services
// at weights between 0 and 100 and one service faulted for part of the run (500@20, then hang).
// It then checks every write against the rows the API lists: nothing acknowledged is lost,
// nothing is stored twice, no request goes without a request id and no 5xx comes unexpected.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { COMMON_FLAGS, integerFlag, runCommand } from "../cli/args.ts";
import type { Faults } from "../cli/local/faults.ts";
import { localStack, stateLayout } from "../cli/local/local-config.ts";
import { type RunningPlatform, startPlatform } from "../cli/local/platform.ts";
import { quantile } from "../cli/rollout/health.ts";
import { REPO_ROOT } from "../cli/stack-file.ts";
import { textTable } from "../cli/text-table.ts";
import { planPlatform } from "../infra/plan.ts";
import { rolloutBucket } from "../services/router/src/split.ts";
import { ApiClient, type Session } from "./api-client.ts";

const FAULTED = "investor";
/** Weights across the range, so every request path (green, blue, fallback) is taken. */
const ROLLOUT = { auth: 100, creator: 25, investor: 50, production: 75, browse: 0, analytics: 100 };
/** Share of the run (by request number) under each fault of the faulted service. */
const PHASES: { until: number; faults: Faults; label: string }[] = [
  { until: 0.3, faults: {}, label: "no fault" },
  { until: 0.55, faults: { [FAULTED]: { mode: "500", percent: 20 } }, label: `${FAULTED}=500@20` },
  { until: 0.75, faults: { [FAULTED]: { mode: "hang", percent: 100 } }, label: `${FAULTED}=hang` },
  { until: 1, faults: {}, label: "no fault" },
];

export interface StressOptions {
  requests: number;
  concurrency: number;
  /** Users of each role the run signs up first. */
  users?: number;
}

type Kind = "read" | "write";
type ErrorBody = { error?: { code: string; message?: string } };
interface Sample {
  kind: Kind;
  path: string;
  status: number;
  servedBy: string;
  ms: number;
  requestId: boolean;
  code?: string;
  message?: string;
}
interface Write {
  owner: string;
  marker: string;
  status: number;
  servedBy: string;
  list: string;
}

export interface StressReport {
  requests: number;
  concurrency: number;
  seconds: number;
  phases: string[];
  unexpected5xx: {
    path: string;
    status: number;
    servedBy: string;
    code?: string;
    message?: string | undefined;
  }[];
  writes: {
    acknowledged: number;
    lost: number;
    duplicated: number;
    /** Writes answered 502/504 (or an injected 500): not replayed, so 0 or 1 row each. */
    unconfirmed: { count: number; stored: number; duplicated: number };
    refused: number;
  };
  withoutRequestId: number;
  latency: Record<string, { count: number; p50: number; p99: number; max: number }>;
  workerdMemoryMb: { before?: number; after?: number };
  ok: boolean;
}

/** Resident memory of the workerd processes this process started (Linux), in MB. */
function workerdMemoryMb(): number | undefined {
  try {
    const out = execFileSync("ps", ["-o", "rss=,comm=", "--ppid", String(process.pid)], {
      encoding: "utf8",
    });
    const kb = out
      .split("\n")
      .filter((line) => line.includes("workerd"))
      .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0] ?? 0), 0);
    return kb > 0 ? Math.round(kb / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export async function runStress(options: StressOptions): Promise<StressReport> {
  const stateDir = mkdtempSync(join(tmpdir(), "platform-stress-"));
  let faults: Faults = {};
  let platform: RunningPlatform | undefined;
  try {
    const jwtSecret = "a-stress-run-secret-that-is-long-enough-0123456789";
    const local = localStack(REPO_ROOT, { stack: "staging", rollout: ROLLOUT }, jwtSecret);
    local.config["platform:workers"] = { [FAULTED]: { deadlineMs: 1000 } };
    platform = await startPlatform({
      plan: await planPlatform({ ...local, root: REPO_ROOT }),
      state: stateLayout(stateDir),
      port: 0,
      jwtSecret,
      faults: () => faults,
      output: { info: () => {}, error: () => {} },
    });
    return await drive(new ApiClient(platform.url.href, 15_000), options, (next) => {
      faults = next;
    });
  } finally {
    await platform?.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function drive(
  api: ApiClient,
  options: StressOptions,
  setFaults: (faults: Faults) => void,
): Promise<StressReport> {
  const run = Date.now().toString(36);
  const count = options.users ?? 8;
  const signUp = async (role: string, i: number) => {
    const body = {
      email: `stress-${run}-${role}-${i}@example.com`,
      password: "stress-password-1",
      name: `${role} ${i}`,
      role,
    };
    const answer = await api.post<Session>("/api/auth/register", { body });
    if (answer.status !== 201 || !answer.json) throw new Error(`sign-up failed: ${answer.status}`);
    return answer.json;
  };
  const range = [...Array(count).keys()];
  const creators = await Promise.all(range.map((i) => signUp("creator", i)));
  // Investors on both sides of the faulted service's split, so green and blue paths both run.
  const investors: Session[] = [];
  const sides = { green: 0, blue: 0 };
  for (let i = 0; sides.green + sides.blue < count && i < count * 20; i++) {
    const investor = await signUp("investor", i);
    const session = investor as Session & { user: { id?: string } };
    const green = rolloutBucket(String(session.user.id), FAULTED) < ROLLOUT[FAULTED];
    const side = green ? "green" : "blue";
    if (sides[side] >= Math.ceil(count / 2)) continue;
    sides[side]++;
    investors.push(investor);
  }
  const producers = await Promise.all(range.map((i) => signUp("production", i)));
  const pitches: string[] = [];
  for (const [i, creator] of creators.entries()) {
    const created = await api.post<{ pitch: { id: string } }>("/api/creator/pitches", {
      token: creator.token,
      body: {
        title: `Stress ${run} ${i}`,
        logline: "A bounded load run.",
        genre: "drama",
        budgetMin: 1000,
        budgetMax: 2000,
      },
    });
    const id = created.json?.pitch.id;
    if (!id) throw new Error(`creating a pitch failed: ${created.status}`);
    await api.post(`/api/creator/pitches/${id}/publish`, { token: creator.token });
    pitches.push(id);
  }

  const samples: Sample[] = [];
  const writes: Write[] = [];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;
  let sent = 0;
  let phase = -1;
  const started = performance.now();
  const before = workerdMemoryMb();

  async function one(n: number): Promise<void> {
    const at = PHASES.findIndex((p) => n / options.requests < p.until);
    if (at !== phase) {
      phase = at;
      setFaults(PHASES[at]?.faults ?? {});
    }
    const roll = Math.random();
    const marker = `stress-${run}-${n}`;
    let request: { kind: Kind; path: string; token?: string; body?: unknown; owner?: string };
    let list = "";
    if (roll < 0.15) {
      const investor = pick(investors);
      const body = { pitchId: pick(pitches), kind: "interest", note: marker };
      request = { kind: "write", path: "/api/investor/investments", token: investor.token, body };
      request.owner = investor.token;
      list = "/api/investor/investments";
    } else if (roll < 0.25) {
      const producer = pick(producers);
      const body = { pitchId: pick(pitches), amount: 1000, terms: marker };
      request = { kind: "write", path: "/api/production/offers", token: producer.token, body };
      request.owner = producer.token;
      list = "/api/production/offers";
    } else if (roll < 0.3) {
      const creator = pick(creators);
      const body = {
        title: marker,
        logline: "Written under load.",
        genre: "comedy",
        budgetMin: 1,
        budgetMax: 2,
      };
      request = { kind: "write", path: "/api/creator/pitches", token: creator.token, body };
      request.owner = creator.token;
      list = "/api/creator/pitches";
    } else if (roll < 0.5) {
      request = {
        kind: "read",
        path: "/api/investor/investments?limit=5",
        token: pick(investors).token,
      };
    } else if (roll < 0.6) {
      request = { kind: "read", path: "/api/creator/pitches?limit=5", token: pick(creators).token };
    } else if (roll < 0.7) {
      request = {
        kind: "read",
        path: "/api/production/offers?limit=5",
        token: pick(producers).token,
      };
    } else if (roll < 0.85) {
      request = { kind: "read", path: `/api/browse/pitches?q=stress&limit=5` };
    } else if (roll < 0.95) {
      request = { kind: "read", path: "/api/auth/me", token: pick(creators).token };
    } else {
      request = {
        kind: "read",
        path: `/api/analytics/pitches/${pick(pitches)}/stats`,
        token: pick(creators).token,
      };
    }
    const t0 = performance.now();
    type Answer = {
      status: number;
      servedBy: string | null;
      requestId: string | null;
      json?: ErrorBody | undefined;
    };
    // No answer at all (the client's own 15 s timeout, a reset) is recorded as status 0.
    const answer: Answer = await (request.kind === "write"
      ? api.post<ErrorBody>(request.path, {
          token: request.token,
          body: request.body,
        })
      : api.get<ErrorBody>(request.path, {
          token: request.token,
        })
    ).catch(() => ({ status: 0, servedBy: "no answer", requestId: null }));
    const servedBy = answer.servedBy ?? "none";
    samples.push({
      kind: request.kind,
      path: request.path.split("?")[0] ?? request.path,
      status: answer.status,
      servedBy,
      ms: performance.now() - t0,
      requestId: Boolean(answer.requestId),
      ...(answer.json?.error
        ? { code: answer.json.error.code, message: answer.json.error.message }
        : {}),
    });
    if (request.kind === "write" && request.owner) {
      writes.push({ owner: request.owner, marker, status: answer.status, servedBy, list });
    }
  }

  await Promise.all(
    [...Array(options.concurrency).keys()].map(async () => {
      while (sent < options.requests) await one(sent++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  setFaults({});
  const after = workerdMemoryMb();

  // What each writer's own list holds now, by marker.
  const stored = new Map<string, number>();
  const lists = new Set(writes.map((w) => `${w.owner} ${w.list}`));
  for (const key of lists) {
    const [token, list] = key.split(" ") as [string, string];
    let cursor: string | undefined;
    do {
      const page = await api.get<{ items: Record<string, unknown>[]; nextCursor?: string | null }>(
        `${list}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        { token },
      );
      for (const item of page.json?.items ?? []) {
        const marker = String(item.note ?? item.terms ?? item.title ?? "");
        if (marker.startsWith(`stress-${run}-`)) stored.set(marker, (stored.get(marker) ?? 0) + 1);
      }
      cursor = page.json?.nextCursor ?? undefined;
    } while (cursor);
  }

  const unconfirmedStatus = (w: Write) =>
    w.status === 502 || w.status === 504 || (w.status === 500 && w.servedBy === FAULTED);
  const acknowledged = writes.filter((w) => w.status >= 200 && w.status < 300);
  const unconfirmed = writes.filter(unconfirmedStatus);
  const rows = (w: Write) => stored.get(w.marker) ?? 0;
  const unexpected5xx = samples.filter(
    (s) =>
      (s.status >= 500 || s.status === 0) &&
      !(
        s.kind === "write" &&
        s.path.startsWith(`/api/${FAULTED}/`) &&
        [500, 502, 504].includes(s.status)
      ),
  );
  const latency: StressReport["latency"] = {};
  for (const side of new Set(samples.map((s) => s.servedBy))) {
    const times = samples
      .filter((s) => s.servedBy === side)
      .map((s) => s.ms)
      .sort((a, b) => a - b);
    latency[side] = {
      count: times.length,
      p50: quantile(times, 0.5),
      p99: quantile(times, 0.99),
      max: times.at(-1) ?? 0,
    };
  }
  const report: StressReport = {
    requests: samples.length,
    concurrency: options.concurrency,
    seconds,
    phases: PHASES.map(
      (p, i) =>
        `${Math.round((PHASES[i - 1]?.until ?? 0) * 100)}-${Math.round(p.until * 100)}%: ${p.label}`,
    ),
    unexpected5xx: unexpected5xx.map(({ path, status, servedBy, code, message }) => ({
      path,
      status,
      servedBy,
      ...(code ? { code, message } : {}),
    })),
    writes: {
      acknowledged: acknowledged.length,
      lost: acknowledged.filter((w) => rows(w) === 0).length,
      duplicated: writes.filter((w) => rows(w) > 1).length,
      unconfirmed: {
        count: unconfirmed.length,
        stored: unconfirmed.filter((w) => rows(w) === 1).length,
        duplicated: unconfirmed.filter((w) => rows(w) > 1).length,
      },
      refused: writes.filter((w) => w.status >= 400 && w.status < 500).length,
    },
    withoutRequestId: samples.filter((s) => !s.requestId).length,
    latency,
    workerdMemoryMb: { ...(before ? { before } : {}), ...(after ? { after } : {}) },
    ok: false,
  };
  report.ok =
    report.unexpected5xx.length === 0 &&
    report.writes.lost === 0 &&
    report.writes.duplicated === 0 &&
    report.withoutRequestId === 0 &&
    report.requests === options.requests;
  return report;
}

export function formatStressReport(report: StressReport): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const { writes } = report;
  return [
    `Stress run: ${report.requests} requests at concurrency ${report.concurrency} in ${report.seconds.toFixed(1)} s (${Math.round(report.requests / report.seconds)} req/s)`,
    `  phases          ${report.phases.join("; ")}`,
    `  unexpected 5xx  ${report.unexpected5xx.length}`,
    ...report.unexpected5xx
      .slice(0, 10)
      .map((u) =>
        `    ${u.status} ${u.path} (${u.servedBy}) ${u.code ?? ""} ${u.message ?? ""}`.trimEnd(),
      ),
    `  writes          ${writes.acknowledged} acknowledged, ${writes.lost} lost, ${writes.duplicated} stored twice, ${writes.refused} refused (4xx)`,
    `  502/504 writes  ${writes.unconfirmed.count} (not replayed): ${writes.unconfirmed.stored} stored once, ${writes.unconfirmed.count - writes.unconfirmed.stored - writes.unconfirmed.duplicated} not stored, ${writes.unconfirmed.duplicated} twice`,
    `  no request id   ${report.withoutRequestId}`,
    `  workerd memory  ${report.workerdMemoryMb.before ?? "?"} MB before, ${report.workerdMemoryMb.after ?? "?"} MB after`,
    "",
    ...textTable(
      [
        ["served by", "requests", "p50", "p99", "max"],
        ...Object.entries(report.latency).map(([side, l]) => [
          side,
          String(l.count),
          ms(l.p50),
          ms(l.p99),
          ms(l.max),
        ]),
      ],
      { right: [1, 2, 3, 4] },
    ),
    "",
    report.ok ? "OK: no loss, no duplicate, no unexpected 5xx" : "FAILED",
  ].join("\n");
}

const COMMAND = {
  usage: "npm run stress -- [--requests <n>] [--concurrency <n>] [--json]",
  summary:
    "Starts a local platform of its own (temp state, 127.0.0.1) and sends a bounded mix of reads and writes at fixed concurrency, weights between 0 and 100, one service faulted (500@20, then hang) for part of the run; exits 1 on any lost or duplicated write, unexpected 5xx or missing request id.",
  flags: {
    requests: { type: "string", value: "<100-100000>", help: "requests in all (default 10000)" },
    concurrency: { type: "string", value: "<1-200>", help: "requests in flight (default 50)" },
    json: COMMON_FLAGS.json,
  },
  examples: [
    "npm run stress                                  # 10,000 requests at 50, a few minutes",
    "npm run stress -- --requests 1000 --concurrency 20 --json",
  ],
} as const;

// Only when run, so tests can import runStress.
if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  await runCommand(COMMAND, async (flags) => {
    const requests = integerFlag(flags.requests, "requests", {
      min: 100,
      max: 100_000,
      fallback: 10_000,
    });
    const concurrency = integerFlag(flags.concurrency, "concurrency", {
      min: 1,
      max: 200,
      fallback: 50,
    });
    const report = await runStress({ requests, concurrency });
    console.log(flags.json ? JSON.stringify(report, null, 2) : formatStressReport(report));
    return report.ok ? 0 : 1;
  });
}
