// Script names and settings: the stack's defaults, per-worker overrides, the monolith's own name.

import { describe, expect, it } from "vitest";
import { jwtSecretNameFor, scriptNameFor, scriptSettingsFor } from "./script-settings.ts";

const base = {
  namePrefix: "pitch-prod",
  monolith: { scriptName: "pitch-api", deployStandIn: false },
  compatibilityDate: "2025-09-01",
  compatibilityFlags: ["nodejs_compat"],
  workers: {},
};

describe("scriptSettingsFor", () => {
  it("uses the stack's date and flags, with observability and Workers Logs on, every request sampled", () => {
    expect(scriptSettingsFor(base, "investor")).toEqual({
      compatibilityDate: "2025-09-01",
      compatibilityFlags: ["nodejs_compat"],
      observability: {
        enabled: true,
        headSamplingRate: 1,
        logs: { enabled: true, headSamplingRate: 1, invocationLogs: true, persist: true },
      },
    });
  });

  it("lets workers.<name> replace each setting for that worker only", () => {
    const config = {
      ...base,
      workers: {
        router: {
          compatibilityDate: "2025-10-01",
          compatibilityFlags: [],
          observability: { enabled: true, headSamplingRate: 0.1, logs: { persist: false } },
        },
      },
    };
    expect(scriptSettingsFor(config, "router")).toEqual({
      compatibilityDate: "2025-10-01",
      compatibilityFlags: [],
      observability: {
        enabled: true,
        headSamplingRate: 0.1,
        logs: { enabled: true, headSamplingRate: 1, invocationLogs: true, persist: false },
      },
    });
    expect(scriptSettingsFor(config, "auth")).toEqual(scriptSettingsFor(base, "auth"));
  });
});

describe("names", () => {
  it("calls scripts <namePrefix>-<worker> and the monolith by its existing name", () => {
    expect(scriptNameFor(base, "router")).toBe("pitch-prod-router");
    expect(scriptNameFor(base, "analytics")).toBe("pitch-prod-analytics");
    expect(scriptNameFor(base, "monolith")).toBe("pitch-api");
    expect(scriptNameFor({ namePrefix: "pitch-prod" }, "monolith")).toBeUndefined();
  });

  it("names the JWT key in the Secrets Store with letters, digits and underscores", () => {
    expect(jwtSecretNameFor(base)).toBe("pitch_prod_jwt");
  });
});
