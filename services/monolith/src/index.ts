// The stand-in monolith (blue): the old worker as it was before the split, i.e. the services'
// apps composed into one worker, plus NDA requests and messaging, which are not migrated yet.
// The build hands it every service with a blue side in the table of workers (shared/workers.ts),
// so no service is imported here by hand and none can be forgotten.

import type { Hono } from "hono";
import { createServiceApp, type ServiceEnv } from "../../../shared/http/app.ts";
import type { ServiceName } from "../../../shared/workers.ts";
import { liveMessages } from "./live.ts";
import { listMessages, markRead, sendMessage } from "./messages.ts";
import { decideNda, listNdas, requestNda } from "./ndas.ts";

/** The monolith serving `services` (in the table's order) besides its own paths. */
export function monolithApp(
  services: Partial<Record<ServiceName, Hono<ServiceEnv>>>,
): Hono<ServiceEnv> {
  const app = createServiceApp("monolith");

  // Registered before the services, whose own `/health` answers would otherwise win.
  app.get("/health", (c) => c.json({ worker: "monolith", ok: true }));

  app.post("/api/nda/requests", requestNda);
  app.get("/api/nda/requests", listNdas);
  app.post("/api/nda/requests/:id/sign", decideNda("signed"));
  app.post("/api/nda/requests/:id/decline", decideNda("declined"));

  app.get("/api/messages/live", liveMessages);
  app.post("/api/messages", sendMessage);
  app.get("/api/messages", listMessages);
  app.post("/api/messages/:id/read", markRead);

  for (const service of Object.values(services)) if (service) app.route("/", service);
  return app;
}
