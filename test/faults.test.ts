// Local fault injection end to end, in workerd: the real builds and a real local D1, the investor
// service faulted in every mode (throw, 500, 503, hang, slow) at weights 0, 50 and 100, read and
// written on both sides of its split. Checks what the router promises: the blue side never notices,
// a failing safe read falls back to the monolith, an unsafe write is never replayed (so never
// stored twice), other services are unaffected, and every answer carries the request id. And the
// faults live in the local entry only: the bundles workerd runs are the ones the program deploys.

import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalControl } from "../cli/local/control.ts";
import type { Fault, Faults } from "../cli/local/faults.ts";
import { stateLayout } from "../cli/local/local-config.ts";
import { miniflareOptionsFor, type RunningPlatform, startPlatform } from "../cli/local/platform.ts";
import type { PlatformPlan } from "../infra/plan.ts";
import { rolloutBucket } from "../services/router/src/split.ts";
import { localPlan } from "./support/local-plan.ts";
import { freePort } from "./support/ports.ts";

const START_TIMEOUT_MS = 240_000;
/** The local entry asks Node for its fault at most every 200 ms. */
const FAULT_SETTLE_MS = 300;
const DEADLINE_MS = 500;
const JWT_SECRET = "a-fault-test-secret-that-is-long-enough-0123456789";
const PASSWORD = "fault-test-password-1";

/** Each mode as `--fault investor=<mode>` spells it. */
const MODES = ["throw", "500", "503", "hang", "slow:100"] as const;
type ModeName = (typeof MODES)[number];

function faultOf(mode: ModeName): Fault {
  return mode === "slow:100" ? { mode: "slow", ms: 100, percent: 100 } : { mode, percent: 100 };
}

/** The staging stack with the investor weight set, a short investor deadline and no skip. */
function stackConfig(weight: number): Record<string, unknown> {
  return {
    "platform:rollout": {
      auth: 100,
      creator: 100,
      investor: weight,
      production: 50,
      browse: 100,
      analytics: 100,
    },
    "platform:workers": { investor: { deadlineMs: DEADLINE_MS, skipAfterFailures: 1000 } },
  };
}

interface Answer {
  status: number;
  servedBy: string | null;
  requestId: string | null;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
  json: any;
}

interface Session {
  id: string;
  token: string;
}

type Side = "green" | "blue";

type LocalModule = { path: string; contents: string };

