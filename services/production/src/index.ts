// The production worker (owns `offers`): production companies make offers on published pitches
// and the pitches' creators accept or decline them.

import { createServiceApp } from "../../../shared/http/app.ts";
import { createOffer, decideOffer, listOwnOffers } from "./offers.ts";

const app = createServiceApp("production");

app.get("/health", (c) => c.json({ worker: "production", ok: true }));
app.post("/api/production/offers", createOffer);
app.get("/api/production/offers", listOwnOffers);
app.post("/api/production/offers/:id/accept", decideOffer("accepted"));
app.post("/api/production/offers/:id/decline", decideOffer("declined"));

export default app;
