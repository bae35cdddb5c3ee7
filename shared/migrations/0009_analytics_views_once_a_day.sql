-- Owner: analytics. A viewer's views of a pitch count once per UTC day and the owner's never: the
-- write stores only a (pitch, viewer, day)'s first view and the reads count distinct ones, so this
-- index serves both. Not UNIQUE: rows written before it repeat, and a monolith (blue) still running
-- the old code inserts every view; a unique index would turn its repeats into 500s.
CREATE INDEX IF NOT EXISTS events_pitch_kind_day_viewer ON events (pitch_id, kind, day, viewer_key);
