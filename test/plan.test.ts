// The offline plan: planFrom on fixture resources, diffPlans between two of them, the markdown
// budget report, stack-file reading, and the CLI on the real program and stack files.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Budgets } from "../infra/budgets.ts";
import { planAtRef } from "../tools/plan/base.ts";
import { diffPlans, signedBytes, summarizeChanges } from "../tools/plan/diff.ts";
import { formatDiff, formatPlan } from "../tools/plan/format.ts";
import { type PlannedResource, planFrom } from "../tools/plan/model.ts";
import { budgetReport } from "../tools/plan/report.ts";
import { offlineConfigOf, PLACEHOLDER_JWT_SECRET } from "../tools/plan/stack-file.ts";
import {
  codeFor,
  type FixtureOptions,
  fixtureResources,
  SECRET_VALUE,
} from "./fixtures/plan-resources.ts";

const ROOT = resolve(import.meta.dirname, "..");
const BUDGETS = JSON.parse(readFileSync(join(ROOT, "bundle-budgets.json"), "utf8")) as Budgets;
const plan = (options: FixtureOptions = {}, resources?: PlannedResource[]) =>
  planFrom(resources ?? fixtureResources(options), { stack: "staging", budgets: BUDGETS });

describe("planFrom", () => {
  it("lists every worker with size, budget, bindings and route, router first", () => {
    const p = plan();
    expect(p.workers.map((w) => w.name)).toEqual([
      "router",
      "auth",
      "creator",
      "investor",
      "production",
      "browse",
      "analytics",
      "monolith",
    ]);
    const investor = p.workers.find((w) => w.name === "investor");
    expect(investor).toMatchObject({
      scriptName: "pitch-staging-investor",
      bytes: Buffer.byteLength(codeFor("investor")),
      budget: { maxBytes: 204800, maxGzipBytes: 61440 },
      bindings: ["DB → d1 <new database pitch-staging>"],
      workersDev: false,
    });
    const router = p.workers[0];
    expect(router?.route).toBe("api.staging.pitch.example.com/* (zone route)");
    expect(router?.bindings).toContain("CONFIG → json");
    expect(router?.bindings).toContain("JWT_SECRET → secrets store pitch_staging_jwt");
    expect(router?.bindingsSecret).toBe(false);
    expect(p.rollout).toEqual({
      auth: 100,
      creator: 100,
      investor: 25,
      production: 100,
      browse: 100,
      analytics: 100,
    });
    expect(p.monolith).toBe("pitch-staging-monolith");
    expect(p.migrations.map((m) => m.name)).toEqual([
      "0001_auth_users.sql",
      "0002_creator_pitches.sql",
    ]);
    expect(p.resources).toHaveLength(20);
    expect(p.problems).toEqual([]);
  });

  it("never shows a secret value, and flags a bindings list Pulumi would hide", () => {
    const resources = fixtureResources();
    const router = resources.find((r) => r.name === "router-script");
    if (!router) throw new Error("fixture has no router");
    router.inputs.bindings = {
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: [
        ...(router.inputs.bindings as unknown[]),
        { type: "secret_text", name: "LEGACY_KEY", text: SECRET_VALUE },
      ],
    };
    const p = plan({}, resources);
    const text = `${formatPlan(p)}\n${JSON.stringify(p)}`;
    expect(text).not.toContain(SECRET_VALUE);
    expect(p.workers[0]?.bindings).toContain("LEGACY_KEY → secret_text [hidden]");
    expect(p.workers[0]?.bindingsSecret).toBe(true);
    expect(formatPlan(p)).toContain(
      "warning: router's bindings are marked secret; pulumi preview will show [secret] instead of their changes",
    );
  });

  it("reports a worker over its budget", () => {
    const p = plan({ growth: { router: 20_000 } });
    expect(p.problems).toEqual([
      expect.stringMatching(/^bundle "router" is \d+\.\d KB gzip, over its 12\.0 KB budget$/),
    ]);
    expect(formatPlan(p)).toContain('Problems:\n  - bundle "router" is');
  });

  it("prints workers, the rollout table and what would be created", () => {
    const text = formatPlan(plan());
    expect(text).toMatch(
      /router\s+pitch-staging-router\s+\S+ B\s+\S+ B\s+12\.0 KB \(\d+%\)\s+api\.staging/,
    );
    expect(text).toContain(
      "Rollout (share of each service's traffic on the new service; the rest goes to pitch-staging-monolith):",
    );
    expect(text).toMatch(/investor\s+25%\s+75%\s+###\.{7}/);
    expect(text).toContain("Resources (20; on an empty stack all would be created):");
    expect(text).toMatch(/\+\s+D1Migrations\s+migrations\s+2 migration file\(s\)/);
  });
});

describe("diffPlans", () => {
  it("a weight change changes only the router, and says so in clear", () => {
    const changes = diffPlans(plan(), plan({ rollout: { investor: 50 } }));
    expect(changes).toEqual([
      { subject: "router", kind: "change", text: "rollout.investor 25 → 50" },
    ]);
    const head = plan({ rollout: { investor: 50 } });
    expect(summarizeChanges(changes, head)).toBe("only the router changes");
    expect(formatDiff(changes, head, "origin/main")).toBe(
      "Changes against origin/main:\n  router: rollout.investor 25 → 50\n  (only the router changes)",
    );
  });

  it("a code change names the worker and its gzip growth", () => {
    const changes = diffPlans(plan(), plan({ growth: { investor: 1600 } }));
    expect(changes).toHaveLength(1);
    expect(changes[0]?.subject).toBe("investor");
    expect(changes[0]?.text).toMatch(/^code changed, \+1\.\d KB gzip$/);
  });

  it("a new service adds its worker, the router's binding and routes", () => {
    const base = plan({ services: ["auth", "creator", "investor", "production", "browse"] });
    const head = plan();
    const lines = diffPlans(base, head).map((c) => `${c.subject}: ${c.text}`);
    expect(lines).toEqual([
      "router: routes +/api/analytics → analytics",
      "router: rollout.analytics (none) → 100",
      "router: bindings +ANALYTICS → service pitch-staging-analytics",
      expect.stringMatching(/^analytics: new worker pitch-staging-analytics, \d+ B gzip$/),
      "WorkersScriptSubdomain: +analytics-workers-dev (pitch-staging-analytics workers.dev off)",
    ]);
    expect(summarizeChanges(diffPlans(base, head), head)).toBe(
      "2 worker(s) change: router, analytics; 1 other change(s)",
    );
  });

  it("a new migration file and an edited applied one", () => {
    const base = plan();
    const head = plan({
      migrations: ["0001_auth_users.sql", "0002_creator_pitches.sql", "0003_x.sql"],
    });
    expect(diffPlans(base, head)).toEqual([
      { subject: "migrations", kind: "add", text: "+0003_x.sql" },
    ]);
    const edited = plan();
    const first = edited.migrations[0];
    if (first) first.sha256 = "changed";
    expect(diffPlans(base, edited)[0]?.text).toMatch(
      /^0001_auth_users\.sql changed; an applied migration must not change/,
    );
  });

  it("formats signed sizes", () => {
    expect(signedBytes(1229)).toBe("+1.2 KB");
    expect(signedBytes(-300)).toBe("-300 B");
    expect(signedBytes(0)).toBe("±0 B");
  });
});

describe("budgetReport", () => {
  it("tables every worker with its Δ and calls out growth over the threshold", () => {
    const base = plan();
    const head = plan({ growth: { investor: 4000 }, rollout: { investor: 50 } });
    const changes = diffPlans(base, head);
    const report = budgetReport(head, { base, baseLabel: "origin/main", changes });
    expect(report).toContain("| worker | bytes | gzip | budget (gzip) | Δ gzip vs origin/main |");
    expect(report).toMatch(/\| router \| .* \| unchanged \|/);
    expect(report).toMatch(/\| \*\*investor\*\* ⚠️ \| .* \| \*\*\+\d\.\d KB \(\+\d+\.\d%\)\*\* \|/);
    expect(report).toMatch(
      /> ⚠️ \*\*investor\*\* grew \d+\.\d% gzip \(\+\d\.\d KB\), over the 10% threshold\./,
    );
    expect(report).toContain("- **router**: rollout.investor 25 → 50");
    expect(report).not.toMatch(/\*\*creator\*\*/);
  });

  it("takes the threshold as an option and works without a base", () => {
    const base = plan();
    const head = plan({ growth: { investor: 4000 } });
    const relaxed = budgetReport(head, { base, growthThresholdPercent: 100_000 });
    expect(relaxed).not.toContain("⚠️");
    const alone = budgetReport(head, { baseNote: "origin/main has no offline plan" });
    expect(alone).toContain("| worker | bytes | gzip | budget (gzip) |\n");
    expect(alone).toContain("_origin/main has no offline plan_");
  });
});

describe("stack files offline", () => {
  it("replaces encrypted values and the JWT key with a placeholder", () => {
    const raw = offlineConfigOf(
      "config:\n  platform:hostname: api.example.com\n  platform:jwtSecret:\n    secure: AAABAJ0x\n",
      "Pulumi.x.yaml",
    );
    expect(raw).toEqual({
      "platform:hostname": "api.example.com",
      "platform:jwtSecret": PLACEHOLDER_JWT_SECRET,
    });
  });
});

describe("a JWT key committed in plain text", () => {
  it("is refused without being shown, naming the --secret command", () => {
    const key = "a-real-key-someone-committed-0123456789";
    const read = () =>
      offlineConfigOf(
        `config:\n  platform:hostname: api.example.com\n  platform:jwtSecret: ${key}\n`,
        "Pulumi.prod.yaml",
      );
    expect(read).toThrow(
      "Pulumi.prod.yaml holds platform:jwtSecret in plain text, readable by anyone with the repository; remove it, rotate the key and set the new one with `pulumi config set --secret platform:jwtSecret <key>`",
    );
    const error = (() => {
      try {
        read();
      } catch (thrown) {
        return thrown as Error;
      }
    })();
    expect(error?.message).not.toContain(key);
  });
});

describe("npm run plan (the real program)", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const run = (args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "tools/plan.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });

  it("plans prod offline as JSON, without printing the placeholder key", () => {
    const result = run(["--stack", "prod", "--json"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain(PLACEHOLDER_JWT_SECRET);
    const prod = JSON.parse(result.stdout) as ReturnType<typeof plan>;
    expect(prod.workers.map((w) => w.name)).toEqual([
      "router",
      "auth",
      "creator",
      "investor",
      "production",
      "browse",
      "analytics",
    ]);
    expect(prod.rollout).toMatchObject({ investor: 25, production: 0 });
    expect(prod.monolith).toBe("pitch-api");
  });

  it("exits non-zero with the config error's text", () => {
    const dir = mkdtempSync(join(tmpdir(), "plan-test-"));
    dirs.push(dir);
    const file = join(dir, "Pulumi.prod.yaml");
    const text = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8").replace(
      "investor: 25",
      "investor: 150",
    );
    writeFileSync(file, text);
    const result = run(["--stack", "prod", "--stack-file", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("platform:rollout.investor must be an integer 0-100, got 150");
    expect(result.stderr).not.toContain(PLACEHOLDER_JWT_SECRET);
  });

  it("--json with --base carries the changes, not only the plan", () => {
    const result = run(["--stack", "prod", "--json", "--base", "HEAD"]);
    expect(result.status).toBe(0);
    const output = JSON.parse(result.stdout) as ReturnType<typeof plan> & {
      base?: { ref: string; note?: string };
      changes?: unknown[];
    };
    expect(output.workers.map((w) => w.name)).toContain("router");
    expect(output.base).toEqual({ ref: "HEAD" });
    // HEAD against the working tree: uncommitted work may show up, so only the shape is fixed.
    expect(Array.isArray(output.changes)).toBe(true);
  });

  it("plans another commit in a temp export and cleans it up", () => {
    const temps = () => readdirSync(tmpdir()).filter((name) => name.startsWith("plan-base-"));
    const before = temps().length;
    const base = planAtRef({ root: ROOT, ref: "HEAD", stack: "prod" });
    expect(base.note).toBeUndefined();
    expect(base.plan?.version).toBe(1);
    expect(base.plan?.workers.map((w) => w.name)).toContain("router");
    expect(temps().length).toBe(before);
  });

  it("refuses a --base that is not a commit", () => {
    expect(() => planAtRef({ root: ROOT, ref: "no-such-ref-xyz", stack: "prod" })).toThrow(
      "--base no-such-ref-xyz is not a commit here; fetch it first (in CI: actions/checkout with fetch-depth: 0)",
    );
  });
});
