// The Hono modules the workers leave out: stand-ins that match Hono's exports, bundles without the
// real code, a clear error if a left-out feature is called anyway, and no worker source calling one.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";
import { workerLinesMatching } from "../test/support/worker-sources.ts";
import { buildOptions, buildWorker } from "./build.ts";
import { workerSpec } from "./topology.ts";
import { UNUSED_HONO } from "./unused-hono.ts";

const ROOT = resolve(import.meta.dirname, "..");

/** A Hono app bundled as the workers are, then imported here. */
async function bundledApp(
  source: string,
): Promise<{ request: (path: string, init?: RequestInit) => Promise<Response> }> {
  const result = await esbuild.build({
    ...buildOptions(workerSpec("browse"), ROOT),
    entryPoints: undefined,
    stdin: { contents: source, resolveDir: ROOT, sourcefile: "app.ts", loader: "ts" },
  });
  const dir = mkdtempSync(join(tmpdir(), "unused-hono-"));
  try {
    const file = join(dir, "app.mjs");
    writeFileSync(file, result.outputFiles[0]!.text);
    return (await import(pathToFileURL(file).href)).default;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the Hono modules left out of the workers", () => {
  it.each(UNUSED_HONO.map((entry) => [entry.module, entry] as const))(
    "%s: its stand-in exports names the real module exports",
    async (module, entry) => {
      const file = pathToFileURL(join(ROOT, "node_modules/hono/dist", module)).href;
      const real = await import(/* @vite-ignore */ file);
      for (const name of entry.exports) expect(Object.keys(real)).toContain(name);
    },
  );

  it("are not in a service's bundle, which is still a working Hono app", async () => {
    const build = await buildWorker(workerSpec("creator"), ROOT);
    for (const entry of UNUSED_HONO) {
      const input = `node_modules/hono/dist/${entry.module}`;
      const bytes = build.metafile.outputs[build.mainModule]?.inputs[input]?.bytesInOutput;
      // Only the stand-in: one function throwing the message.
      expect(bytes, input).toBeLessThan(250);
      expect(build.code).toContain(`${entry.feature} is left out of the workers' bundles`);
    }
    expect(build.code).not.toContain("multipart/form-data");
  });

  it("throw an error that names the feature and where it was left out", async () => {
    const app = await bundledApp(`
      import { Hono } from "hono/tiny";
      const app = new Hono();
      app.post("/form", async (c) => c.json(await c.req.parseBody()));
      app.mount("/mounted", () => new Response("mounted"));
      app.onError((error, c) => c.text(error.message, 500));
      export default app;
    `);
    const form = await app.request("/form", { method: "POST", body: new FormData() });
    expect(form.status).toBe(500);
    expect(await form.text()).toBe(
      "c.req.parseBody() is left out of the workers' bundles (infra/unused-hono.ts); remove its line there to use it.",
    );
    const mounted = await app.request("/mounted/x");
    expect(await mounted.text()).toMatch(/^app\.mount\(\) is left out of the workers' bundles/);
  });

  it("fail the build of a worker that imports more of one than the stand-in has", async () => {
    await expect(
      bundledApp(
        `import { html } from "hono/html"; export default { fetch: () => new Response(html\`<b>x</b>\`) };`,
      ),
    ).rejects.toThrow(/No matching export in "node_modules\/hono\/dist\/utils\/html\.js"/);
  });

  it("are called nowhere in the workers' sources", () => {
    const calls = /\.(?:mount|parseBody)\(|from\s+["']hono\/(?:html|jsx)/;
    const found = workerLinesMatching(ROOT, calls);
    expect(found, "left out of the bundles: see infra/unused-hono.ts").toEqual([]);
  });
});
