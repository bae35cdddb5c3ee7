// The workers' own source lines (services/ and shared/, tests aside), for rules that a test checks
// on every line and reports by file and line.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** `file:line: text` for every line of the workers' sources under `root` that `pattern` matches. */
export function workerLinesMatching(root: string, pattern: RegExp): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !entry.name.includes(".test.")) {
        readFileSync(join(root, path), "utf8")
          .split("\n")
          .forEach((line, i) => {
            if (pattern.test(line)) found.push(`${path}:${i + 1}: ${line.trim()}`);
          });
      }
    }
  };
  walk("services");
  walk("shared");
  return found;
}
