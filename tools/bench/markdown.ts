// BENCHMARKS.md: the machine, the targets, and each section's table with what its numbers mean
// and what they do not. Written by `npm run bench` only.

import { formatBytes } from "../../infra/budgets.ts";
import type { Section, SectionId } from "./report.ts";
import type { BenchResults } from "./results.ts";
import { LIMITS } from "./targets.ts";

const EXPLAIN: Record<SectionId, (results: BenchResults) => string> = {
  sizes: () =>
    `Each bundle as the plan holds it: the minified ES module that is deployed, in bytes and gzip bytes (level 9, what upload and cold-start limits track). The gzip budget is the worker's line in \`bundle-budgets.json\`; the plan refuses a bundle over its budget, so such a bundle stops the bench before anything is measured. The gzip target is the start-up issue's: every service at most ${formatBytes(LIMITS.serviceGzipBytes)} gzip, the router at most ${formatBytes(LIMITS.routerGzipBytes)}. Sizes are exact (esbuild's output depends only on the source tree), so they have no spread.`,
  build: () =>
    "`cold` is `buildWorkers()` from `infra/build.ts`, as `pulumi up` and `npm start` build: every worker from scratch, all at once, esbuild's service process already running. `incremental` is one esbuild context per worker with `buildOptions()` (as `npm run dev` watches), all rebuilt at once after a first build, with no file changed: it shows esbuild's caching and output step, not a rebuild after an edit, which also parses the edited files again. No target; reported so that a change that slows builds is seen.",
  startup: ({ startup }) =>
    `Each bundle is compiled and evaluated in a fresh V8 isolate (a Node worker thread; \`tools/bench/startup.ts\`), timed from just before its \`import()\` to the module evaluated. The bundles take turns, ${startup.runs} turns after an unrecorded one. \`(empty module)\` is the floor any module pays; the bare Hono app is \`hono/tiny\` with one \`app.get("/", (c) => c.json({ ok: true }))\`, built with the workers' own esbuild settings and Hono as it ships: the floor a team would measure for itself. The workers leave out the Hono modules that only \`app.mount()\`, \`c.req.parseBody()\` and \`c.html()\` use (\`infra/unused-hono.ts\`); \`bare Hono app, trimmed\` is the same app built that way, for reading, so what the workers add over Hono shows too. \`× bare Hono app\` and \`× monolith\` are ratios within each turn. Targets: every service at most ${LIMITS.serviceStartupVsBare}x the bare app (median), the router at most ${LIMITS.routerStartupVsBare}x.`,
  overhead: ({ overhead }) =>
    `The same \`${overhead.request}\` (a public read: the newest 5 of 20 published pitches in D1) sent with autocannon, ${overhead.connections} connections with one request in flight each, ${overhead.secondsPerRun} s per run after a warm-up run, (a) to the browse worker on its own socket and (b) to the router's socket: the router checks CORS and auth, finds the route, splits (every service at 100) and forwards over the service binding to the same browse worker (every routed answer must carry \`x-served-by: browse\`). Both paths are in one workerd with the plan's bindings, on 127.0.0.1, and their runs alternate. Latency is autocannon's time per response (its histogram keeps whole milliseconds, so the bench takes the exact times from its response events); req/s is answers over the run's wall time. One target: the router adds under ${LIMITS.routerAddedP50Ms} ms at p50 (\`routed − direct\`, the median over rounds). The ratios are for reading: ${overhead.connections} connections keep the machine busy, so the router's work shows as queueing, and p99 and req/s describe this machine under load rather than one request's cost.`,
  fallback: ({ fallback }) =>
    [
      `The same GET through three more routers that differ from the one above only in CONFIG and in what BROWSE is bound to, taken in turns, ${fallback.secondsPerRun} s per run as above. \`monolith (blue side)\`: browse at weight 0, so the router sends the request to the monolith itself; this is the baseline, the monolith answering without a failed call before it. \`fallback\`: browse bound to a stand-in that answers 500, so the router calls it, gets the 5xx, and sends the request to the monolith. \`skipped\`: the same stand-in with \`skipAfterFailures: 1\`, so after its first failure the router sends safe requests straight to the monolith, for longer than the bench runs. \`added\` is, within each round, the path's p50 or p99 minus the blue path's.`,
      "Reported, not targets; but every answer must be a 200 with the `x-served-by` its path claims, or the run fails, since the numbers would then describe another path. The fallback router would start skipping after 1000 failures in a row (its `skipAfterFailures`, the most CONFIG allows), so while these runs last the bench sends it one request every 100 ms that the stand-in answers with a 200, which ends the streak. The stand-in fails at once: a service that fails slowly adds its own time, up to its deadline (`deadlineMs`), to every fallback. The router logs a line per fallback; here workerd's output is drained unread, on Cloudflare it goes to Workers Logs.",
    ].join("\n\n"),
  split: ({ split }) =>
    `The router's own \`splitDecision()\` (\`services/router/src/split.ts\`), called in Node for ${split.keys} random UUID keys (the router makes such keys for anonymous callers, and user ids are UUIDs) for every service with a blue side, at weights ${split.weights.join(", ")}. Targets: the green share at each weight within ±${LIMITS.splitSharePoints} percentage point of the weight; no key green at one weight and blue at a higher one; the same key decides the same way when asked twice. The share is of callers, not of requests: a caller who sends more requests weighs more in the traffic.`,
};

