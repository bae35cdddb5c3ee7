// End to end: `npm start` as a user runs it (a real child process on a free port with its own
// state folder), the smoke and seed scripts against it, SIGTERM, a restart on the same state, and
// the clear errors for a taken port and bad flags.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKER_NAMES } from "../shared/workers.ts";
import { freePort } from "./support/ports.ts";

const ROOT = resolve(import.meta.dirname, "..");
const START_TIMEOUT_MS = 90_000;
const READY = /Local platform ready at (http:\/\/127\.0\.0\.1:\d+)/;

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

const children = new Set<ChildProcess>();
const stateDirs: string[] = [];

function tempState(): string {
  const dir = mkdtempSync(join(tmpdir(), "platform-e2e-"));
  stateDirs.push(dir);
  return dir;
}

function scriptArgs(script: string, args: string[]): string[] {
  return ["--import", "tsx", script, ...args];
}

/** Starts the platform and waits for its ready line; fails with the output if it exits first. */
async function start(args: string[]): Promise<Started> {
  const env = { ...process.env };
  delete env.PLATFORM_JWT_SECRET;
  const child = spawn(process.execPath, scriptArgs("cli/local/main.ts", args), {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ready line within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const check = () => {
      const match = READY.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

/** Sends SIGTERM and resolves with the exit code (SIGKILL after 20 s, then rejects). */
async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const code = await exited;
  clearTimeout(timer);
  children.delete(child);
  return code;
}

/** Runs a script to its end; resolves with its exit code and output. */
function runScript(
  script: string,
  args: string[],
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      scriptArgs(script, args),
      { cwd: ROOT, timeout: timeoutMs, env: { ...process.env, PLATFORM_JWT_SECRET: "" } },
      (error, stdout, stderr) => {
        children.delete(child);
        const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
        done({ code: typeof code === "number" ? code : null, stdout, stderr });
      },
    );
    children.add(child);
  });
}

