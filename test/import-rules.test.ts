// The design's import rules, checked on every source file: services never import infra/ or each
// other (the build composes the monolith), the project's shared/ imports neither, and the planning
// files of infra/ never reach @pulumi/*, so tests and the local platform run them without Pulumi.
// A violation is named by file and line.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

/** The files of infra/ that plan before anything is declared; the rest declare resources. */
const PLANNING = [
  "infra/config.ts",
  "infra/config-schema.ts",
  "infra/closest-name.ts",
  "infra/topology.ts",
  "infra/build.ts",
  "infra/budgets.ts",
  "infra/bindings.ts",
  "infra/script-settings.ts",
  "infra/plan.ts",
  "infra/migrations/files.ts",
  "infra/migrations/apply.ts",
];

interface ImportLine {
  file: string;
  line: number;
  specifier: string;
  /** Repo-relative path of a relative import, else undefined. */
  target?: string;
}

const STATIC = /^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/;
const DYNAMIC = /\bimport\(\s*["']([^"']+)["']\s*\)/;

function importsOf(root: string, file: string): ImportLine[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const found: ImportLine[] = [];
  lines.forEach((first, index) => {
    // A static statement may span lines (a long import list); it starts at the line's start.
    const specifier = /^\s*(import|export)\s/.test(first)
      ? STATIC.exec(lines.slice(index, index + 40).join("\n"))
          ?.slice(1)
          .find(Boolean)
      : DYNAMIC.exec(first)?.[1];
    if (!specifier) return;
    const target = specifier.startsWith(".")
      ? relative(root, resolve(root, dirname(file), specifier))
      : undefined;
    found.push({ file, line: index + 1, specifier, ...(target ? { target } : {}) });
  });
  return found;
}

function sourceFiles(root: string, dir: string): string[] {
  const entries = readdirSync(join(root, dir), { withFileTypes: true });
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(root, path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const isTest = (file: string) => file.endsWith(".test.ts");

/** Every violation of the import rules under `root`, as `file:line: what is wrong`. */
function importRuleViolations(root: string, planning = PLANNING): string[] {
  const violations: string[] = [];
  const at = (i: ImportLine, why: string) =>
    violations.push(`${i.file}:${i.line}: imports "${i.specifier}": ${why}`);
  for (const file of sourceFiles(root, "services").filter((f) => !isTest(f))) {
    const own = file.split("/").slice(0, 2).join("/");
    for (const i of importsOf(root, file)) {
      if (i.target?.startsWith("infra/")) at(i, "a service never imports infra/");
      else if (i.target?.startsWith("services/") && !i.target.startsWith(`${own}/`)) {
        at(i, "a service never imports another service (the build composes the monolith)");
      }
    }
  }
  for (const file of sourceFiles(root, "shared").filter((f) => !isTest(f))) {
    for (const i of importsOf(root, file)) {
      if (i.target && !i.target.startsWith("shared/")) {
        at(i, "shared/ imports only shared/ (workers and infra/ both read it)");
      }
    }
  }
  // A planning file may not reach @pulumi/* through any chain of relative imports.
  for (const start of planning) {
    const seen = new Set<string>();
    // `line` is where in `start` the chain begins, so the violation points at its first link.
    const queue: { file: string; via: string[]; line?: number }[] = [{ file: start, via: [] }];
    while (queue.length > 0) {
      const { file, via, line } = queue.shift() as { file: string; via: string[]; line?: number };
      if (seen.has(file)) continue;
      seen.add(file);
      for (const i of importsOf(root, file)) {
        if (i.specifier.startsWith("@pulumi/")) {
          const chain = via.length ? ` (through ${[...via, file].join(" → ")})` : "";
          violations.push(
            `${start}:${line ?? i.line}: planning file reaches "${i.specifier}"${chain}; planning stays pure of Pulumi`,
          );
        } else if (i.target?.endsWith(".ts") && existsSync(join(root, i.target))) {
          queue.push({ file: i.target, via: [...via, file], line: line ?? i.line });
        }
      }
    }
  }
  return [...new Set(violations)];
}

describe("import rules", () => {
  it("hold in this repo", () => {
    expect(importRuleViolations(ROOT)).toEqual([]);
  });

  it("name the file and line of each kind of violation", () => {
    const root = mkdtempSync(join(tmpdir(), "import-rules-"));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    try {
      write("infra/topology.ts", "export const x = 1;\n");
      write("infra/plan.ts", '// plan\nimport { x } from "./helper.ts";\n');
      write(
        "infra/helper.ts",
        'import * as pulumi from "@pulumi/pulumi";\nexport const x = pulumi;\n',
      );
      write("services/a/src/index.ts", 'import { x } from "../../../infra/topology.ts";\n');
      write(
        "services/b/src/index.ts",
        '\nimport app from "../../a/src/index.ts";\nimport { y } from "./own.ts";\n',
      );
      write("services/b/src/own.ts", "export const y = 1;\n");
      write("shared/x.ts", 'export {\n  x,\n} from "../infra/topology.ts";\n');
      expect(importRuleViolations(root, ["infra/topology.ts", "infra/plan.ts"]).sort()).toEqual(
        [
          'infra/plan.ts:2: planning file reaches "@pulumi/pulumi" (through infra/plan.ts → infra/helper.ts); planning stays pure of Pulumi',
          'services/a/src/index.ts:1: imports "../../../infra/topology.ts": a service never imports infra/',
          'services/b/src/index.ts:2: imports "../../a/src/index.ts": a service never imports another service (the build composes the monolith)',
          'shared/x.ts:1: imports "../infra/topology.ts": shared/ imports only shared/ (workers and infra/ both read it)',
        ].sort(),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
