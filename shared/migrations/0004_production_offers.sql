-- Owner: production.
CREATE TABLE IF NOT EXISTS offers (
  id TEXT PRIMARY KEY,
  pitch_id TEXT NOT NULL,
  production_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  terms TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
  created_at TEXT NOT NULL,
  decided_at TEXT
);
CREATE INDEX IF NOT EXISTS offers_pitch ON offers (pitch_id, created_at);
CREATE INDEX IF NOT EXISTS offers_production ON offers (production_id, created_at);
