import { describe, expect, it } from "vitest";
import type { BudgetLine } from "../../infra/budgets.ts";
import { formatStartupTable, readyLine } from "./table.ts";

const budget = { maxBytes: 200_000, maxGzipBytes: 61_440 };
const lines: BudgetLine[] = [
  {
    name: "router",
    bytes: 25_000,
    gzipBytes: 10_138,
    budget: { maxBytes: 40_960, maxGzipBytes: 12_288 },
  },
  { name: "investor", bytes: 53_000, gzipBytes: 18_900, budget },
  { name: "monolith", bytes: 78_000, gzipBytes: 25_500, budget },
];

describe("formatStartupTable", () => {
  const table = formatStartupTable({
    url: "http://127.0.0.1:8787/",
    config: {
      stack: "staging",
      rollout: {
        auth: 100,
        creator: 100,
        investor: 30,
        production: 50,
        browse: 100,
        analytics: 100,
      },
      corsOrigins: ["http://localhost:5173"],
    },
    budgetLines: lines,
    overridden: new Set(["investor"]),
    stateDir: "/repo/.local",
    jwtSecretFrom: "state file",
    migrations: { applied: [], unchanged: ["0001_a.sql", "0002_b.sql"], adopted: [] },
    buildMs: 412.4,
    startMs: 610.2,
    watch: false,
  });

  it("starts with the ready line tests and scripts wait for", () => {
    expect(table.split("\n")[0]).toBe(readyLine("http://127.0.0.1:8787"));
    expect(readyLine("http://127.0.0.1:8787")).toBe(
      "Local platform ready at http://127.0.0.1:8787",
    );
  });

  it("shows each worker's size against its budget and the weights in use", () => {
    expect(table).toMatch(/router\s+24\.4 KB\s+9\.9 KB \/ 12\.0 KB\s+83%\s+every request/);
    expect(table).toMatch(
      /investor\s+51\.8 KB\s+18\.5 KB \/ 60\.0 KB\s+31%\s+30% here, 70% monolith \(--rollout\)/,
    );
    expect(table).toMatch(/monolith .* blue side/);
    expect(table).toContain("migrations 2 applied, none pending");
    expect(table).toContain("build 412 ms, workerd start 610 ms");
  });
});
