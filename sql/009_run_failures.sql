-- The listings a run could not read, so that the status page (and anyone
-- reading sync_runs) can say what failed after the daemon restarted
-- (issue 15). sync_runs.error keeps the run's one-line cause.

ALTER TABLE marin.sync_runs ADD COLUMN listings_failed bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN marin.sync_runs.listings_failed IS 'Listings that failed in this run (access denied, an error that outlasted the retries, a record without its key): nothing under them was marked removed.';
ALTER TABLE marin.sync_runs ADD COLUMN failed_listings text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN marin.sync_runs.failed_listings IS 'The first failed listings (up to 20) as "<listing>: <why>", the API key masked.';
