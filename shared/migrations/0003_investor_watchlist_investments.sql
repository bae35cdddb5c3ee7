-- Owner: investor.
CREATE TABLE IF NOT EXISTS watchlist (
  investor_id TEXT NOT NULL,
  pitch_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (investor_id, pitch_id)
);
CREATE TABLE IF NOT EXISTS investments (
  id TEXT PRIMARY KEY,
  investor_id TEXT NOT NULL,
  pitch_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('interest', 'commitment')),
  amount INTEGER,
  note TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS investments_investor ON investments (investor_id, created_at);
CREATE INDEX IF NOT EXISTS investments_pitch ON investments (pitch_id);
