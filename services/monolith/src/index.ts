// The stand-in monolith (blue): the old worker as it was before the split, i.e. the six services'
// apps composed into one worker, plus NDA requests and messaging, which are not migrated yet.

import { createServiceApp } from "../../../shared/http/app.ts";
import analyticsApp from "../../analytics/src/index.ts";
import authApp from "../../auth/src/index.ts";
import browseApp from "../../browse/src/index.ts";
import creatorApp from "../../creator/src/index.ts";
import investorApp from "../../investor/src/index.ts";
import productionApp from "../../production/src/index.ts";
import { listMessages, markRead, sendMessage } from "./messages.ts";
import { decideNda, listNdas, requestNda } from "./ndas.ts";

const app = createServiceApp("monolith");

// Registered before the services, whose own `/health` answers would otherwise win.
app.get("/health", (c) => c.json({ worker: "monolith", ok: true }));

app.post("/api/nda/requests", requestNda);
app.get("/api/nda/requests", listNdas);
app.post("/api/nda/requests/:id/sign", decideNda("signed"));
app.post("/api/nda/requests/:id/decline", decideNda("declined"));

app.post("/api/messages", sendMessage);
app.get("/api/messages", listMessages);
app.post("/api/messages/:id/read", markRead);

app.route("/", authApp);
app.route("/", creatorApp);
app.route("/", investorApp);
app.route("/", productionApp);
app.route("/", browseApp);
app.route("/", analyticsApp);

export default app;
