// The body rules every service app applies: the size limit on every route before any handler
// (declared or streamed), JSON only as application/json, and text that is valid Unicode.

import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { createServiceApp } from "./app.ts";
import { MAX_BODY_BYTES, readJson } from "./body.ts";

const REQUEST_ID = "body-test-request";

function error(code: string, message: string) {
  return { error: { code, message, requestId: REQUEST_ID } };
}

const TOO_LARGE = error("payload_too_large", "The body is over the 64 KB limit.");

/** An app whose `/ignore` never reads its body and whose `/echo` reads `{ text }`; counts handler runs. */
function testApp() {
  const app = createServiceApp("body-test");
  const ran: string[] = [];
  app.post("/ignore", (c) => {
    ran.push("ignore");
    return c.json({ ok: true });
  });
  app.post("/echo", async (c) => {
    const body = await readJson(c, () => v.object({ text: v.string() }));
    ran.push("echo");
    return c.json(body);
  });
  return { app, ran };
}

function send(
  app: ReturnType<typeof testApp>["app"],
  path: string,
  body: BodyInit,
  headers: Record<string, string> = {},
) {
  return app.request(path, {
    method: "POST",
    headers: { "x-request-id": REQUEST_ID, "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

/** A body streamed in 16 KB chunks without content-length; `pulled` counts the bytes read. */
function streamOf(bytes: number) {
  const counter = { pulled: 0 };
  const chunk = new Uint8Array(16 * 1024).fill(0x20);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= bytes) return controller.close();
      counter.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, counter };
}

describe("the body limit, on every route before any handler", () => {
  it("refuses a declared content-length over the limit without reading the body", async () => {
    const { app, ran } = testApp();
    const { stream, counter } = streamOf(10 * 1024 * 1024);
    const res = await send(app, "/ignore", stream, { "content-length": String(10 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(TOO_LARGE);
    expect(res.headers.get("x-request-id")).toBe(REQUEST_ID);
    expect(counter.pulled).toBeLessThanOrEqual(64 * 1024);
    expect(ran).toEqual([]);
  });

  it("cuts a streamed body without content-length at the limit on a route that never reads it", async () => {
    const { app, ran } = testApp();
    const { stream, counter } = streamOf(10 * 1024 * 1024);
    const res = await send(app, "/ignore", stream);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual(TOO_LARGE);
    expect(counter.pulled).toBeLessThan(MAX_BODY_BYTES + 64 * 1024);
    expect(ran).toEqual([]);
  });

  it("cuts a body longer than its content-length says", async () => {
    const { app, ran } = testApp();
    const { stream } = streamOf(1024 * 1024);
    const res = await send(app, "/ignore", stream, { "content-length": "10" });
    expect(res.status).toBe(413);
    expect(ran).toEqual([]);
  });

  it("refuses an unknown route's large body with 413 too, and lets bodies at the limit through", async () => {
    const { app, ran } = testApp();
    expect((await send(app, "/nowhere", "x".repeat(MAX_BODY_BYTES + 1))).status).toBe(413);
    const atLimit = JSON.stringify({ text: "x".repeat(MAX_BODY_BYTES - 11) });
    expect(atLimit.length).toBe(MAX_BODY_BYTES);
    expect((await send(app, "/echo", atLimit)).status).toBe(200);
    expect((await send(app, "/ignore", "x".repeat(MAX_BODY_BYTES))).status).toBe(200);
    expect(ran).toEqual(["echo", "ignore"]);
  });

  it("reads the body once in apps composed into one, as the monolith composes services", async () => {
    const { app: inner, ran } = testApp();
    const outer = createServiceApp("body-test-outer");
    outer.route("/", inner);
    const res = await send(outer, "/echo", JSON.stringify({ text: "composed" }));
    expect([res.status, await res.json()]).toEqual([200, { text: "composed" }]);
    expect((await send(outer, "/ignore", streamOf(1024 * 1024).stream)).status).toBe(413);
    expect(ran).toEqual(["echo"]);
  });
});

describe("readJson", () => {
  it.each([
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON;charset=UTF-8",
    'application/json; charset="utf-8"',
  ])("reads content-type %s", async (type) => {
    const { app } = testApp();
    const res = await send(app, "/echo", JSON.stringify({ text: "é" }), { "content-type": type });
    expect([res.status, await res.json()]).toEqual([200, { text: "é" }]);
  });

  it.each([
    "application/json-patch+json",
    "application/jsonx",
    "application/merge-patch+json",
    "application/json; charset=latin1",
    "application/json; profile=x",
  ])("refuses content-type %s with 415 naming it", async (type) => {
    const { app, ran } = testApp();
    const res = await send(app, "/echo", JSON.stringify({ text: "x" }), { "content-type": type });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual(
      error(
        "unsupported_media_type",
        `The body must be plain JSON (content-type: application/json, optionally with charset=utf-8); found content-type: ${type}.`,
      ),
    );
    expect(ran).toEqual([]);
  });

  it("refuses a body that is not declared JSON at all with 415", async () => {
    const { app } = testApp();
    const res = await send(app, "/echo", "{}", { "content-type": "text/plain" });
    expect([res.status, await res.json()]).toEqual([
      415,
      error("unsupported_media_type", "Send the body as JSON (content-type: application/json)."),
    ]);
  });

  it("refuses bytes that are not UTF-8 with 400 instead of replacing them", async () => {
    const { app, ran } = testApp();
    const bytes = new Uint8Array([...new TextEncoder().encode('{"text":"a'), 0xff, 0x22, 0x7d]);
    const res = await send(app, "/echo", bytes);
    expect([res.status, await res.json()]).toEqual([
      400,
      error("invalid_encoding", "The body is not valid UTF-8; send JSON text encoded as UTF-8."),
    ]);
    expect(ran).toEqual([]);
  });

  it.each([
    ['{"text":"a\\ud800b"}', "body.text"],
    ['{"text":"\\udfff"}', "body.text"],
    ['{"text":"ok","tags":["fine","\\ud83d"]}', "body.tags.1"],
    ['{"text":"ok","\\ud800":1}', 'body key "\\ud800"'],
  ])("refuses the lone surrogate escape in %s with 400 naming %s", async (body, where) => {
    const { app, ran } = testApp();
    const res = await send(app, "/echo", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(
      error(
        "invalid_encoding",
        `${where} holds a lone surrogate escape (\\ud800-\\udfff), which is not Unicode text; escape a character outside the BMP as a pair, or send it unescaped.`,
      ),
    );
    expect(ran).toEqual([]);
  });

  it("reads a surrogate pair escape as the character it encodes", async () => {
    const { app } = testApp();
    const res = await send(app, "/echo", '{"text":"\\ud83c\\udfac"}');
    expect([res.status, await res.json()]).toEqual([200, { text: "🎬" }]);
  });

  it("walks a deeply nested body without running out of stack", async () => {
    const { app } = testApp();
    const deep = `{"text":"x","n":${"[".repeat(30_000)}${"]".repeat(30_000)}}`;
    expect((await send(app, "/echo", deep)).status).toBe(200);
  });
});
