// Demo data through the public API: users of each role, published pitches in varied genres, an
// offer and a watchlist entry. Idempotent: existing users log in, existing pitches are reused.

import { type ApiAnswer, type ApiClient, errorOf, type Session } from "./api-client.ts";

export const DEMO_PASSWORD = "demo-password-1";

export const DEMO_USERS = [
  { key: "creator1", email: "creator1@demo.local", name: "Ada Lindqvist", role: "creator" },
  { key: "creator2", email: "creator2@demo.local", name: "Ben Okafor", role: "creator" },
  { key: "investor1", email: "investor1@demo.local", name: "Ivy Chen", role: "investor" },
  {
    key: "production1",
    email: "production1@demo.local",
    name: "Northlight Pictures",
    role: "production",
  },
] as const;

type UserKey = (typeof DEMO_USERS)[number]["key"];

interface DemoPitch {
  owner: UserKey;
  title: string;
  logline: string;
  genre: string;
  budgetMin: number;
  budgetMax: number;
  publish: boolean;
}

export const DEMO_PITCHES: readonly DemoPitch[] = [
  {
    owner: "creator1",
    title: "The Last Lighthouse",
    logline: "A keeper on a drowning island refuses to leave until the final ship comes home.",
    genre: "drama",
    budgetMin: 2_000_000,
    budgetMax: 5_000_000,
    publish: true,
  },
  {
    owner: "creator1",
    title: "Orbit of Strangers",
    logline: "Six rivals share a failing space station and one escape pod.",
    genre: "sci-fi",
    budgetMin: 20_000_000,
    budgetMax: 40_000_000,
    publish: true,
  },
  {
    owner: "creator1",
    title: "Night Shift at the Wax Museum",
    logline: "A night guard learns why the exhibits change every morning.",
    genre: "horror",
    budgetMin: 1_000_000,
    budgetMax: 3_000_000,
    publish: true,
  },
  {
    owner: "creator2",
    title: "Grandma's Heist",
    logline: "Three retirees rob the bank that foreclosed on their bowling club.",
    genre: "comedy",
    budgetMin: 4_000_000,
    budgetMax: 8_000_000,
    publish: true,
  },
  {
    owner: "creator2",
    title: "Salt and Silicon",
    logline: "How a desert town became the world's battery and what it cost.",
    genre: "documentary",
    budgetMin: 300_000,
    budgetMax: 900_000,
    publish: true,
  },
  {
    owner: "creator2",
    title: "Paper Dragons",
    logline: "An origami artist's folds come alive, one bad idea at a time.",
    genre: "animation",
    budgetMin: 10_000_000,
    budgetMax: 25_000_000,
    publish: false,
  },
];

interface Pitch {
  id: string;
  title: string;
  status: string;
}

export interface SeedSummary {
  users: { email: string; role: string; created: boolean }[];
  pitches: { title: string; id: string; status: string; created: boolean }[];
  offerCreated: boolean;
  watchlistCreated: boolean;
}

export class SeedError extends Error {
  constructor(step: string, answer: ApiAnswer) {
    super(`seed step "${step}" failed: HTTP ${answer.status} ${errorOf(answer)}`);
    this.name = "SeedError";
  }
}