/** One platform at one investor weight, its data, and the faults it reads. */
function faultedPlatform(weight: number) {
  const state = stateLayout(mkdtempSync(join(tmpdir(), `platform-faults-${weight}-`)));
  let faults: Faults = {};
  let platform: RunningPlatform | undefined;
  let sequence = 0;
  const run = `${weight}-${Date.now().toString(36)}`;

  /** Sends with its own request id and checks that the answer carries it back. */
  async function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<Answer> {
    const requestId = `faults-${run}-${++sequence}`;
    const headers: Record<string, string> = { "x-request-id": requestId };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(new URL(path, platform?.url), {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const answer = {
      status: response.status,
      servedBy: response.headers.get("x-served-by"),
      requestId: response.headers.get("x-request-id"),
      json: text ? JSON.parse(text) : null,
    };
    expect(answer.requestId, `${method} ${path}: x-request-id`).toBe(requestId);
    if (answer.json?.error) expect(answer.json.error.requestId).toBe(requestId);
    return answer;
  }

  async function register(role: string, label: string): Promise<Session> {
    const email = `faults-${run}-${label}@example.com`;
    const answer = await call("POST", "/api/auth/register", {
      body: { email, password: PASSWORD, name: label, role },
    });
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
    return { id: answer.json.user.id, token: answer.json.token };
  }

  return {
    weight,
    call,
    register,
    async start(): Promise<void> {
      platform = await startPlatform({
        plan: await localPlan(stackConfig(weight)),
        state,
        port: await freePort(),
        jwtSecret: JWT_SECRET,
        faults: () => faults,
        output: { info: () => {}, error: () => {} },
      });
    },
    async setFaults(next: Faults): Promise<void> {
      faults = next;
      await new Promise((resolve) => setTimeout(resolve, FAULT_SETTLE_MS));
    },
    async dispose(): Promise<void> {
      await platform?.dispose();
      rmSync(state.dir, { recursive: true, force: true });
    },
  };
}

type Platform = ReturnType<typeof faultedPlatform>;

/** A published pitch, made through the public API, for investments to point at. */
async function publishedPitch(platform: Platform): Promise<{ creator: Session; pitch: string }> {
  const creator = await platform.register("creator", "creator");
  const created = await platform.call("POST", "/api/creator/pitches", {
    token: creator.token,
    body: {
      title: "Fault Lines",
      logline: "A worker fails.",
      genre: "drama",
      budgetMin: 10,
      budgetMax: 20,
    },
  });
  expect(created.status).toBe(201);
  const published = await platform.call(
    "POST",
    `/api/creator/pitches/${created.json.pitch.id}/publish`,
    { token: creator.token },
  );
  expect(published.json.pitch.status).toBe("published");
  return { creator, pitch: created.json.pitch.id };
}

/** Registers investors until there is one for each side the weight has. */
async function investorsBySide(platform: Platform): Promise<Partial<Record<Side, Session>>> {
  const wanted: Side[] =
    platform.weight === 0 ? ["blue"] : platform.weight === 100 ? ["green"] : ["green", "blue"];
  const found: Partial<Record<Side, Session>> = {};
  for (let i = 0; i < 30 && wanted.some((side) => !found[side]); i++) {
    const investor = await platform.register("investor", `investor-${i}`);
    const side = rolloutBucket(investor.id, "investor") < platform.weight ? "green" : "blue";
    found[side] ??= investor;
  }
  for (const side of wanted) expect(found[side], `an investor on the ${side} side`).toBeDefined();
  return found;
}

/** Rows of `investor` with this note, read through the API with no fault in force. */
async function rowsWithNote(platform: Platform, investor: Session, note: string) {
  const list = await platform.call("GET", "/api/investor/investments?limit=50", {
    token: investor.token,
  });
  expect(list.status).toBe(200);
  return list.json.items.filter((item: { note: string | null }) => item.note === note).length;
}

/** What the green side answers in each mode: safe reads fall back, unsafe writes do not. */
function expectGreen(mode: ModeName, read: Answer, write: Answer): void {
  if (mode === "slow:100") {
    expect(read).toMatchObject({ status: 200, servedBy: "investor" });
    expect(write).toMatchObject({ status: 201, servedBy: "investor" });
    expect(write.json.investment.kind).toBe("interest");
    return;
  }
  expect(read).toMatchObject({ status: 200, servedBy: "monolith-fallback" });
  expect(read.json.items).toEqual(expect.any(Array));
  if (mode === "throw") {
    expect(write).toMatchObject({ status: 502, servedBy: "router" });
    expect(write.json.error.code).toBe("upstream_unavailable");
    expect(write.json.error.message).toContain("it was not replayed");
  } else if (mode === "hang") {
    expect(write).toMatchObject({ status: 504, servedBy: "router" });
    expect(write.json.error.code).toBe("upstream_timeout");
    expect(write.json.error.message).toContain(`within ${DEADLINE_MS} ms`);
  } else {
    expect(write).toMatchObject({ status: Number(mode), servedBy: "investor" });
    expect(write.json.error.code).toBe("injected_fault");
  }
}

describe.each([0, 50, 100])("investor faulted at weight %i", (weight) => {
  const platform = faultedPlatform(weight);
  let creator: Session;
  let pitch: string;
  let investors: Partial<Record<Side, Session>>;

  beforeAll(async () => {
    await platform.start();
    ({ creator, pitch } = await publishedPitch(platform));
    investors = await investorsBySide(platform);
  }, START_TIMEOUT_MS);
  afterAll(() => platform.dispose(), START_TIMEOUT_MS);

  it.each(MODES)("investor=%s", async (mode) => {
    await platform.setFaults({ investor: faultOf(mode) });
    const attempts: { side: Side; investor: Session; note: string; write: Answer }[] = [];
    for (const [side, investor] of Object.entries(investors) as [Side, Session][]) {
      const note = `${mode} ${side} ${crypto.randomUUID()}`;
      const read = await platform.call("GET", "/api/investor/investments", {
        token: investor.token,
      });
      const write = await platform.call("POST", "/api/investor/investments", {
        token: investor.token,
        body: { pitchId: pitch, kind: "interest", note },
      });
      if (side === "green") {
        expectGreen(mode, read, write);
      } else {
        expect(read).toMatchObject({ status: 200, servedBy: "monolith" });
        expect(read.json.items).toEqual(expect.any(Array));
        expect(write).toMatchObject({ status: 201, servedBy: "monolith" });
        expect(write.json.investment.note).toBe(note);
      }
      attempts.push({ side, investor, note, write });
    }

    // The other services do not share the investor's fault.
    const mine = await platform.call("GET", "/api/creator/pitches", { token: creator.token });
    expect(mine).toMatchObject({ status: 200, servedBy: "creator" });
    expect(mine.json.items.map((p: { id: string }) => p.id)).toContain(pitch);
    const browse = await platform.call("GET", "/api/browse/pitches");
    expect(browse).toMatchObject({ status: 200, servedBy: "browse" });

    // Faults fire before the handler, and a write is never replayed: 0 rows for a refused write,
    // exactly 1 for an accepted one, never 2.
    await platform.setFaults({});
    for (const { side, investor, note, write } of attempts) {
      const rows = await rowsWithNote(platform, investor, note);
      expect(rows, `${side} investor's rows after ${write.status}`).toBe(
        write.status === 201 ? 1 : 0,
      );
    }
  });
});

describe("the bundles workerd runs", () => {
  let plan: PlatformPlan;
  beforeAll(async () => {
    plan = await localPlan(stackConfig(50));
  }, START_TIMEOUT_MS);

  it("are byte-identical with and without faults: the plan's builds, same sha256", () => {
    const faults: Faults = { investor: { mode: "hang", percent: 100 } };
    const state = stateLayout(join(tmpdir(), "platform-faults-options"));
    const output = { info: () => {}, error: () => {} };
    const plain = miniflareOptionsFor({ plan, state, output });
    const faulted = miniflareOptionsFor({
      plan,
      state,
      output,
      faults: () => faults,
      control: new LocalControl(() => faults),
    });
    const moduleOf = (options: typeof plain, index: number, path: string) => {
      const modules = (options.workers?.[index]?.modules ?? []) as LocalModule[];
      return modules.find((module) => module.path === path)?.contents;
    };
    expect(plan.workers.length).toBeGreaterThan(1);
    for (const [index, worker] of plan.workers.entries()) {
      const { name } = worker.spec;
      const withFaults = moduleOf(faulted, index, worker.build.mainModule);
      const without = moduleOf(plain, index, worker.build.mainModule);
      expect(withFaults, `${name}: main module with faults`).toBe(worker.build.code);
      expect(without, `${name}: main module without faults`).toBe(worker.build.code);
      for (const code of [withFaults, without]) {
        const sha256 = createHash("sha256")
          .update(code ?? "")
          .digest("hex");
        expect(sha256, `${name}: sha256`).toBe(worker.build.sha256);
      }
      expect(withFaults, `${name}: no fault code in the bundle`).not.toContain("injected fault");
      // The fault lives in the local entry wrapped around the bundle, and only when faults are on.
      const faultedEntry = moduleOf(faulted, index, "local-entry.js");
      if (worker.spec.kind !== "router") {
        expect(faultedEntry, `${name}: local entry`).toContain(`/faults/" + CONTROL_WORKER`);
        expect(faultedEntry).toContain(`const CONTROL_WORKER = "${name}"`);
      }
      expect(moduleOf(plain, index, "local-entry.js"), `${name}: plain entry`).not.toContain(
        "injected fault",
      );
    }
  });
});
