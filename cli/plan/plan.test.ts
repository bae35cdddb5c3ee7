// The offline plan: its view of the real program's plan (staging and prod), diffPlans between two
// plans, the markdown budget report, stack-file reading, and the command on the stack files.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_NAMES, WORKER_NAMES } from "../../shared/workers.ts";
import { offlineConfig, PLACEHOLDER_JWT_SECRET, setConfigValue } from "../stack-file.ts";
import { planAtRef } from "./base.ts";
import { diffPlans, signedBytes, summarizeChanges } from "./diff.ts";
import { budgetReport, formatDiff, formatPlan } from "./format.ts";
import { type OfflinePlan, offlinePlanOfText } from "./view.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const stackText = (stack: string) => readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");

let staging: OfflinePlan;
let prod: OfflinePlan;
beforeAll(async () => {
  staging = await offlinePlanOfText(ROOT, "staging", stackText("staging"), "Pulumi.staging.yaml");
  prod = await offlinePlanOfText(ROOT, "prod", stackText("prod"), "Pulumi.prod.yaml");
});

/** A copy of the staging plan with `change` applied, as if the program had planned it. */
function variant(change: (plan: OfflinePlan) => void): OfflinePlan {
  const plan = structuredClone(staging);
  change(plan);
  return plan;
}

function withWeight(service: string, weight: number) {
  return (plan: OfflinePlan) => {
    plan.rollout[service] = weight;
    const config = plan.workers[0]?.config as { rollout: Record<string, number> };
    config.rollout[service] = weight;
  };
}

function grown(worker: string, bytes: number) {
  return (plan: OfflinePlan) => {
    const planned = plan.workers.find((w) => w.name === worker);
    if (!planned) throw new Error(`no ${worker}`);
    planned.gzipBytes += bytes;
    planned.bytes += bytes;
    planned.sha256 = `changed-${bytes}`;
  };
}

