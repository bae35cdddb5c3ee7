// Telemetry through the whole router app: one data point per forwarded request, with the side
// that answered; fallbacks and skips written as such (the rollout counts them against the new
// side); failed calls written with the worker tried; a failing dataset never fails a request.

import { describe, expect, it } from "vitest";
import { signToken } from "../../../shared/jwt.ts";
import type { Bindings } from "./bindings.ts";
import app from "./index.ts";
import type { AnalyticsEngineDataset } from "./telemetry.ts";
import { allWeights, SECRET, testConfig, testEnv } from "./test-env.ts";

const HOST = "https://api.example.com";
type Point = Parameters<AnalyticsEngineDataset["writeDataPoint"]>[0];

async function bearer(id = "user-1", role: "creator" | "investor" = "investor") {
  return { authorization: `Bearer ${(await signToken({ id, role }, SECRET)).token}` };
}

function recording(env: Bindings): Point[] {
  const points: Point[] = [];
  env.TELEMETRY = { writeDataPoint: (point) => points.push(point) };
  return points;
}

describe("telemetry", () => {
  it("writes the service, side, status class, safety, prefix, duration and status", async () => {
    const { env } = testEnv(testConfig({ rollout: allWeights(100) }));
    const points = recording(env);
    await app.request(`${HOST}/api/investor/watchlist`, { headers: await bearer() }, env);
    expect(points).toHaveLength(1);
    const [point] = points;
    expect(point?.indexes).toEqual(["investor"]);
    expect(point?.blobs).toEqual(["service", "2xx", "safe", "/api/investor"]);
    expect(point?.doubles?.[1]).toBe(200);
    expect(point?.doubles?.[0]).toBeGreaterThanOrEqual(0);
  });

  it("writes a fallback as the fallback side, never as a monolith sample", async () => {
    const { env } = testEnv(testConfig({ rollout: allWeights(100) }), {
      investor: () => Response.json({}, { status: 503 }),
    });
    const points = recording(env);
    const response = await app.request(`${HOST}/api/investor/x`, { headers: await bearer() }, env);
    expect(response.status).toBe(200);
    expect(points.map((p) => p.blobs?.slice(0, 2))).toEqual([["monolith-fallback", "2xx"]]);
  });

  it("writes skipped requests as skipped, and a failed unsafe call with the worker tried", async () => {
    const { env } = testEnv(testConfig({ rollout: allWeights(100) }), {
      investor: () => {
        throw new Error("down");
      },
    });
    const points = recording(env);
    const headers = await bearer();
    for (let i = 0; i < 6; i++) await app.request(`${HOST}/api/investor/x`, { headers }, env);
    const post = await app.request(
      `${HOST}/api/investor/x`,
      { method: "POST", body: "{}", headers },
      env,
    );
    expect(post.status).toBe(502);
    expect(points.map((p) => p.blobs?.[0])).toEqual([
      ...Array(5).fill("monolith-fallback"),
      "monolith-skipped",
      "service",
    ]);
    expect(points.at(-1)?.blobs).toEqual(["service", "5xx", "unsafe", "/api/investor"]);
    expect(points.at(-1)?.doubles?.[1]).toBe(502);
  });

  it("writes the blue side as monolith, and monolith-only paths under index monolith", async () => {
    const { env } = testEnv(testConfig({ rollout: allWeights(0) }));
    const points = recording(env);
    const headers = await bearer();
    await app.request(`${HOST}/api/investor/x`, { headers }, env);
    await app.request(`${HOST}/api/nda/requests`, { headers }, env);
    expect(points.map((p) => [p.indexes?.[0], p.blobs?.[0], p.blobs?.[3]])).toEqual([
      ["investor", "monolith", "/api/investor"],
      ["monolith", "monolith", "/api/nda"],
    ]);
  });

  it("writes nothing for the router's own answers, and a failing dataset fails no request", async () => {
    const { env } = testEnv();
    const points = recording(env);
    await app.request(`${HOST}/health`, {}, env);
    await app.request(`${HOST}/api/investor/x`, {}, env); // 401 before forwarding
    expect(points).toEqual([]);
    env.TELEMETRY = {
      writeDataPoint: () => {
        throw new Error("dataset unavailable");
      },
    };
    const response = await app.request(`${HOST}/api/investor/x`, { headers: await bearer() }, env);
    expect(response.status).toBe(200);
  });
});
