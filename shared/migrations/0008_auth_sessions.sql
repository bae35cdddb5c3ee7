-- Owner: auth. One session per sign-in; its refresh tokens rotate, and ending the session (logout,
-- a spent token used again, a password change) ends every token it gave out, even one being issued.
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  ended_at TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id);
-- Refresh tokens by their SHA-256 (hex); the token itself is never stored.
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  spent_at TEXT
);
CREATE INDEX IF NOT EXISTS refresh_tokens_session ON refresh_tokens (session_id);
