// Longest-prefix routing on whole segments, path normalization and public routes.

import { describe, expect, it } from "vitest";
import { readRouterConfig } from "./config-binding.ts";
import { isPublicRoute, normalizePath, routeFor } from "./routing.ts";
import { testConfig } from "./test-env.ts";

const { routes, publicRoutes } = readRouterConfig(testConfig());

describe("routeFor", () => {
  it.each([
    ["/api/auth/login", "auth"],
    ["/api/creator", "creator"],
    ["/api/creator/", "creator"],
    ["/api/creator/pitches/42/publish", "creator"],
    ["/api/investor/portfolio", "investor"],
    ["/api/production/offers/1/accept", "production"],
    ["/api/browse/pitches", "browse"],
    ["/api/analytics/events", "analytics"],
    ["/api/nda/requests", "monolith"],
    ["/api/messages", "monolith"],
  ])("routes %s to %s", (path, target) => {
    expect(routeFor(path, routes)?.target).toBe(target);
  });

  it.each([
    "/",
    "/api",
    "/api/",
    "/api/creatorx",
    "/api/creator-x/1",
    "/api/creator.json",
    "/API/creator",
    "/api//creator",
    "/api/ndax",
    "/health/x",
  ])("finds no route for %s", (path) => {
    expect(routeFor(path, routes)).toBeUndefined();
  });

  it("prefers the longest prefix whatever the order in CONFIG", () => {
    const config = readRouterConfig(
      testConfig({
        routes: [
          { prefix: "/api/creator", target: "creator" },
          { prefix: "/api/creator/legacy", target: "monolith" },
        ],
      }),
    );
    expect(routeFor("/api/creator/legacy/1", config.routes)?.target).toBe("monolith");
    expect(routeFor("/api/creator/legacy", config.routes)?.target).toBe("monolith");
    expect(routeFor("/api/creator/legacyx", config.routes)?.target).toBe("creator");
  });
});

describe("normalizePath", () => {
  it("decodes unreserved characters only", () => {
    expect(normalizePath("/api/%63reator/x")).toBe("/api/creator/x");
    expect(normalizePath("/api/%63%52%65%2e%5F%7e%2D")).toBe("/api/cRe._~-");
    expect(normalizePath("/api%2Fcreator")).toBe("/api%2Fcreator");
    expect(normalizePath("/api%2fcreator")).toBe("/api%2fcreator");
    expect(normalizePath("/a%20b%25c%zz%")).toBe("/a%20b%25c%zz%");
  });

  it("so an encoded slash never reaches another prefix", () => {
    expect(routeFor(normalizePath("/api%2Fcreator/x"), routes)).toBeUndefined();
    expect(routeFor(normalizePath("/api/browse%2F..%2Fcreator"), routes)).toBeUndefined();
    expect(routeFor(normalizePath("/api/browse/..%2Fcreator"), routes)?.target).toBe("browse");
  });
});

describe("isPublicRoute", () => {
  it.each([
    ["POST", "/api/auth/login", true],
    ["POST", "/api/auth/register", true],
    ["GET", "/api/auth/login", false],
    ["POST", "/api/auth/login/", false],
    ["POST", "/api/auth/loginx", false],
    ["GET", "/api/auth/me", false],
    ["GET", "/api/browse", true],
    ["GET", "/api/browse/pitches/1", true],
    ["HEAD", "/api/browse/pitches", true],
    ["POST", "/api/browse/pitches", false],
    ["OPTIONS", "/api/browse/pitches", false],
    ["GET", "/api/browsex", false],
    ["GET", "/api/creator/pitches", false],
    ["GET", "/health", true],
  ])("%s %s is public: %s", (method, path, expected) => {
    expect(isPublicRoute(method, path, publicRoutes)).toBe(expected);
  });
});
