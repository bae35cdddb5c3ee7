// The plan of another commit, for `--base <git-ref>`: the ref is exported into a temp dir with
// `git archive` (the checkout and its index stay untouched), its own plan runs there as a child
// process with `--json`, and the dir is removed.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OfflinePlan } from "./view.ts";

export interface BasePlan {
  plan?: OfflinePlan;
  /** Why there is no plan (old commit without the tool, failing base), for the report. */
  note?: string;
}

const FIVE_MINUTES = 5 * 60 * 1000;

export function planAtRef(options: { root: string; ref: string; stack: string }): BasePlan {
  const { root, ref, stack } = options;
  const commit = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (commit.status !== 0) {
    throw new Error(
      `--base ${ref} is not a commit here; fetch it first (in CI: actions/checkout with fetch-depth: 0)`,
    );
  }
  const sha = commit.stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), "plan-base-"));
  try {
    const archive = spawnSync("git", ["archive", "--format=tar", sha], {
      cwd: root,
      maxBuffer: 1024 * 1024 * 1024,
    });
    if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr}`);
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`unpacking ${ref} failed: ${untar.stderr}`);
    // Commits before the command line moved to cli/ have it as tools/plan.ts; same JSON format.
    const entry = ["cli/plan/main.ts", "tools/plan.ts"].find((path) => existsSync(join(dir, path)));
    if (!entry) {
      return { note: `${ref} has no offline plan (cli/plan/main.ts); every worker shows as new` };
    }
    if (!existsSync(join(dir, `Pulumi.${stack}.yaml`))) {
      return { note: `${ref} has no Pulumi.${stack}.yaml; every worker shows as new` };
    }
    // The base runs with this checkout's packages; a lockfile change shows up as code changes.
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", entry, "--stack", stack, "--json"],
      { cwd: dir, encoding: "utf8", timeout: FIVE_MINUTES, maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0) {
      const reason = (child.stderr || child.error?.message || "no output").trim().split("\n");
      return {
        note: `the plan of ${ref} failed, so there is nothing to compare: ${reason.slice(-5).join(" / ")}`,
      };
    }
    const plan = JSON.parse(child.stdout) as OfflinePlan;
    if (plan.version !== 1)
      return { note: `the plan of ${ref} has format ${plan.version}; not compared` };
    return { plan };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function git(cwd: string, args: string[]) {
  return spawnSync("git", args, { cwd, encoding: "utf8" });
}
