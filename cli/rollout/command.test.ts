// `npm run rollout` on copies of the stack files in a temp dir: a valid change keeps comments and
// order; any error (bad service, bad weight, a config that would not parse) leaves the file as is.

import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { SERVICE_NAMES } from "../../shared/workers.ts";
import type { FlagValues } from "../args.ts";
import { type ROLLOUT_COMMAND, runRollout, setRolloutWeight } from "./command.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

let dir: string;
let prodFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rollout-test-"));
  dirs.push(dir);
  for (const stack of ["prod", "staging"]) {
    copyFileSync(join(ROOT, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
  }
  prodFile = join(dir, "Pulumi.prod.yaml");
});

/** The command on the copies, without the plan diff unless `"no-plan": false`. */
async function rollout(flags: FlagValues<typeof ROLLOUT_COMMAND.flags>) {
  const lines: string[] = [];
  const code = await runRollout(
    { dir, stack: "prod", service: "investor", to: "50", "no-plan": true, ...flags },
    ROOT,
    (line) => lines.push(line),
  );
  return { code, lines };
}

/** Lines of `after` that differ from `before`, compared position by position. */
function changedLines(before: string, after: string): string[] {
  const old = before.split("\n");
  return after.split("\n").filter((line, i) => line !== old[i]);
}

describe("npm run rollout", () => {
  it("sets the weight, keeps comments and order, and shows the change", async () => {
    const before = readFileSync(prodFile, "utf8");
    const { code, lines } = await rollout({});
    expect(code).toBe(0);
    const after = readFileSync(prodFile, "utf8");
    expect(changedLines(before, after)).toEqual(["    investor: 50"]);
    expect(after.split("\n")).toHaveLength(before.split("\n").length);
    expect(after).toContain("# Production: the existing monolith worker is blue;");
    expect(lines[0]).toBe("Pulumi.prod.yaml: rollout.investor: 25 → 50");
    expect(lines.at(-1)).toMatch(/^wrote Pulumi\.prod\.yaml\. Next: commit it and open a PR/);
    expect(readdirSync(dir).sort()).toEqual(["Pulumi.prod.yaml", "Pulumi.staging.yaml"]);
  });

  it("shows the offline plan diff: only the router changes", async () => {
    const { code, lines } = await rollout({ "dry-run": true, "no-plan": false });
    expect(code).toBe(0);
    expect(lines).toEqual([
      "Pulumi.prod.yaml: rollout.investor: 25 → 50",
      "Offline plan of the change:",
      "  router: rollout.investor 25 → 50",
      "  (only the router changes)",
      "--dry-run: Pulumi.prod.yaml left unchanged",
    ]);
  });

  it("--dry-run leaves the file byte-identical", async () => {
    const before = readFileSync(prodFile);
    expect((await rollout({ "dry-run": true })).code).toBe(0);
    expect(readFileSync(prodFile).equals(before)).toBe(true);
  });

  it.each([
    [
      { service: "investors" },
      `--service must be one of ${SERVICE_NAMES.join(", ")}, got "investors"`,
    ],
    [
      { to: "150" },
      '--to must be an integer 0-100 (the share of traffic on the new service), got "150"',
    ],
    [
      { to: "50.5" },
      '--to must be an integer 0-100 (the share of traffic on the new service), got "50.5"',
    ],
    [
      { to: "-1" },
      '--to must be an integer 0-100 (the share of traffic on the new service), got "-1"',
    ],
    [{ stack: "qa" }, "--stack qa: there is no Pulumi.qa.yaml in"],
    [{ stack: "org/prod/x/y" }, "--stack must be a stack like staging, org/staging"],
  ])("refuses %j as a usage error and leaves the file byte-identical", async (options, message) => {
    const before = readFileSync(prodFile);
    const { code, lines } = await rollout(options);
    expect(code).toBe(2);
    expect(lines).toEqual([expect.stringContaining(`error: ${message}`)]);
    expect(readFileSync(prodFile).equals(before)).toBe(true);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it("refuses a weight the whole config rejects (no monolith means 100)", async () => {
    const finished = readFileSync(prodFile, "utf8")
      .replace(/ {2}platform:monolith:\n {4}scriptName: pitch-api\n/, "")
      .replace(/ {2}platform:rollout:\n(?: {4}\w+: \d+\n)+/, "");
    writeFileSync(prodFile, finished);
    const { code, lines } = await rollout({ to: "50" });
    expect(code).toBe(1);
    expect(lines[0]).toBe(
      "error: the change would leave Pulumi.prod.yaml invalid, so nothing was written:\n  - platform:rollout.investor must be 100 when no monolith is configured (there is no blue side), got 50",
    );
    expect(readFileSync(prodFile, "utf8")).toBe(finished);
  });

  it("adds a service the map does not list, from its default", async () => {
    writeFileSync(prodFile, readFileSync(prodFile, "utf8").replace("    production: 0\n", ""));
    const { code, lines } = await rollout({ service: "production", to: "5" });
    expect(code).toBe(0);
    expect(lines[0]).toBe("Pulumi.prod.yaml: rollout.production: 0 (default) → 5");
    expect(parse(readFileSync(prodFile, "utf8")).config["platform:rollout"].production).toBe(5);
  });

  it("reads a weight the file states as a string as that weight, not as a default", async () => {
    writeFileSync(
      prodFile,
      readFileSync(prodFile, "utf8").replace("investor: 25", 'investor: "25"'),
    );
    const { code, lines } = await rollout({ to: "50" });
    expect(code).toBe(0);
    expect(lines[0]).toBe("Pulumi.prod.yaml: rollout.investor: 25 → 50");
    expect(readFileSync(prodFile, "utf8")).toContain("    investor: 50\n");
  });

  it("accepts the stack as Pulumi CLI users name it, org/project/stack", async () => {
    const { code, lines } = await rollout({ stack: "acme/platform/prod", "dry-run": true });
    expect(code).toBe(0);
    expect(lines[0]).toBe("Pulumi.prod.yaml: rollout.investor: 25 → 50");
  });

  it("says when there is nothing to change", async () => {
    const before = readFileSync(prodFile);
    const { code, lines } = await rollout({ to: "25" });
    expect(code).toBe(0);
    expect(lines).toEqual([
      "rollout.investor is already 25 in Pulumi.prod.yaml; nothing to change",
    ]);
    expect(readFileSync(prodFile).equals(before)).toBe(true);
  });
});

describe("setRolloutWeight", () => {
  it("creates the rollout map when the file has none", () => {
    const text = readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8").replace(
      / {2}platform:rollout:\n(?: {4}\w+: \d+\n)+/,
      "",
    );
    const file = { stack: "staging", path: "", source: "Pulumi.staging.yaml", text };
    const edit = setRolloutWeight(file, "browse", 5);
    expect(edit).toMatchObject({ before: 0, beforeIsDefault: true, after: 5 });
    expect(parse(edit.text).config["platform:rollout"]).toEqual({ browse: 5 });
    expect(edit.text.startsWith(text)).toBe(true);
  });
});
