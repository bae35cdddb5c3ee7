-- Owner: analytics.
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pitch_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  viewer_key TEXT NOT NULL,
  day TEXT NOT NULL,
  occurred_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_pitch_day ON events (pitch_id, day);