export async function seedDemoData(api: ApiClient): Promise<SeedSummary> {
  const sessions = new Map<UserKey, Session>();
  const summary: SeedSummary = {
    users: [],
    pitches: [],
    offerCreated: false,
    watchlistCreated: false,
  };
  for (const user of DEMO_USERS) {
    const { session, created } = await signIn(api, user);
    sessions.set(user.key, session);
    summary.users.push({ email: user.email, role: user.role, created });
  }
  const token = (key: UserKey) => sessions.get(key)?.token;

  const pitchIds = new Map<string, string>();
  for (const owner of ["creator1", "creator2"] as const) {
    const own = await api.get<{ items: Pitch[] }>("/api/creator/pitches?limit=50", {
      token: token(owner),
    });
    if (own.status !== 200) throw new SeedError(`list ${owner}'s pitches`, own);
    for (const wanted of DEMO_PITCHES.filter((p) => p.owner === owner)) {
      let pitch = own.json?.items.find((p) => p.title === wanted.title);
      const created = pitch === undefined;
      if (!pitch) {
        const { owner: _owner, publish: _publish, ...body } = wanted;
        const answer = await api.post<{ pitch: Pitch }>("/api/creator/pitches", {
          token: token(owner),
          body,
        });
        if (answer.status !== 201 || !answer.json)
          throw new SeedError(`create "${wanted.title}"`, answer);
        pitch = answer.json.pitch;
      }
      if (wanted.publish && pitch.status !== "published") {
        const answer = await api.post<{ pitch: Pitch }>(
          `/api/creator/pitches/${pitch.id}/publish`,
          { token: token(owner) },
        );
        if (answer.status !== 200 || !answer.json)
          throw new SeedError(`publish "${wanted.title}"`, answer);
        pitch = answer.json.pitch;
      }
      pitchIds.set(wanted.title, pitch.id);
      summary.pitches.push({ title: pitch.title, id: pitch.id, status: pitch.status, created });
    }
  }

  const offered = pitchIds.get("The Last Lighthouse")!;
  const offers = await api.get<{ items: { pitchId: string }[] }>(
    "/api/production/offers?limit=50",
    { token: token("production1") },
  );
  if (offers.status !== 200) throw new SeedError("list production1's offers", offers);
  if (!offers.json?.items.some((offer) => offer.pitchId === offered)) {
    const answer = await api.post("/api/production/offers", {
      token: token("production1"),
      body: { pitchId: offered, amount: 250_000, terms: "18-month option, first-look on sequels." },
    });
    if (answer.status !== 201) throw new SeedError("make an offer", answer);
    summary.offerCreated = true;
  }

  const watched = await api.post("/api/investor/watchlist", {
    token: token("investor1"),
    body: { pitchId: pitchIds.get("Orbit of Strangers") },
  });
  if (watched.status !== 201 && watched.status !== 200)
    throw new SeedError("add to watchlist", watched);
  summary.watchlistCreated = watched.status === 201;
  return summary;
}

/** Registers the user; when the email is taken (409, a second run) logs in instead. */
async function signIn(
  api: ApiClient,
  user: (typeof DEMO_USERS)[number],
): Promise<{ session: Session; created: boolean }> {
  const registered = await api.post<Session>("/api/auth/register", {
    body: { email: user.email, password: DEMO_PASSWORD, name: user.name, role: user.role },
  });
  if (registered.status === 201 && registered.json)
    return { session: registered.json, created: true };
  if (registered.status !== 409) throw new SeedError(`register ${user.email}`, registered);
  const login = await api.post<Session>("/api/auth/login", {
    body: { email: user.email, password: DEMO_PASSWORD },
  });
  if (login.status !== 200 || !login.json) throw new SeedError(`log in ${user.email}`, login);
  return { session: login.json, created: false };
}

export function formatSeedSummary(summary: SeedSummary): string {
  const created = (yes: boolean) => (yes ? "created" : "existed");
  return [
    `Users (password "${DEMO_PASSWORD}"):`,
    ...summary.users.map(
      (u) => `  ${u.email.padEnd(24)} ${u.role.padEnd(11)} ${created(u.created)}`,
    ),
    "Pitches:",
    ...summary.pitches.map(
      (p) => `  ${p.title.padEnd(32)} ${p.status.padEnd(10)} ${created(p.created)}  ${p.id}`,
    ),
    `Offer by production1 on "The Last Lighthouse": ${created(summary.offerCreated)}`,
    `Watchlist entry of investor1 on "Orbit of Strangers": ${created(summary.watchlistCreated)}`,
  ].join("\n");
}
