// The investor worker (owns `watchlist`, `investments`): an investor's watchlist, interest and
// commitments on published pitches, and the portfolio that sums them.

import { createServiceApp } from "../../../shared/http/app.ts";
import { createInvestment, listInvestments } from "./investments.ts";
import { portfolio } from "./portfolio.ts";
import { addToWatchlist, listWatchlist, removeFromWatchlist } from "./watchlist.ts";

const app = createServiceApp("investor");

app.get("/health", (c) => c.json({ worker: "investor", ok: true }));
app.get("/api/investor/watchlist", listWatchlist);
app.post("/api/investor/watchlist", addToWatchlist);
app.delete("/api/investor/watchlist/:pitchId", removeFromWatchlist);
app.get("/api/investor/investments", listInvestments);
app.post("/api/investor/investments", createInvestment);
app.get("/api/investor/portfolio", portfolio);

export default app;
