// The analytics worker (owns `events`): records pitch views and shows a pitch's owner its stats.

import { createServiceApp } from "../../../shared/http/app.ts";
import { recordEvents } from "./events.ts";
import { pitchStats } from "./stats.ts";

const app = createServiceApp("analytics");

app.get("/health", (c) => c.json({ worker: "analytics", ok: true }));
app.post("/api/analytics/events", recordEvents);
app.get("/api/analytics/pitches/:id/stats", pitchStats);

export default app;
