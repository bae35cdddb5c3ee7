// CORS from the allow-list: echoed origin with credentials, nothing for other origins, preflights
// answered without reaching the handler.

import { describe, expect, it } from "vitest";
import { withCors } from "./cors.ts";
import { APP_ORIGIN } from "./test-env.ts";

/** withCors in front of a handler that records the methods it answers. */
function appWithCors() {
  const calls: string[] = [];
  const app = {
    request: (path: string, init?: RequestInit) => {
      const request = new Request(`http://localhost${path}`, init);
      return withCors(request, [APP_ORIGIN, "http://localhost:5173"], async () => {
        calls.push(request.method);
        return new Response("handled", { headers: { vary: "Accept-Encoding" } });
      });
    },
  };
  return { app, calls };
}

function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries(
    [...response.headers].filter(([name]) => name.startsWith("access-control-")),
  );
}

describe("withCors", () => {
  it("echoes an allowed origin with credentials and exposes the router's headers", async () => {
    const { app } = appWithCors();
    const response = await app.request("/api/x", { headers: { origin: APP_ORIGIN } });
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({
      "access-control-allow-origin": APP_ORIGIN,
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "x-request-id,x-served-by",
    });
    expect(response.headers.get("vary")).toBe("Accept-Encoding, Origin");
  });

  it.each([
    "https://evil.example.com",
    "https://APP.example.com",
    `${APP_ORIGIN}.evil.com`,
    "null",
  ])("gives %s no CORS header at all", async (origin) => {
    const { app, calls } = appWithCors();
    const response = await app.request("/api/x", { headers: { origin } });
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({});
    expect(response.headers.get("vary")).toBe("Accept-Encoding, Origin");
    expect(calls).toEqual(["GET"]);
  });

  it("adds Vary: Origin to requests without an Origin, so caches keep them apart", async () => {
    const { app } = appWithCors();
    const response = await app.request("/api/x");
    expect(corsHeaders(response)).toEqual({});
    expect(response.headers.get("vary")).toBe("Accept-Encoding, Origin");
  });

  it("answers an allowed preflight itself", async () => {
    const { app, calls } = appWithCors();
    const response = await app.request("/api/creator/pitches", {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:5173",
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(calls).toEqual([]);
    expect(corsHeaders(response)).toEqual({
      "access-control-allow-origin": "http://localhost:5173",
      "access-control-allow-credentials": "true",
      "access-control-allow-methods": "GET,HEAD,POST,PUT,PATCH,DELETE",
      "access-control-allow-headers": "authorization,content-type",
      "access-control-expose-headers": "x-request-id,x-served-by",
      "access-control-max-age": "600",
    });
    expect(response.headers.get("vary")).toBe("Origin, Access-Control-Request-Headers");
  });

  it("answers a preflight from another origin with an empty 204", async () => {
    const { app, calls } = appWithCors();
    const response = await app.request("/api/creator/pitches", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example.com", "access-control-request-method": "DELETE" },
    });
    expect(response.status).toBe(204);
    expect(calls).toEqual([]);
    expect(corsHeaders(response)).toEqual({});
    expect(response.headers.get("vary")).toBe("Origin");
    expect(await response.text()).toBe("");
  });

  it("lets an OPTIONS without an Origin through to the handler", async () => {
    const { app, calls } = appWithCors();
    const response = await app.request("/api/x", { method: "OPTIONS" });
    expect(response.status).toBe(200);
    expect(calls).toEqual(["OPTIONS"]);
  });
});
