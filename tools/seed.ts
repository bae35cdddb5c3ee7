// `npm run seed`: loads the demo data into a running platform through its public API. Safe to run
// again; exit code 1 when a step fails, 2 for a bad flag.

import { runCommand } from "../cli/args.ts";
import { ApiClient, describeFetchError, TARGET_FLAGS, targetUrl } from "./api-client.ts";
import { formatSeedSummary, seedDemoData } from "./demo-data.ts";

const COMMAND = {
  usage: "npm run seed -- [--url <base URL> | --stack <name>]",
  summary:
    "Loads demo users, pitches, an offer and a watchlist entry into a running platform through its public API; running it again reuses what exists.",
  flags: TARGET_FLAGS,
  examples: [
    "npm run seed                                   # the local platform (npm start)",
    "npm run seed -- --url http://127.0.0.1:9000",
    "npm run seed -- --stack staging                # https://api.staging.pitch.example.com",
  ],
} as const;

await runCommand(COMMAND, async (flags) => {
  const url = targetUrl(flags);
  try {
    console.log(`Seeded ${url}\n${formatSeedSummary(await seedDemoData(new ApiClient(url)))}`);
    return 0;
  } catch (error) {
    console.error(describeFetchError(error));
    return 1;
  }
});
