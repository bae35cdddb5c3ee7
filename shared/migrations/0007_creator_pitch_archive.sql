-- Owner: creator. An archived pitch is unpublished (status 'draft') and hidden from browse, but
-- kept for the investments, offers and NDAs that point at it; a pitch with those cannot be deleted.
-- Added, not rebuilt, so the pitches_fts triggers of 0002 stay.
ALTER TABLE pitches ADD COLUMN archived_at TEXT;
