// WebSockets end to end in workerd: the local platform (real builds, real D1, the Node front)
// passes an upgrade on /api/messages/live through the router to the stand-in monolith, with the
// token offered as a subprotocol, the same auth and request id, and the live channel stores
// messages that the HTTP API then lists.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetch as upgradeFetch } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stateLayout } from "../cli/local/local-config.ts";
import { type RunningPlatform, startPlatform } from "../cli/local/platform.ts";
import { localPlan } from "./support/local-plan.ts";
import { freePort } from "./support/ports.ts";

const state = stateLayout(mkdtempSync(join(tmpdir(), "platform-ws-")));
let platform: RunningPlatform;
let base: string;
const users: Record<"alice" | "bob", { id: string; token: string }> = {} as never;

beforeAll(async () => {
  platform = await startPlatform({
    plan: await localPlan(),
    state,
    port: await freePort(),
    jwtSecret: "a-websocket-test-secret-that-is-long-enough-0123",
    output: { info: () => {}, error: () => {} },
  });
  base = platform.url.href.replace(/\/$/, "");
  for (const [name, role] of [
    ["alice", "creator"],
    ["bob", "investor"],
  ] as const) {
    const response = await fetch(`${base}/api/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email: `${name}-${Date.now()}@example.com`,
        password: "websocket-password-1",
        name,
        role,
      }),
    });
    const session = (await response.json()) as { token: string; user: { id: string } };
    users[name] = { id: session.user.id, token: session.token };
  }
}, 120_000);

afterAll(async () => {
  await platform?.dispose();
  rmSync(state.dir, { recursive: true, force: true });
});

type Frame = Record<string, unknown> & { type: string };

/** Opens the live channel; frames arrive in `frames`, `next()` waits for the next one. */
async function openLive(protocols: string, headers: Record<string, string> = {}) {
  const response = await upgradeFetch(`${base}/api/messages/live`, {
    headers: { upgrade: "websocket", "sec-websocket-protocol": protocols, ...headers },
  });
  const socket = response.webSocket;
  const frames: Frame[] = [];
  const waiting: ((frame: Frame) => void)[] = [];
  socket?.addEventListener("message", (event) => {
    const frame = JSON.parse(String(event.data)) as Frame;
    const waiter = waiting.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  socket?.accept();
  const next = () =>
    new Promise<Frame>((resolve, reject) => {
      const queued = frames.shift();
      if (queued) return resolve(queued);
      waiting.push(resolve);
      setTimeout(() => reject(new Error("no frame within 5 s")), 5000).unref();
    });
  return { response, socket, next };
}

describe("a WebSocket through the router", () => {
  it("reaches the monolith's live channel with the caller's identity and request id", async () => {
    const live = await openLive(`pitch.v1, bearer.${users.alice.token}`, {
      "x-request-id": "ws-request-0001",
    });
    expect(live.response.status).toBe(101);
    expect(live.response.headers.get("sec-websocket-protocol")).toBe("pitch.v1");
    expect(live.response.headers.get("x-served-by")).toBe("monolith");
    expect(live.response.headers.get("x-request-id")).toBe("ws-request-0001");
    expect(await live.next()).toEqual({
      type: "ready",
      userId: users.alice.id,
      requestId: "ws-request-0001",
    });

    live.socket?.send(JSON.stringify({ type: "ping" }));
    expect(await live.next()).toEqual({ type: "pong" });
    live.socket?.send(JSON.stringify({ type: "send", recipientId: users.bob.id, body: "hi bob" }));
    const sent = await live.next();
    expect(sent).toMatchObject({
      type: "sent",
      message: { senderId: users.alice.id, recipientId: users.bob.id, body: "hi bob" },
    });
    live.socket?.send(JSON.stringify({ type: "send", recipientId: users.alice.id, body: "me" }));
    expect(await live.next()).toEqual({
      type: "error",
      error: {
        code: "invalid_request",
        message: "body.recipientId must be someone other than you",
      },
    });
    live.socket?.send("not json");
    expect((await live.next()).error).toEqual({
      code: "invalid_request",
      message: "frames must be JSON",
    });
    live.socket?.close();

    const listed = await fetch(`${base}/api/messages`, {
      headers: { authorization: `Bearer ${users.bob.token}` },
    });
    const { items } = (await listed.json()) as { items: { id: string; body: string }[] };
    expect(items.map((m) => [m.id, m.body])).toEqual([
      [(sent.message as { id: string }).id, "hi bob"],
    ]);
  });

  it("is refused by the router without a valid token, like any request", async () => {
    const missing = await upgradeFetch(`${base}/api/messages/live`, {
      headers: { upgrade: "websocket", "sec-websocket-protocol": "pitch.v1" },
    });
    expect(missing.status).toBe(401);
    const bad = await upgradeFetch(`${base}/api/messages/live`, {
      headers: { upgrade: "websocket", "sec-websocket-protocol": "pitch.v1, bearer.forged" },
    });
    expect([bad.status, bad.headers.get("x-served-by")]).toEqual([401, "router"]);
  });

  it("answers a plain GET on the channel with 426", async () => {
    const response = await fetch(`${base}/api/messages/live`, {
      headers: { authorization: `Bearer ${users.alice.token}` },
    });
    expect(response.status).toBe(426);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "upgrade_required",
    );
  });
});
