-- Listings read twice (their range.total fell while they were read, so
-- records may have moved past the reader) were counted in the log only.
-- IF NOT EXISTS and no reference to other new columns: this applies after
-- 004 as after 005, whichever the database has.
ALTER TABLE marin.sync_runs ADD COLUMN IF NOT EXISTS listings_reread bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN marin.sync_runs.listings_reread IS 'Listings the run read a second time because their range.total fell while they were read (records deleted meanwhile shift later ones onto pages already read); only rows neither read showed are marked removed.';
