-- Owner: monolith (not migrated yet).
CREATE TABLE IF NOT EXISTS ndas (
  id TEXT PRIMARY KEY,
  pitch_id TEXT NOT NULL,
  requester_id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'signed', 'declined')),
  created_at TEXT NOT NULL,
  decided_at TEXT,
  UNIQUE (pitch_id, requester_id)
);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  sender_id TEXT NOT NULL,
  recipient_id TEXT NOT NULL,
  pitch_id TEXT,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  read_at TEXT
);
CREATE INDEX IF NOT EXISTS messages_recipient ON messages (recipient_id, created_at);
CREATE INDEX IF NOT EXISTS messages_sender ON messages (sender_id, created_at);
