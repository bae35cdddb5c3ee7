// The parts of Hono that no worker calls, left out of every bundle. Hono carries each feature as
// a method of its classes, so esbuild keeps them all; the three modules below serve only
// `app.mount()`, `c.req.parseBody()` and `c.html()` of `hono/html` or JSX. Together they were
// 1.5 KB gzip and about 0.15 ms of start-up per service (BENCHMARKS.md). Each is replaced by a
// module with the same exports that throws, naming what was left out and where; a worker that
// imports more of one fails to build, and `unused-hono.test.ts` refuses a call to one in the
// workers' sources, naming the file and line.

import type * as esbuild from "esbuild";

export interface LeftOut {
  /** The module under `hono/dist/`. */
  module: string;
  /** What a worker would call to need it. */
  feature: string;
  /** The names Hono's other modules import from it. */
  exports: readonly string[];
}

export const UNUSED_HONO: readonly LeftOut[] = [
  { module: "utils/mount.js", feature: "app.mount()", exports: ["createMountedRequest"] },
  { module: "utils/body.js", feature: "c.req.parseBody()", exports: ["parseBody"] },
  {
    module: "utils/html.js",
    feature: "c.html() of hono/html or JSX",
    exports: ["HtmlEscapedCallbackPhase", "resolveCallback"],
  },
];

/** The module that stands in for `leftOut`: the same exports, each a function that throws. */
export function stubSource(leftOut: LeftOut): string {
  const message = `${leftOut.feature} is left out of the workers' bundles (infra/unused-hono.ts); remove its line there to use it.`;
  return [
    `const leftOut = () => { throw new Error(${JSON.stringify(message)}); };`,
    `export { ${leftOut.exports.map((name) => `leftOut as ${name}`).join(", ")} };`,
  ].join("\n");
}

/** The esbuild plugin that loads the stubs in place of Hono's modules. */
export function leaveOutUnusedHono(leftOut: readonly LeftOut[] = UNUSED_HONO): esbuild.Plugin {
  const byModule = new Map(leftOut.map((entry) => [entry.module, stubSource(entry)]));
  // Only these files, so esbuild calls back into Node for three modules, not all of Hono's
  // (a filter on all of hono/dist/ made a cold build of every worker about 30 ms slower).
  const modules = leftOut.map((entry) =>
    entry.module.replaceAll(".", "\\.").replaceAll("/", "[\\\\/]"),
  );
  const filter = new RegExp(
    `[\\\\/]node_modules[\\\\/]hono[\\\\/]dist[\\\\/](${modules.join("|")})$`,
  );
  return {
    name: "leave-out-unused-hono",
    setup(build) {
      build.onLoad({ filter }, (args) => {
        const module = filter.exec(args.path)?.[1]?.replaceAll("\\", "/");
        const contents = module === undefined ? undefined : byModule.get(module);
        return contents === undefined ? undefined : { contents, loader: "js" };
      });
    },
  };
}
