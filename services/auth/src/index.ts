// The auth worker. Placeholder until its own issue fills it: answers its health check.

import { Hono } from "hono";

const app = new Hono();

app.get("/health", (c) => c.json({ worker: "auth", ok: true }));

export default app;
