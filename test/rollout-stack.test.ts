// The gated rollout of a stack, end to end against a fake Analytics Engine SQL API and a fake
// `pulumi` executable: each step edits the stack file and runs `pulumi up`; a healthy service is
// promoted, an unhealthy one rolled back to where it started, and the log holds every step.

import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runRollout } from "../cli/rollout/command.ts";
import { offlineConfig } from "../cli/stack-file.ts";

const ROOT = resolve(import.meta.dirname, "..");
const TOKEN = "fake-cloudflare-token-0123456789";
let server: Server;
let answer: { green: number[]; blue: number[] };
const queries: string[] = [];
const dirs: string[] = [];
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const authorized = req.headers.authorization === `Bearer ${TOKEN}`;
      if (!authorized || !/\/accounts\/[0-9a-f]{32}\/analytics_engine\/sql$/.test(req.url ?? "")) {
        res.writeHead(403).end("{}");
        return;
      }
      queries.push(body);
      const row = (side: string, [requests, errors, p99]: number[]) => ({
        side,
        requests: String(requests),
        errors: String(errors),
        p50: String((p99 ?? 0) / 2),
        p99: String(p99),
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ data: [row("green", answer.green), row("blue", answer.blue)] }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  for (const key of ["PULUMI_COMMAND", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_BASE_URL"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

/** A stack folder with staging's file, and a fake `pulumi` that records its arguments. */
function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "rollout-stack-"));
  dirs.push(dir);
  copyFileSync(join(ROOT, "Pulumi.staging.yaml"), join(dir, "Pulumi.staging.yaml"));
  const pulumi = join(dir, "fake-pulumi");
  writeFileSync(pulumi, `#!/bin/sh\necho "$@" >> "${join(dir, "pulumi-calls")}"\n`);
  chmodSync(pulumi, 0o755);
  process.env.PULUMI_COMMAND = pulumi;
  process.env.CLOUDFLARE_API_TOKEN = TOKEN;
  process.env.CLOUDFLARE_API_BASE_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
  const weight = () =>
    (
      offlineConfig(readFileSync(join(dir, "Pulumi.staging.yaml"), "utf8"), "x")[
        "platform:rollout"
      ] as Record<string, number>
    ).investor;
  const calls = () => readFileSync(join(dir, "pulumi-calls"), "utf8").trim().split("\n");
  return { dir, weight, calls };
}

async function rollout(dir: string) {
  const lines: string[] = [];
  const code = await runRollout(
    {
      stack: "staging",
      dir,
      service: "investor",
      auto: true,
      steps: "75,100",
      interval: "1s",
      "min-samples": "100",
    },
    ROOT,
    (line) => lines.push(line),
  );
  return { code, output: lines.join("\n") };
}

describe("npm run rollout -- --stack staging --auto", () => {
  it("promotes a healthy service, one `pulumi up` per step, judged by the stack's dataset", async () => {
    const { dir, weight, calls } = workspace();
    answer = { green: [500, 1, 80], blue: [500, 1, 70] };
    queries.length = 0;
    const { code, output } = await rollout(dir);
    expect(code, output).toBe(0);
    expect(weight()).toBe(100);
    expect(calls()).toEqual(["up --yes --stack staging", "up --yes --stack staging"]);
    expect(queries[0]).toMatch(/FROM pitch_staging_rollout\s+WHERE index1 = 'investor'/);
    const log = readFileSync(join(dir, "rollouts", "staging.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(log.map((l) => (JSON.parse(l) as { verdict: string }).verdict)).toEqual([
      "promote",
      "promote",
      "done",
    ]);
  }, 60_000);

  it("rolls an unhealthy service back to where it started and exits 1", async () => {
    const { dir, weight, calls } = workspace();
    answer = { green: [500, 60, 80], blue: [500, 1, 70] };
    const { code, output } = await rollout(dir);
    expect(code, output).toBe(1);
    expect(weight()).toBe(50);
    expect(calls()).toHaveLength(2);
    expect(output).toContain("rolled investor back to 50");
  }, 60_000);
});
