// The start-up summary `npm start` prints: the URL, every worker's bundle against its budget and
// the rollout weights the router uses. Pure, so tests read it without starting anything.

import { type BudgetLine, formatBytes } from "../../infra/budgets.ts";
import type { StackConfig } from "../../infra/config.ts";
import type { MigrationReport } from "../../infra/migrate.ts";
import { isServiceName } from "../../shared/workers.ts";

export interface StartupSummary {
  url: string;
  config: Pick<StackConfig, "stack" | "rollout" | "corsOrigins">;
  budgetLines: readonly BudgetLine[];
  /** Services whose weight came from `--rollout`. */
  overridden: ReadonlySet<string>;
  stateDir: string;
  jwtSecretFrom: string;
  migrations: MigrationReport;
  buildMs: number;
  startMs: number;
  watch: boolean;
}

/** The line tests and scripts wait for; keep its shape. */
export function readyLine(url: string): string {
  return `Local platform ready at ${url}`;
}

export function formatStartupTable(summary: StartupSummary): string {
  const url = summary.url.replace(/\/$/, "");
  const rows = summary.budgetLines.map((line) => [
    line.name,
    formatBytes(line.bytes),
    `${formatBytes(line.gzipBytes)} / ${formatBytes(line.budget.maxGzipBytes)}`,
    `${Math.round((line.gzipBytes / line.budget.maxGzipBytes) * 100)}%`,
    servedBy(line.name, summary),
  ]);
  const header = ["worker", "bytes", "gzip / budget", "used", "traffic"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const format = (cells: string[]) =>
    `  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd();
  const migrations = summary.migrations.applied.length
    ? `applied ${summary.migrations.applied.join(", ")}`
    : `${summary.migrations.unchanged.length + summary.migrations.adopted.length} applied, none pending`;
  return [
    readyLine(url),
    "",
    `  stack      ${summary.config.stack} (local: stand-in monolith is the blue side)`,
    `  state      ${summary.stateDir} (D1, secrets store, JWT key: ${summary.jwtSecretFrom})`,
    `  D1         migrations ${migrations}`,
    `  CORS       ${summary.config.corsOrigins.join(", ") || "(no origins allowed)"}`,
    `  timing     build ${Math.round(summary.buildMs)} ms, workerd start ${Math.round(summary.startMs)} ms`,
    "",
    format(header),
    ...rows.map(format),
    "",
    `  Only the router listens (${url}); services are reached through its bindings.`,
    summary.watch
      ? "  Watching for changes: edits rebuild and reload the workers; data is kept. Ctrl-C stops."
      : "  Ctrl-C stops.",
    "",
  ].join("\n");
}

function servedBy(name: string, summary: StartupSummary): string {
  if (name === "router") return "every request";
  if (name === "monolith") return "blue side, /api/nda, /api/messages";
  if (!isServiceName(name)) return "";
  const weight = summary.config.rollout[name];
  const flag = summary.overridden.has(name) ? " (--rollout)" : "";
  return `${weight}% here, ${100 - weight}% monolith${flag}`;
}
