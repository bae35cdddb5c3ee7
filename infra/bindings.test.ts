// Binding lists: the topology's order, the right shape per kind, no monolith binding without a
// monolith, and a clear error when a binding's target is missing.

import { describe, expect, it } from "vitest";
import { SERVICE_NAMES } from "../shared/workers.ts";
import { type BindingContext, scriptBindingsFor } from "./bindings.ts";
import { MONOLITH, ROUTER, workerSpec } from "./topology.ts";

const jwtSecret = { storeId: "00112233445566778899aabbccddeeff", secretName: "pitch_prod_jwt" };
const scriptNames = {
  ...Object.fromEntries(SERVICE_NAMES.map((s) => [s, `pitch-prod-${s}`])),
  monolith: "pitch-api",
};
const context: BindingContext = {
  databaseId: "5b1f9a2e-7c3d-4e8f-9a0b-1c2d3e4f5a6b",
  scriptNames,
  routerConfigJson: '{"rollout":{}}',
  jwtSecret,
};

describe("scriptBindingsFor", () => {
  it("gives the router its services, the monolith, CONFIG and a Secrets Store key, in order", () => {
    expect(scriptBindingsFor("router", ROUTER.bindings, context)).toEqual([
      ...SERVICE_NAMES.map((s) => ({
        type: "service",
        name: s.toUpperCase(),
        service: `pitch-prod-${s}`,
      })),
      { type: "service", name: "MONOLITH", service: "pitch-api" },
      { type: "json", name: "CONFIG", json: '{"rollout":{}}' },
      { type: "secrets_store_secret", name: "JWT_SECRET", ...jwtSecret },
    ]);
  });

  it("never carries a secret value: the key is referenced by store and name", () => {
    const types = scriptBindingsFor("router", ROUTER.bindings, context).map((b) => b.type);
    expect(types).not.toContain("secret_text");
  });

  it("leaves the MONOLITH binding out when there is no monolith", () => {
    const { monolith: _, ...servicesOnly } = scriptNames;
    const names = scriptBindingsFor("router", ROUTER.bindings, {
      ...context,
      scriptNames: servicesOnly,
    }).map((b) => b.name);
    expect(names).not.toContain("MONOLITH");
    expect(names).toEqual([...SERVICE_NAMES.map((s) => s.toUpperCase()), "CONFIG", "JWT_SECRET"]);
  });

  it("gives services D1, and auth and the monolith the key after it", () => {
    const db = { type: "d1", name: "DB", databaseId: context.databaseId };
    const key = { type: "secrets_store_secret", name: "JWT_SECRET", ...jwtSecret };
    expect(scriptBindingsFor("browse", workerSpec("browse").bindings, context)).toEqual([db]);
    expect(scriptBindingsFor("auth", workerSpec("auth").bindings, context)).toEqual([db, key]);
    expect(scriptBindingsFor("monolith", MONOLITH.bindings, context)).toEqual([db, key]);
  });

  it("declares the stack's rate limits where the topology uses them, with their periods, else none", () => {
    const rateLimits = {
      login: { namespaceId: "1001", limit: 5, period: 10 as const },
      loginClient: { namespaceId: "1002", limit: 30, period: 60 as const },
      register: { namespaceId: "1003", limit: 10, period: 60 as const },
      events: { namespaceId: "1004", limit: 60, period: 60 as const },
    };
    const limited = { ...context, rateLimits };
    expect(scriptBindingsFor("analytics", workerSpec("analytics").bindings, limited)).toEqual([
      { type: "d1", name: "DB", databaseId: context.databaseId },
      {
        type: "ratelimit",
        name: "RATE_LIMIT_EVENTS",
        namespaceId: "1004",
        simple: { limit: 60, period: 60 },
      },
      { type: "json", name: "RATE_LIMITS", json: '{"events":{"period":60}}' },
    ]);
    const auth = scriptBindingsFor("auth", workerSpec("auth").bindings, limited);
    expect(auth.map((b) => b.name)).toEqual([
      "DB",
      "JWT_SECRET",
      "RATE_LIMIT_LOGIN",
      "RATE_LIMIT_LOGIN_CLIENT",
      "RATE_LIMIT_REGISTER",
      "RATE_LIMITS",
    ]);
    expect(auth.at(-1)).toEqual({
      type: "json",
      name: "RATE_LIMITS",
      json: '{"login":{"period":10},"loginClient":{"period":60},"register":{"period":60}}',
    });
    const types = scriptBindingsFor("analytics", workerSpec("analytics").bindings, context);
    expect(types.map((b) => b.type)).toEqual(["d1"]);
  });

  it("passes a database id of any type through (a Pulumi output in the components)", () => {
    const id = { output: "database id" };
    expect(
      scriptBindingsFor("creator", workerSpec("creator").bindings, { databaseId: id }),
    ).toEqual([{ type: "d1", name: "DB", databaseId: id }]);
  });

  it("names the worker and binding when the context lacks what a spec needs", () => {
    expect(() => scriptBindingsFor("creator", workerSpec("creator").bindings, {})).toThrow(
      'worker "creator" binds DB but no database id was given',
    );
    expect(() =>
      scriptBindingsFor("router", ROUTER.bindings, { ...context, scriptNames: { monolith: "x" } }),
    ).toThrow('worker "router" binds AUTH but no script name for "auth" was given');
    expect(() =>
      scriptBindingsFor("router", ROUTER.bindings, { ...context, routerConfigJson: undefined }),
    ).toThrow('worker "router" binds CONFIG but no router config was given');
    expect(() =>
      scriptBindingsFor("auth", workerSpec("auth").bindings, { databaseId: "x" }),
    ).toThrow('worker "auth" binds JWT_SECRET but no Secrets Store secret was given');
  });
});
