// The plan of another commit, for `--base <git-ref>`: the ref is exported into a temp dir with
// `git archive` (the checkout and its index stay untouched), its own plan runs there as a child
// process with `--json`, and the dir is removed.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OfflinePlan } from "./view.ts";

export interface BasePlan {
  /** The commit as given, e.g. `origin/main`. */
  ref: string;
  plan?: OfflinePlan;
  /** Why there is no plan (old commit without the tool, failing base), for the report. */
  note?: string;
}

export function planAtRef(options: { root: string; ref: string; stack: string }): BasePlan {
  const { root, ref, stack } = options;
  const verify = ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`];
  const commit = spawnSync("git", verify, { cwd: root, encoding: "utf8" });
  if (commit.status !== 0) {
    throw new Error(
      `--base ${ref} is not a commit here; fetch it first (in CI: actions/checkout with fetch-depth: 0)`,
    );
  }
  const sha = commit.stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), "plan-base-"));
  const noPlan = (note: string): BasePlan => ({ ref, note });
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
      return noPlan(`${ref} has no offline plan (cli/plan/main.ts); every worker shows as new`);
    }
    if (!existsSync(join(dir, `Pulumi.${stack}.yaml`))) {
      return noPlan(`${ref} has no Pulumi.${stack}.yaml; every worker shows as new`);
    }
    // The base runs with this checkout's packages; a lockfile change shows up as code changes.
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", entry, "--stack", stack, "--json"],
      { cwd: dir, encoding: "utf8", timeout: 5 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    if (child.status !== 0) {
      const reason = (child.stderr || child.error?.message || "no output").trim().split("\n");
      return noPlan(
        `the plan of ${ref} failed, so there is nothing to compare: ${reason.slice(-5).join(" / ")}`,
      );
    }
    const plan = JSON.parse(child.stdout) as OfflinePlan;
    if (plan.version === 1) return { ref, plan };
    return noPlan(`the plan of ${ref} has format ${plan.version}; not compared`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
