-- Owner: creator. browse, investor, production and analytics read it.
CREATE TABLE IF NOT EXISTS pitches (
  id TEXT PRIMARY KEY,
  creator_id TEXT NOT NULL REFERENCES users (id),
  title TEXT NOT NULL,
  logline TEXT NOT NULL,
  genre TEXT NOT NULL,
  budget_min INTEGER NOT NULL,
  budget_max INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  published_at TEXT
);
CREATE INDEX IF NOT EXISTS pitches_creator ON pitches (creator_id, created_at);
CREATE INDEX IF NOT EXISTS pitches_published ON pitches (status, published_at, id);
CREATE INDEX IF NOT EXISTS pitches_genre ON pitches (genre, status, published_at);

-- Full-text index over pitches (external content), kept in step by triggers.
CREATE VIRTUAL TABLE IF NOT EXISTS pitches_fts USING fts5 (
  title, logline, genre,
  content = 'pitches', content_rowid = 'rowid', tokenize = 'porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS pitches_fts_insert AFTER INSERT ON pitches BEGIN
  INSERT INTO pitches_fts (rowid, title, logline, genre) VALUES (new.rowid, new.title, new.logline, new.genre);
END;
CREATE TRIGGER IF NOT EXISTS pitches_fts_delete AFTER DELETE ON pitches BEGIN
  INSERT INTO pitches_fts (pitches_fts, rowid, title, logline, genre) VALUES ('delete', old.rowid, old.title, old.logline, old.genre);
END;
CREATE TRIGGER IF NOT EXISTS pitches_fts_update AFTER UPDATE ON pitches BEGIN
  INSERT INTO pitches_fts (pitches_fts, rowid, title, logline, genre) VALUES ('delete', old.rowid, old.title, old.logline, old.genre);
  INSERT INTO pitches_fts (rowid, title, logline, genre) VALUES (new.rowid, new.title, new.logline, new.genre);
END;
