// The creator worker. Placeholder until its own issue fills it: answers its health check.

import { Hono } from "hono";

const app = new Hono();

app.get("/health", (c) => c.json({ worker: "creator", ok: true }));

export default app;
