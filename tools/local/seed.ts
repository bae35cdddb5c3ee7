// `npm run seed -- [--url <base>]`: loads the demo data into a running platform through its
// public API. Safe to run again; exit code 1 when a step fails, 2 for a bad flag.

import { parseArgs } from "node:util";
import { ApiClient, parseBaseUrl } from "./api-client.ts";
import { formatSeedSummary, seedDemoData } from "./demo-data.ts";

const DEFAULT_URL = "http://127.0.0.1:8787";

let url: string;
try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { url: { type: "string", default: DEFAULT_URL } },
    strict: true,
  });
  url = parseBaseUrl(values.url ?? DEFAULT_URL);
} catch (error) {
  console.error(
    `${(error as Error).message.split("\n")[0]}\nusage: npm run seed -- [--url ${DEFAULT_URL}]`,
  );
  process.exit(2);
}

try {
  const summary = await seedDemoData(new ApiClient(url));
  console.log(`Seeded ${url}\n${formatSeedSummary(summary)}`);
} catch (error) {
  // fetch says only "fetch failed"; its cause says why (refused, DNS, timeout).
  const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
  const why = cause ? `: ${cause.code ?? cause.message}` : "";
  const hint = cause?.code === "ECONNREFUSED" ? "; is the platform running? (npm start)" : "";
  console.error(`${(error as Error).message}${why}${hint}`);
  process.exit(1);
}
