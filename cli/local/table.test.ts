import { beforeAll, describe, expect, it } from "vitest";
import type { PlatformPlan } from "../../infra/plan.ts";
import { localPlan } from "../../test/support/local-plan.ts";
import { formatStartupTable, readyLine } from "./table.ts";

let plan: PlatformPlan;
let table: string;
beforeAll(async () => {
  plan = await localPlan({
    "platform:rollout": { investor: 30 },
    "platform:workers": { browse: { deadlineMs: 2500, skipAfterFailures: 3 } },
  });
  table = formatStartupTable({
    url: "http://127.0.0.1:8787/",
    plan,
    flags: {
      rollout: { investor: 30 },
      watch: false,
      faults: {
        investor: { mode: "500", percent: 20 },
        monolith: { mode: "slow", ms: 800, percent: 100 },
      },
    },
    stateDir: "/repo/.local",
    jwtSecretFrom: "state file",
    migrations: { applied: [], unchanged: ["0001_a.sql", "0002_b.sql"], adopted: [], resumed: [] },
    buildMs: 412.4,
    startMs: 610.2,
  });
});

describe("formatStartupTable", () => {
  it("starts with the ready line tests and scripts wait for", () => {
    expect(table.split("\n")[0]).toBe(readyLine("http://127.0.0.1:8787"));
    expect(readyLine("http://127.0.0.1:8787")).toBe(
      "Local platform ready at http://127.0.0.1:8787",
    );
  });

  it("shows each planned worker's size against its budget and the weights in use", () => {
    const rows = table.split("\n").filter((line) => /^ {2}\w+ +\d/.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/)[0])).toEqual(
      plan.workers.map((w) => w.spec.name),
    );
    expect(table).toMatch(/router\s+\S+ KB\s+\S+ KB \/ \S+ KB\s+\d+%\s+every request/);
    expect(table).toMatch(/investor\s+.*\s+30% here, 70% monolith \(--rollout\)/);
    expect(table).toMatch(/monolith .* blue side, \/api\/nda, \/api\/messages/);
    expect(table).toContain("migrations 2 applied, none pending");
    expect(table).toContain("build 412 ms, workerd start 610 ms");
    expect(table).toContain(
      "  limits     login 100000/60 s, loginClient 100000/60 s, register 100000/60 s, events 100000/60 s (local: raised so seed, smoke and stress run)",
    );
  });
});

describe("the deadline, skip and fault columns", () => {
  it("show each worker's deadline and skip settings, and the faults in force", () => {
    const row = (name: string) => table.split("\n").find((line) => line.startsWith(`  ${name} `));
    expect(row("browse")).toMatch(/ 2\.5 s, after 3 failures 30 s\s*$/);
    expect(row("investor")).toMatch(/ 10 s, after 5 failures 30 s\s+500@20$/);
    expect(row("monolith")).toMatch(/ 10 s\s+slow:800$/);
    expect(row("router")).toMatch(/every request$/);
  });
});
