// The health-gated rollout end to end on the local platform, with short intervals and generated
// traffic: a healthy service goes 0 → 100 and the command exits 0; a service faulted with 500@50
// (its reads rescued by the fallback, so clients see only 200s) is rolled back, exit 1.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Faults } from "../cli/local/faults.ts";
import { localStack, stateLayout } from "../cli/local/local-config.ts";
import { type RunningPlatform, startPlatform } from "../cli/local/platform.ts";
import { runRollout } from "../cli/rollout/command.ts";
import { planPlatform } from "../infra/plan.ts";
import { freePort } from "./support/ports.ts";

const ROOT = resolve(import.meta.dirname, "..");
const dirs: string[] = [];
const platforms: RunningPlatform[] = [];
afterAll(async () => {
  for (const platform of platforms) await platform.dispose();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function platformWith(faults: Faults) {
  const dir = mkdtempSync(join(tmpdir(), "rollout-auto-"));
  dirs.push(dir);
  const jwtSecret = "a-rollout-test-secret-that-is-long-enough-012345";
  const local = localStack(ROOT, { stack: "staging", rollout: { browse: 0 } }, jwtSecret);
  const platform = await startPlatform({
    plan: await planPlatform({ ...local, root: ROOT }),
    state: stateLayout(dir),
    port: await freePort(),
    jwtSecret,
    faults: () => faults,
    output: { info: () => {}, error: () => {} },
  });
  platforms.push(platform);
  return { platform, url: platform.url.href.replace(/\/$/, ""), log: join(dir, "rollouts.jsonl") };
}

/** Anonymous browse reads (each a new caller, so they split by weight) until stopped. */
function traffic(url: string) {
  let running = true;
  const statuses: number[] = [];
  const loops = [1, 2, 3, 4].map(async () => {
    for (let i = 0; running && i < 20_000; i++) {
      const response = await fetch(`${url}/api/browse/pitches?limit=1`);
      statuses.push(response.status);
      await response.arrayBuffer();
    }
  });
  return {
    statuses,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function autoRollout(url: string, log: string) {
  const lines: string[] = [];
  const code = await runRollout(
    {
      local: true,
      url,
      service: "browse",
      auto: true,
      steps: "25,50,100",
      interval: "2s",
      "min-samples": "20",
      log,
    },
    ROOT,
    (line) => lines.push(line),
  );
  return { code, output: lines.join("\n") };
}

describe("npm run rollout -- --local --auto", () => {
  it("promotes a healthy service 0 → 100 and exits 0", async () => {
    const { platform, url, log } = await platformWith({});
    const load = traffic(url);
    const { code, output } = await autoRollout(url, log);
    await load.stop();
    expect(code, output).toBe(0);
    expect(platform.control.weights().browse).toBe(100);
    expect(output).toContain("browse promoted to 100%");
    expect(output).toContain("xychart-beta");
    const verdicts = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { weight: number; verdict: string }).verdict);
    expect(verdicts.filter((v) => v === "promote")).toHaveLength(3);
    expect(verdicts.at(-1)).toBe("done");

    // --status: every service's weight and both sides' figures over the window.
    const status: string[] = [];
    const code2 = await runRollout({ local: true, url, status: true, window: "1m" }, ROOT, (l) =>
      status.push(l),
    );
    expect(code2).toBe(0);
    expect(status[0]).toBe(
      `Rollout status of the local platform at ${url}, last 1m (the local platform at ${url}):`,
    );
    const browse = status.find((line) => line.trimStart().startsWith("browse"));
    expect(browse).toMatch(/^\s+browse\s+100%\s+[1-9]\d*\s+0\.00%/);
  }, 120_000);

  it("rolls back a service failing half its requests, though clients see only 200s, exit 1", async () => {
    const { platform, url, log } = await platformWith({ browse: { mode: "500", percent: 50 } });
    const load = traffic(url);
    const { code, output } = await autoRollout(url, log);
    await load.stop();
    expect(code, output).toBe(1);
    expect(platform.control.weights().browse).toBe(0);
    expect(output).toMatch(/hard limit|failed checks/);
    expect(new Set(load.statuses)).toEqual(new Set([200]));
  }, 120_000);
});
