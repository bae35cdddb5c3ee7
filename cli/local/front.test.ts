// The local front: forwards as it came, holds requests while a reload runs (after the ones in
// flight finish), answers `503 starting` when held too long, and tunnels WebSocket upgrades.

import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type Front, openFront } from "./front.ts";

const HOST = "127.0.0.1";
const events: string[] = [];
let upstream: Server;
let front: Front | undefined;
const constant = (url: URL) => () => url;

async function startUpstream(): Promise<URL> {
  upstream = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    if (req.url === "/slow") await new Promise((resolve) => setTimeout(resolve, 200));
    events.push(`answered ${req.url}`);
    res.writeHead(201, { "content-type": "application/json", "x-echo": req.headers["x-in"] ?? "" });
    res.end(JSON.stringify({ method: req.method, url: req.url, body }));
  });
  upstream.on("upgrade", (req, socket) => {
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\nx-url: ${req.url}\r\n\r\n`,
    );
    socket.on("data", (data) => socket.write(`echo:${data}`));
    socket.on("end", () => socket.destroy());
  });
  await new Promise<void>((resolve) => upstream.listen(0, HOST, resolve));
  return new URL(`http://${HOST}:${(upstream.address() as AddressInfo).port}`);
}

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(new URL(path, front?.url), init);
  events.push(`client got ${path} ${response.status}`);
  return response;
}

afterEach(async () => {
  events.length = 0;
  await front?.close();
  front = undefined;
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe("the local front", () => {
  it("forwards method, path, headers and body, and the answer as it came", async () => {
    front = await openFront({ host: HOST, port: 0, upstream: constant(await startUpstream()) });
    const response = await call("/api/x?q=1", {
      method: "POST",
      body: "hello",
      headers: { "x-in": "kept" },
    });
    expect([response.status, response.headers.get("x-echo")]).toEqual([201, "kept"]);
    expect(await response.json()).toEqual({ method: "POST", url: "/api/x?q=1", body: "hello" });
  });

  it("lets requests in flight finish before a reload, and holds new ones until it is done", async () => {
    front = await openFront({ host: HOST, port: 0, upstream: constant(await startUpstream()) });
    const slow = call("/slow");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reload = front.pausedFor(async () => {
      events.push("reload");
      await new Promise((resolve) => setTimeout(resolve, 100));
      events.push("reloaded");
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const held = call("/during");
    await Promise.all([slow, reload, held]);
    const at = (event: string) => events.indexOf(event);
    expect(at("answered /slow")).toBeLessThan(at("reload"));
    expect(at("reloaded")).toBeLessThan(at("answered /during"));
    expect(events.filter((e) => e.startsWith("client got"))).toEqual([
      "client got /slow 201",
      "client got /during 201",
    ]);
  });

  it("answers 503 starting with Retry-After when a reload holds a request too long", async () => {
    front = await openFront({
      host: HOST,
      port: 0,
      upstream: constant(await startUpstream()),
      holdMs: 50,
    });
    const reload = front.pausedFor(() => new Promise((resolve) => setTimeout(resolve, 300)));
    const response = await call("/x");
    expect([response.status, response.headers.get("retry-after")]).toEqual([503, "1"]);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("starting");
    await reload;
  });

  it("tunnels a WebSocket upgrade both ways", async () => {
    front = await openFront({ host: HOST, port: 0, upstream: constant(await startUpstream()) });
    const url = front.url;
    const echoed = await new Promise<string>((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: "/api/messages/live",
        headers: { connection: "upgrade", upgrade: "websocket" },
      });
      req.on("upgrade", (response, socket) => {
        expect(response.headers["x-url"]).toBe("/api/messages/live");
        socket.once("data", (data) => {
          resolve(String(data));
          socket.destroy();
        });
        socket.write("ping");
      });
      req.on("error", reject);
      req.end();
    });
    expect(echoed).toBe("echo:ping");
  });
});