async function json(url: string, init: RequestInit = {}) {
  const response = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

describe("npm start: the local platform", () => {
  const state = tempState();
  let port: number;
  let running: Started;
  const email = `e2e-${Date.now()}@example.com`;
  const password = "e2e-password-1";
  let tokenBeforeRestart: string;

  beforeAll(async () => {
    port = await freePort();
    running = await start(["--port", String(port), "--state", state]);
  }, START_TIMEOUT_MS + 10_000);

  it("prints the URL, every worker's bundle against its budget and the rollout in use", () => {
    expect(running.url).toBe(`http://127.0.0.1:${port}`);
    const table = running.output();
    for (const worker of WORKER_NAMES) {
      expect(table).toMatch(
        new RegExp(`\\n  ${worker} +\\d+\\.\\d KB +\\d+\\.\\d KB / \\d+\\.\\d KB`),
      );
    }
    expect(table).toMatch(/investor .*\d+% here, \d+% monolith/);
    expect(table).toContain("migrations applied 0001_");
  });

  it("answers /health through the router only", async () => {
    const health = await json(`${running.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("x-served-by")).toBe("router");
    expect(health.headers.get("x-request-id")).toBeTruthy();
  });

  it("passes the smoke test (sign-up → pitch → publish → search → offer → creator sees it, every prefix)", async () => {
    const smoke = await runScript("tools/smoke.ts", ["--url", running.url]);
    expect(smoke.stdout).not.toContain("✗");
    expect(smoke.stdout).toMatch(/(\d+) of \1 steps passed/);
    expect(smoke.code).toBe(0);
  }, 90_000);

  it("seeds demo data, and a second seed run succeeds too", async () => {
    const first = await runScript("tools/seed.ts", ["--url", running.url]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const second = await runScript("tools/seed.ts", ["--url", running.url]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/creator1@demo\.local +creator +existed/);
    const search = await json(`${running.url}/api/browse/pitches?q=lighthouse`);
    expect(search.body.items.map((p: { title: string }) => p.title)).toContain(
      "The Last Lighthouse",
    );
  }, 90_000);

  it("stops on SIGTERM with exit code 0", async () => {
    const registered = await json(`${running.url}/api/auth/register`, {
      method: "POST",
      body: JSON.stringify({ email, password, name: "E2E", role: "creator" }),
    });
    expect(registered.status).toBe(201);
    tokenBeforeRestart = registered.body.token;
    expect(await stop(running.child)).toBe(0);
    expect(running.output()).toContain("stopped");
  }, 30_000);

  it(
    "keeps data and the JWT key across a restart on the same state, with new weights",
    async () => {
      const again = await start([
        "--port",
        String(port),
        "--state",
        state,
        "--rollout",
        "creator=0,investor=0",
      ]);
      try {
        expect(again.output()).toMatch(/creator +.*0% here, 100% monolith \(--rollout\)/);
        expect(again.output()).toContain("none pending");
        const login = await json(`${again.url}/api/auth/login`, {
          method: "POST",
          body: JSON.stringify({ email, password }),
        });
        expect(login.status).toBe(200);
        const me = await json(`${again.url}/api/auth/me`, {
          headers: { authorization: `Bearer ${tokenBeforeRestart}` },
        });
        expect(me.status).toBe(200);
        expect(me.body.user.email).toBe(email);
        const pitches = await json(`${again.url}/api/creator/pitches`, {
          headers: { authorization: `Bearer ${tokenBeforeRestart}` },
        });
        expect(pitches.status).toBe(200);
        expect(pitches.headers.get("x-served-by")).toBe("monolith");
      } finally {
        expect(await stop(again.child)).toBe(0);
      }
    },
    START_TIMEOUT_MS + 30_000,
  );
});

describe("npm start: clear errors", () => {
  let held: Server | undefined;

  afterAll(async () => {
    if (held) await new Promise((done) => held?.close(done));
  });

  it("says when the port is taken, before building anything", async () => {
    held = createServer();
    await new Promise<void>((done) => held?.listen(0, "127.0.0.1", done));
    const { port } = held.address() as { port: number };
    const result = await runScript("cli/local/main.ts", [
      "--port",
      String(port),
      "--state",
      tempState(),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`port ${port} is in use; pass --port <free port>`);
  }, 60_000);

  it.each([
    [["--bogus"], "unknown flag --bogus; run with --help to see the flags"],
    [["--port", "abc"], '--port must be an integer 1-65535, got "abc"'],
    [["--stack", "qa"], /^--stack qa: there is no Pulumi\.qa\.yaml in .*; stacks here: .*staging/],
  ])(
    "refuses %j with one line and exit code 2",
    async (args, message) => {
      const result = await runScript("cli/local/main.ts", [...args, "--state", tempState()]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr.trim()).toMatch(message);
    },
    60_000,
  );

  it("refuses a bad --rollout with the program's config message", async () => {
    const result = await runScript("cli/local/main.ts", [
      "--rollout",
      "investor=150",
      "--state",
      tempState(),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("platform:rollout.investor must be an integer 0-100, got 150");
  }, 60_000);

  it("prints help with exit code 0", async () => {
    const result = await runScript("cli/local/main.ts", ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--rollout <list>");
  }, 60_000);
});

describe("npm start from an empty state folder", () => {
  it(
    "answers no request with a 500, even one sent the moment the port accepts connections",
    async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = spawn(
        process.execPath,
        scriptArgs("cli/local/main.ts", ["--port", String(port), "--state", tempState()]),
        { cwd: ROOT, stdio: "ignore" },
      );
      children.add(child);
      const deadline = Date.now() + START_TIMEOUT_MS;
      let first: Response | undefined;
      while (!first && Date.now() < deadline && child.exitCode === null) {
        first = await fetch(`${url}/api/browse/pitches?q=first`).catch(() => undefined);
        if (!first) await new Promise((resolveWait) => setTimeout(resolveWait, 10));
      }
      expect(first?.status).toBe(200);
      const email = `ready-${Date.now()}@example.com`;
      const body = { email, password: "ready-password-1", name: "Ready", role: "creator" };
      const answers = await Promise.all([
        json(`${url}/api/auth/register`, { method: "POST", body: JSON.stringify(body) }),
        json(`${url}/api/browse/pitches?q=night`),
        json(`${url}/api/auth/login`, {
          method: "POST",
          body: JSON.stringify({ email: "nobody@example.com", password: "nobody-password" }),
        }),
        json(`${url}/health`),
      ]);
      expect(answers.map((a) => a.status)).toEqual([201, 200, 401, 200]);
      expect(await stop(child)).toBe(0);
    },
    START_TIMEOUT_MS + 30_000,
  );
});
