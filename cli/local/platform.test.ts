// startPlatform with stand-in bundles in a real workerd: logs carry the worker's name (also for an
// uncaught exception), the JWT key reaches the workers and survives a restart, migrations run,
// a reload that workerd refuses keeps the last good version, and a taken port is refused.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerBuild } from "../../infra/build.ts";
import { loadMigrations } from "../../infra/migrations/files.ts";
import type { PlatformPlan } from "../../infra/plan.ts";
import { WORKER_NAMES, type WorkerName } from "../../shared/workers.ts";
import { localPlan } from "../../test/support/local-plan.ts";
import { freePort } from "../../test/support/ports.ts";
import { stateLayout } from "./local-config.ts";
import { assertPortFree, PortInUseError, type RunningPlatform, startPlatform } from "./platform.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const MIGRATIONS_DIR = join(ROOT, "shared/migrations");
const SECRET = "first-local-secret-that-is-long-enough-01";
const state = stateLayout(mkdtempSync(join(tmpdir(), "platform-unit-")));
let plan: PlatformPlan;
beforeAll(async () => {
  plan = await localPlan();
});

const ROUTER = `export default { async fetch(request, env) {
  const path = new URL(request.url).pathname;
  console.log("routing " + path);
  if (path === "/secret") return new Response(await env.JWT_SECRET.get());
  if (path === "/version") return new Response("one");
  return env.INVESTOR.fetch(request);
} };`;
const INVESTOR = `export default { async fetch(request) {
  if (new URL(request.url).pathname === "/crash") throw new Error("investor boom");
  return new Response("investor ok");
} };`;
const IDLE = "export default { fetch() { return new Response('idle') } };";

function builds(overrides: Partial<Record<WorkerName, string>> = {}): Map<WorkerName, WorkerBuild> {
  const code: Partial<Record<WorkerName, string>> = {
    router: ROUTER,
    investor: INVESTOR,
    ...overrides,
  };
  return new Map(
    WORKER_NAMES.map((name) => [
      name,
      {
        name,
        code: code[name] ?? IDLE,
        bytes: 1,
        gzipBytes: 1,
        sha256: "0".repeat(64),
        metafile: { inputs: {}, outputs: {} },
        mainModule: `${name}.js`,
      },
    ]),
  );
}

const info: string[] = [];
const errors: string[] = [];
const output = {
  info: (line: string) => info.push(line),
  error: (line: string) => errors.push(line),
};
let platform: RunningPlatform | undefined;

afterAll(async () => {
  await platform?.dispose();
  rmSync(state.dir, { recursive: true, force: true });
});

async function text(url: URL | string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
}

describe("startPlatform", () => {
  it("serves the router on 127.0.0.1, with migrations applied and the JWT key stored", async () => {
    const port = await freePort();
    platform = await startPlatform({
      plan,
      builds: builds(),
      state,
      port,
      jwtSecret: SECRET,
      output,
    });
    expect(platform.url.href).toBe(`http://127.0.0.1:${port}/`);
    expect(platform.migrations.applied).toEqual(loadMigrations(MIGRATIONS_DIR).map((m) => m.name));
    expect(await text(new URL("/secret", platform.url))).toEqual({ status: 200, body: SECRET });
    expect(await text(new URL("/anything", platform.url))).toEqual({
      status: 200,
      body: "investor ok",
    });
    await expect(assertPortFree(port)).rejects.toThrow(new PortInUseError(port).message);
  });

  it("names the worker in its console lines and in an exception that escapes it", async () => {
    const url = platform!.url;
    await text(new URL("/crash", url));
    await eventually(() => errors.some((line) => line.includes("investor boom")));
    expect(info).toContain("[router] routing /crash");
    expect(errors.find((line) => line.includes("investor boom"))).toMatch(
      /^\[investor\] uncaught exception in fetch: Error: investor boom/,
    );
  });

  it("keeps the last good version when workerd refuses a reload, and takes a good one", async () => {
    const live = platform!;
    await expect(
      live.reload(builds({ router: 'throw new Error("bad at load"); export default {};' })),
    ).rejects.toThrow(/failed to start/);
    expect((await text(new URL("/version", live.url))).body).toBe("one");
    await live.reload(builds({ router: ROUTER.replace('"one"', '"two"') }));
    expect((await text(new URL("/version", live.url))).body).toBe("two");
  }, 30_000);

  it("restarts on the same state: migrations are not re-run and a new JWT key replaces the old", async () => {
    await platform?.dispose();
    const newSecret = "second-local-secret-that-is-long-enough-2";
    platform = await startPlatform({
      plan,
      builds: builds(),
      state,
      port: await freePort(),
      jwtSecret: newSecret,
      output,
    });
    expect(platform.migrations.applied).toEqual([]);
    expect((await text(new URL("/secret", platform.url))).body).toBe(newSecret);
  }, 30_000);
});
