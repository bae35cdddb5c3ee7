// Bundle budgets: the file's checks, and over-budget messages that name the worker, its size, its
// budget and the inputs that weigh most.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isServiceName, WORKER_NAMES, type WorkerName } from "../shared/workers.ts";
import {
  BudgetError,
  type Budgets,
  checkBudgets,
  formatBytes,
  largestInputs,
  loadBudgets,
  parseBudgets,
  SERVICE_DEFAULT,
} from "./budgets.ts";
import type { WorkerBuild } from "./build.ts";

const ROOT = resolve(import.meta.dirname, "..");

/** A build of the given sizes whose output is made of `inputs` (path → bytes in output). */
function fakeBuild(
  name: WorkerName,
  sizes: { bytes: number; gzipBytes: number },
  inputs: Record<string, number> = {},
): WorkerBuild {
  const mainModule = `${name}.js`;
  return {
    name,
    code: "",
    sha256: "",
    mainModule,
    ...sizes,
    metafile: {
      inputs: {},
      outputs: {
        [mainModule]: {
          bytes: sizes.bytes,
          inputs: Object.fromEntries(
            Object.entries(inputs).map(([path, bytesInOutput]) => [path, { bytesInOutput }]),
          ),
          imports: [],
          exports: [],
          entryPoint: `services/${name}/src/index.ts`,
        },
      },
    },
  };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof BudgetError) return error.problems;
    throw error;
  }
  throw new Error("expected a BudgetError");
}

const budgets: Budgets = { investor: { maxBytes: 200_000, maxGzipBytes: 51_200 } };

describe("the budgets file", () => {
  it("covers every worker this repo builds: the router, the monolith, and services by default", () => {
    const budgets = loadBudgets(join(ROOT, "bundle-budgets.json"));
    for (const name of WORKER_NAMES) {
      const own = budgets[name] ?? (isServiceName(name) ? budgets[SERVICE_DEFAULT] : undefined);
      expect(own, name).toBeDefined();
    }
  });

  it("gives a service without a line of its own the services' default", () => {
    const build = fakeBuild("creator", { bytes: 1, gzipBytes: 1 });
    const lines = checkBudgets([build], { [SERVICE_DEFAULT]: { maxBytes: 10, maxGzipBytes: 10 } });
    expect(lines[0]?.budget).toEqual({ maxBytes: 10, maxGzipBytes: 10 });
    expect(() =>
      checkBudgets([fakeBuild("router", { bytes: 1, gzipBytes: 1 })], {
        [SERVICE_DEFAULT]: { maxBytes: 10, maxGzipBytes: 10 },
      }),
    ).toThrow('worker "router" has no budget');
  });

  it("rejects a worker that does not exist, naming the known ones", () => {
    expect(
      problemsOf(() => parseBudgets({ nosuchworker: { maxBytes: 1, maxGzipBytes: 1 } })),
    ).toEqual([
      `bundle-budgets.json: "nosuchworker" is not a worker; expected one of ${WORKER_NAMES.join(", ")} or "$service" (the default of every service)`,
    ]);
  });

  it("rejects a malformed budget with what it expected", () => {
    expect(problemsOf(() => parseBudgets({ router: { maxBytes: "40 KB" } }))).toEqual([
      'bundle-budgets.json: "router" must be { "maxBytes": <positive integer>, "maxGzipBytes": <positive integer> }, got {"maxBytes":"40 KB"}',
    ]);
  });

  it("names the file when it is not JSON", () => {
    const path = join(mkdtempSync(join(tmpdir(), "budgets-")), "bundle-budgets.json");
    writeFileSync(path, "{ nope");
    expect(problemsOf(() => loadBudgets(path))[0]).toMatch(
      new RegExp(`^${path} could not be read as JSON: `),
    );
  });
});

describe("checkBudgets", () => {
  it("passes a bundle within its budget and reports its line", () => {
    const build = fakeBuild("investor", { bytes: 150_000, gzipBytes: 50_000 });
    expect(checkBudgets([build], budgets)).toEqual([
      { name: "investor", bytes: 150_000, gzipBytes: 50_000, budget: budgets.investor },
    ]);
  });

  it("fails a worker without a budget, saying what to add", () => {
    const build = fakeBuild("creator", { bytes: 1, gzipBytes: 1 });
    expect(problemsOf(() => checkBudgets([build], budgets))).toEqual([
      'worker "creator" has no budget; add "creator": { "maxBytes": ..., "maxGzipBytes": ... } to bundle-budgets.json (or a "$service" default for services)',
    ]);
  });

  it("fails an over-budget bundle naming the worker, its size, its budget and largest inputs", () => {
    const build = fakeBuild(
      "investor",
      { bytes: 180_000, gzipBytes: 62_669 },
      {
        "node_modules/zod/v4/core/schemas.js": 15_000,
        "node_modules/zod/v4/classic/schemas.js": 6_504,
        "node_modules/hono/dist/hono-base.js": 9_000,
        "services/investor/src/watchlist.ts": 4_000,
        "shared/http/validation.ts": 1_000,
        "shared/errors.ts": 500,
      },
    );
    expect(problemsOf(() => checkBudgets([build], budgets))).toEqual([
      'bundle "investor" is 61.2 KB gzip, over its 50.0 KB budget; largest inputs: zod 21.0 KB, hono 8.8 KB, services/investor/src/watchlist.ts 3.9 KB, shared/http/validation.ts 1000 B, shared/errors.ts 500 B',
    ]);
  });

  it("checks the uncompressed size too, and reports every failing worker at once", () => {
    const both: Budgets = { ...budgets, router: { maxBytes: 40_960, maxGzipBytes: 12_288 } };
    const problems = problemsOf(() =>
      checkBudgets(
        [
          fakeBuild("investor", { bytes: 250_000, gzipBytes: 40_000 }, { "a.ts": 10 }),
          fakeBuild("router", { bytes: 30_000, gzipBytes: 13_000 }, { "b.ts": 10 }),
        ],
        both,
      ),
    );
    expect(problems).toEqual([
      'bundle "investor" is 244.1 KB, over its 195.3 KB budget (uncompressed); largest inputs: a.ts 10 B',
      'bundle "router" is 12.7 KB gzip, over its 12.0 KB budget; largest inputs: b.ts 10 B',
    ]);
  });
});

describe("helpers", () => {
  it("groups inputs by npm package, scoped ones included", () => {
    const build = fakeBuild(
      "auth",
      { bytes: 1, gzipBytes: 1 },
      { "node_modules/@scope/pkg/a.js": 3, "node_modules/@scope/pkg/b.js": 4, "x.ts": 5 },
    );
    expect(largestInputs(build)).toEqual([
      { name: "@scope/pkg", bytes: 7 },
      { name: "x.ts", bytes: 5 },
    ]);
  });

  it("formats sizes in B, KB and MB", () => {
    expect([formatBytes(999), formatBytes(2048), formatBytes(3 * 1024 * 1024)]).toEqual([
      "999 B",
      "2.0 KB",
      "3.00 MB",
    ]);
  });
});