export function benchmarksMarkdown(results: BenchResults, sections: readonly Section[]): string {
  const { machine, settings } = results;
  const versions = Object.entries(machine.versions).map(([name, version]) => `${name} ${version}`);
  return [
    "# Benchmarks",
    "",
    `Written by \`npm run bench\` (\`tools/bench.ts\`, \`tools/bench/\`) on ${results.date}, from the staging stack's plan: the bundles, budgets and router CONFIG a deploy of staging would use. Run it again rather than editing this file; every run of every figure is in \`bench/results.json\`.`,
    "",
    "A figure such as `1.23 (1.10–1.40)` is the median of its runs, then their p10–p90 (nearest rank, so with fewer than 10 runs that is min–max). A ratio or difference is taken within each round, where the things compared were measured one after the other, and then summarized the same way; it is not the ratio of the medians shown beside it.",
    "",
    "## Machine",
    "",
    ...markdownTable([
      ["", ""],
      ["CPU", `${machine.cpus} × ${machine.cpu}`],
      ["memory", `${machine.memoryGiB} GiB`],
      ["OS", machine.os],
      ["Node", machine.node],
      ["versions", versions.join(", ")],
      [
        "settings",
        `${settings.runs} start-up runs; ${settings.rounds} rounds of builds and of load runs; load runs of ${settings.duration} s with ${settings.connections} connections`,
      ],
      ["whole run", `${Math.round(results.seconds)} s`],
    ]),
    "",
    "## Targets",
    "",
    ...markdownTable([
      ["", "target", "found"],
      ...results.targets.map((t) => [t.met ? "✓" : "✗ missed", t.what, t.found]),
    ]),
    ...sections.flatMap((section, i) => [
      "",
      `## ${i + 1}. ${section.title}`,
      "",
      EXPLAIN[section.id](results),
      "",
      ...markdownTable(section.rows),
    ]),
    "",
    "## What these numbers are not",
    "",
    `- A local workerd on this machine (${machine.cpus} cores shared by workerd, the load generator and Node) is not Cloudflare's edge: no network or TLS between client and worker, no cold-start scheduling or placement, every worker in one process, and D1 is a local SQLite file rather than a database across the network.`,
    "- Start-up is V8's compile and evaluate of the bundle, in Node's V8 (not workerd's version of it); it is not workerd's whole isolate start (isolate, context, bindings), not the first request, and not Cloudflare's cold start as a client sees it.",
    "- Under this load p99 is tens of milliseconds while p50 is a few: rare pauses of the machine (garbage collection, the two cores passing between workerd and the load generator) make it, so a p99 difference between two paths means little unless it is larger than their spreads.",
    "- Latency and req/s are for this machine under a fixed closed-loop load; they show relative costs (router against direct, fallback against blue), not what clients of the deployed platform will see, and not Cloudflare's capacity, which runs more isolates as load grows.",
    "- The figures belong to the code at the date and versions above; the services change, so run `npm run bench` again after a change rather than trusting an old table.",
    "",
  ].join("\n");
}

/** Rows as a Markdown table, the first row the header (Biome pads the columns afterwards). */
function markdownTable(rows: readonly (readonly string[])[]): string[] {
  const line = (row: readonly string[]) => `| ${row.join(" | ")} |`;
  const [header = [], ...body] = rows;
  return [line(header), line(header.map(() => "---")), ...body.map(line)];
}
