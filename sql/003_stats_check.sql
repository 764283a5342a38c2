-- The sync's own check that the figures add up: after each full run, for a
-- sample of media plans, the sum of the ads' daily statistics in the mirror
-- is compared with what the API's media-plan statistics endpoint reports for
-- the same period (aggregate=period).
ALTER TABLE marin.sync_runs ADD COLUMN stats_check jsonb;
COMMENT ON COLUMN marin.sync_runs.stats_check IS
  'Full runs only: for a sample of media plans, the API''s period totals (impressions, clicks, spent) against the sum of marin.ad_stats_daily over the same days, e.g. [{"media_plan_id": "105", "from": "2026-09-01", "to": "2026-11-30", "api": {...}, "mirror": {...}, "agree": true}]. NULL when no check ran.';
