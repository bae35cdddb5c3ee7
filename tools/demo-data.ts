// Loads demo-data.json (users of each role, pitches, an offer, a watchlist entry) through the
// public API. Idempotent: existing users log in, existing pitches and the offer are reused.

import { textTable } from "../cli/text-table.ts";
import { type ApiAnswer, type ApiClient, errorOf, type Session } from "./api-client.ts";
import demo from "./demo-data.json" with { type: "json" };

type Pitch = { id: string; title: string; status: string };
type PitchAnswer = { pitch: Pitch };
type Offer = { pitchId: string };

export type SeedSummary = Awaited<ReturnType<typeof seedDemoData>>;

/** The answer if its status is in `ok` and it has a JSON body, else an error naming the step. */
async function expectStatus<T>(step: string, ok: number[], request: Promise<ApiAnswer<T>>) {
  const answer = await request;
  if (!ok.includes(answer.status) || answer.json === undefined) {
    throw new Error(`seed step "${step}" failed: HTTP ${answer.status} ${errorOf(answer)}`);
  }
  return answer as ApiAnswer<T> & { json: T };
}

export async function seedDemoData(api: ApiClient) {
  const users: { email: string; role: string; created: boolean }[] = [];
  const tokens = new Map<string, string>();
  for (const user of demo.users) {
    const { token, created } = await signIn(api, user);
    tokens.set(user.key, token);
    users.push({ email: user.email, role: user.role, created });
  }

  const pitches: { title: string; id: string; status: string; created: boolean }[] = [];
  for (const owner of new Set(demo.pitches.map((pitch) => pitch.owner))) {
    const auth = { token: tokens.get(owner) };
    const listing = api.get<{ items: Pitch[] }>("/api/creator/pitches?limit=50", auth);
    const own = await expectStatus(`list ${owner}'s pitches`, [200], listing);
    const owned = demo.pitches.filter((pitch) => pitch.owner === owner);
    for (const { owner: _owner, publish, ...wanted } of owned) {
      let pitch = own.json.items.find((p) => p.title === wanted.title);
      const created = pitch === undefined;
      if (!pitch) {
        const creating = api.post<PitchAnswer>("/api/creator/pitches", { ...auth, body: wanted });
        pitch = (await expectStatus(`create "${wanted.title}"`, [201], creating)).json.pitch;
      }
      if (publish && pitch.status !== "published") {
        const publishing = api.post<PitchAnswer>(`/api/creator/pitches/${pitch.id}/publish`, auth);
        pitch = (await expectStatus(`publish "${wanted.title}"`, [200], publishing)).json.pitch;
      }
      pitches.push({ title: pitch.title, id: pitch.id, status: pitch.status, created });
    }
  }

  const { offer, watchlist } = demo;
  const offered = pitches.find((pitch) => pitch.title === offer.pitch)?.id;
  const producer = { token: tokens.get(offer.by) };
  const listing = api.get<{ items: Offer[] }>("/api/production/offers?limit=50", producer);
  const offers = await expectStatus(`list ${offer.by}'s offers`, [200], listing);
  const offerCreated = !offers.json.items.some((existing) => existing.pitchId === offered);
  if (offerCreated) {
    const body = { pitchId: offered, amount: offer.amount, terms: offer.terms };
    const offering = api.post("/api/production/offers", { ...producer, body });
    await expectStatus("make an offer", [201], offering);
  }

  const body = { pitchId: pitches.find((pitch) => pitch.title === watchlist.pitch)?.id };
  const watching = api.post("/api/investor/watchlist", { token: tokens.get(watchlist.by), body });
  const watched = await expectStatus("add to watchlist", [201, 200], watching);
  return { users, pitches, offerCreated, watchlistCreated: watched.status === 201 };
}

/** Registers the user; when the email is taken (409, a second run) logs in instead. */
async function signIn(api: ApiClient, { email, name, role }: (typeof demo.users)[number]) {
  const password = demo.password;
  const registering = api.post<Session>("/api/auth/register", {
    body: { email, password, name, role },
  });
  const registered = await expectStatus(`register ${email}`, [201, 409], registering);
  if (registered.status === 201) return { token: registered.json.token, created: true };
  const login = api.post<Session>("/api/auth/login", { body: { email, password } });
  const { json } = await expectStatus(`log in ${email}`, [200], login);
  return { token: json.token, created: false };
}

export function formatSeedSummary(summary: SeedSummary): string {
  const created = (yes: boolean) => (yes ? "created" : "existed");
  return [
    `Users (password "${demo.password}"):`,
    ...textTable(summary.users.map((u) => [u.email, u.role, created(u.created)])),
    "Pitches:",
    ...textTable(summary.pitches.map((p) => [p.title, p.status, created(p.created), p.id])),
    `Offer by ${demo.offer.by} on "${demo.offer.pitch}": ${created(summary.offerCreated)}`,
    `Watchlist entry of ${demo.watchlist.by} on "${demo.watchlist.pitch}": ${created(summary.watchlistCreated)}`,
  ].join("\n");
}