describe("the offline plan of the real program", () => {
  it("lists every deployed worker with size, budget, bindings and route, router first", () => {
    expect(staging.workers.map((w) => w.name)).toEqual([...WORKER_NAMES]);
    expect(prod.workers.map((w) => w.name)).toEqual(["router", ...SERVICE_NAMES]);
    const investor = staging.workers.find((w) => w.name === "investor");
    expect(investor).toMatchObject({
      scriptName: "pitch-staging-investor",
      budget: { maxGzipBytes: expect.any(Number) },
      bindings: ["DB → d1 <new database pitch-staging>"],
      workersDev: false,
    });
    const router = staging.workers[0];
    expect(router?.route).toBe("api.staging.pitch.example.com/* (zone route)");
    expect(router?.bindings).toContain("CONFIG → json");
    expect(router?.bindings).toContain("MONOLITH → service pitch-staging-monolith");
    expect(router?.bindings).toContain("JWT_SECRET → secrets store pitch_staging_jwt");
    expect(router?.bindingsSecret).toBe(false);
    expect(staging.workers.find((w) => w.name === "analytics")?.bindings).toEqual([
      "DB → d1 <new database pitch-staging>",
      "RATE_LIMIT_EVENTS → rate limit 1004: 60 per 60 s",
      "RATE_LIMITS → json",
    ]);
    expect(staging.monolith).toBe("pitch-staging-monolith");
    expect(prod.monolith).toBe("pitch-api");
    expect(staging.migrations.map((m) => m.name)).toEqual(
      [...staging.migrations.map((m) => m.name)].sort(),
    );
  });

  it("lists every Cloudflare resource: each script with its workers.dev switch, and no secret", () => {
    const names = staging.resources.map((r) => r.name);
    for (const worker of WORKER_NAMES) {
      expect(names).toContain(`${worker}-script`);
      expect(names).toContain(`${worker}-workers-dev`);
    }
    expect(names).toContain("database-migrations");
    expect(JSON.stringify(staging)).not.toContain(PLACEHOLDER_JWT_SECRET);
  });

  it("prints workers, the rollout table and what would be created", () => {
    const text = formatPlan(staging);
    expect(text).toMatch(
      /router\s+pitch-staging-router\s+\S+ KB\s+\S+ KB\s+\d+\.\d KB \(\d+%\)\s+api\.staging/,
    );
    expect(text).toContain(
      "Rollout (share of each service's traffic on the new service; the rest goes to pitch-staging-monolith):",
    );
    expect(text).toMatch(/investor\s+50%\s+50%\s+#####\.{5}/);
    expect(text).toContain(
      `Resources (${staging.resources.length}; on an empty stack all would be created):`,
    );
    expect(text).toMatch(/\+\s+D1Migrations\s+database-migrations\s+\d+ migration file\(s\)/);
  });

  it("shows each worker's deadline and skip settings as the router gets them", () => {
    const text = formatPlan(staging);
    expect(text).toContain(
      "Router deadlines (for response headers) and skips (safe requests to the monolith):",
    );
    expect(text).toMatch(/\n {2}investor\s+10 s\s+after 5 failures in a row, for 30 s\n/);
    expect(text).toMatch(/\n {2}monolith\s+10 s\s+never \(it is the blue side\)/);
  });
});

describe("diffPlans", () => {
  it("a weight change changes only the router, and says so in clear", () => {
    const head = variant(withWeight("investor", 75));
    const changes = diffPlans(staging, head);
    expect(changes).toEqual([
      { subject: "router", kind: "change", text: "rollout.investor 50 → 75" },
    ]);
    expect(summarizeChanges(changes, head)).toBe("only the router changes");
    expect(formatDiff({ ref: "origin/main", plan: staging }, head)).toBe(
      "Changes against origin/main:\n  router: rollout.investor 50 → 75\n  (only the router changes)",
    );
  });

  it("a deadline set in the stack file changes only the router's CONFIG, setting by setting", async () => {
    const text = setConfigValue(
      stackText("staging"),
      "Pulumi.staging.yaml",
      ["workers", "investor", "deadlineMs"],
      2500,
    );
    const head = await offlinePlanOfText(ROOT, "staging", text, "Pulumi.staging.yaml");
    expect(diffPlans(staging, head)).toEqual([
      { subject: "router", kind: "change", text: "upstreams.investor.deadlineMs 10000 → 2500" },
    ]);
  });

  it("a code change names the worker and its gzip growth", () => {
    const changes = diffPlans(staging, variant(grown("investor", 1600)));
    expect(changes).toEqual([
      { subject: "investor", kind: "change", text: "code changed, +1.6 KB gzip" },
    ]);
  });

  it("a new worker is named with its script and size", () => {
    const base = variant((plan) => {
      plan.workers = plan.workers.filter((w) => w.name !== "analytics");
    });
    const lines = diffPlans(base, staging).map((c) => `${c.subject}: ${c.text}`);
    expect(lines).toEqual([
      expect.stringMatching(/^analytics: new worker pitch-staging-analytics, \d+\.\d KB gzip$/),
    ]);
  });

  it("a new migration file and an edited applied one", () => {
    const head = variant((plan) => {
      plan.migrations.push({ name: "0099_x.sql", sha256: "x" });
    });
    expect(diffPlans(staging, head)).toEqual([
      { subject: "migrations", kind: "add", text: "+0099_x.sql" },
    ]);
    const edited = variant((plan) => {
      const first = plan.migrations[0];
      if (first) first.sha256 = "changed";
    });
    expect(diffPlans(staging, edited)[0]?.text).toMatch(
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
    const investor = staging.workers.find((w) => w.name === "investor");
    const head = variant((plan) => {
      grown("investor", Math.round((investor?.gzipBytes ?? 0) * 0.2))(plan);
      withWeight("investor", 75)(plan);
    });
    const report = budgetReport(head, { base: { ref: "origin/main", plan: staging } });
    expect(report).toContain("| worker | bytes | gzip | budget (gzip) | Δ gzip vs origin/main |");
    expect(report).toMatch(/\| router \| .* \| unchanged \|/);
    expect(report).toMatch(/\| \*\*investor\*\* ⚠️ \| .* \| \*\*\+\d\.\d KB \(\+20\.0%\)\*\* \|/);
    expect(report).toMatch(
      /> ⚠️ \*\*investor\*\* grew 20\.0% gzip \(\+\d\.\d KB\), over the 10% threshold\./,
    );
    expect(report).toContain("- **router**: rollout.investor 50 → 75");
    expect(report).not.toMatch(/\*\*creator\*\*/);
  });

  it("takes the threshold as an option and works without a base", () => {
    const head = variant(grown("investor", 4000));
    const relaxed = budgetReport(head, {
      base: { ref: "origin/main", plan: staging },
      growthThresholdPercent: 100_000,
    });
    expect(relaxed).not.toContain("⚠️");
    const alone = budgetReport(head, {
      base: { ref: "origin/main", note: "origin/main has no offline plan" },
    });
    expect(alone).toContain("| worker | bytes | gzip | budget (gzip) |\n");
    expect(alone).toContain("_origin/main has no offline plan_");
  });
});

describe("stack files offline", () => {
  it("replaces encrypted values and the JWT key with a placeholder", () => {
    const raw = offlineConfig(
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
      offlineConfig(
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
    spawnSync(process.execPath, ["--import", "tsx", "cli/plan/main.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });

  it("plans prod offline as JSON, without printing the placeholder key", () => {
    const result = run(["--stack", "prod", "--json"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain(PLACEHOLDER_JWT_SECRET);
    const printed = JSON.parse(result.stdout) as OfflinePlan;
    expect(printed).toEqual(prod);
  });

  it("takes the stack as Pulumi names it, and explains its flags", () => {
    const result = run(["--stack", "acme/platform/prod", "--json"]);
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as OfflinePlan).stack).toBe("prod");
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run plan -- --stack <name>/);
    expect(help.stdout).toContain("examples:\n  npm run plan -- --stack prod");
  });

  it("exits 2 on a usage error, naming the flag", () => {
    const unknown = run(["--stak", "prod"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown flag --stak; run with --help to see the flags");
    const missing = run(["--json"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("--stack is required");
    const noFile = run(["--stack", "qa"]);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toContain("--stack qa: there is no Pulumi.qa.yaml");
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
    const output = JSON.parse(result.stdout) as OfflinePlan & {
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
