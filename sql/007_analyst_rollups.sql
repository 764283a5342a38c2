-- marin-sync schema, version 7: the analysts' side at scale (issue 16).
--
-- 1. marin.ad_stats_daily gets typed columns for the main_metrics actions
--    the roll-ups sum (link_clicks, app_installs, app_purchases, leads),
--    written by the sync's mapper; the stored generated main_metrics column
--    goes (it held the same bytes as _raw a second time: read
--    _raw -> 'main_metrics', ad_stats_daily_metrics or
--    ad_stats_daily_versions.main_metrics); _raw goes to the TOAST table
--    (compressed, as before) so that the rows themselves are small. The
--    table and its history are
--    rebuilt (the only way to get the columns in spec order and the space
--    of the dropped column back); the typed values of existing rows come
--    from their _raw.
--    _hash stays as it was: the mapper leaves these columns out of the hash
--    (they are functions of _raw, which it covers), so the first run after
--    this migration finds every unchanged row unchanged.
-- 2. Roll-up tables per campaign and day and per media plan and day, kept by
--    the sync in the transaction that writes the rows (for exactly the
--    (campaign, day) pairs it changed), and filled here from the rows.
-- 3. The statistics views keep their names and columns and read the
--    roll-ups; an index on date serves queries on recent days.
--
-- Applies on top of 004 (later migrations of other tables do not touch
-- these objects).

-- ---------------------------------------------------------------------------
-- Helpers

CREATE FUNCTION marin.main_metric_number(main_metrics jsonb, metric text)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT coalesce(sum(marin.json_number(m -> 'number')) FILTER (WHERE m ->> 'name' = metric), 0)
    FROM jsonb_array_elements(CASE jsonb_typeof(main_metrics) WHEN 'array' THEN main_metrics ELSE '[]'::jsonb END) AS m
$fn$;
COMMENT ON FUNCTION marin.main_metric_number(jsonb, text) IS 'Sum of "number" over the entries of a main_metrics array named metric (exact numeric; 0 when none). The value marin-sync stores in ad_stats_daily.link_clicks (metric link_click), app_installs, app_purchases and leads. E.g. marin.main_metric_number(_raw -> ''main_metrics'', ''video_view'').';

-- ---------------------------------------------------------------------------
-- 1. ad_stats_daily and its history, rebuilt

-- What reads the tables goes first (made again below).
DROP VIEW marin.advertiser_stats_weekly, marin.media_plan_stats_weekly, marin.campaign_stats_weekly,
          marin.advertiser_stats_daily, marin.media_plan_stats_daily, marin.campaign_stats_daily,
          marin.ad_stats_daily_named, marin.ad_stats_daily_metrics, marin.ad_stats_daily_versions;
DROP FUNCTION marin.ad_stats_daily_as_of(timestamptz, boolean);

CREATE TABLE marin.ad_stats_daily_rebuilt (
    ad_id text NOT NULL,
    date date NOT NULL,
    media_plan_id text,
    campaign_id text,
    ad_set_id text,
    impressions bigint,
    clicks bigint,
    spent numeric,
    income numeric,
    ctr double precision,
    ctr_links double precision,
    conv_rate double precision,
    conv_rate_links double precision,
    cpc double precision,
    cpm double precision,
    cpa double precision,
    roi double precision,
    link_clicks numeric,
    app_installs numeric,
    app_purchases numeric,
    leads numeric,
    other_metrics jsonb GENERATED ALWAYS AS (_raw -> 'other_metrics') STORED,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone
) WITH (toast_tuple_target = 128);
CREATE TABLE marin.ad_stats_daily_history_rebuilt (
    ad_id text NOT NULL,
    date date NOT NULL,
    media_plan_id text,
    campaign_id text,
    ad_set_id text,
    impressions bigint,
    clicks bigint,
    spent numeric,
    income numeric,
    ctr double precision,
    ctr_links double precision,
    conv_rate double precision,
    conv_rate_links double precision,
    cpc double precision,
    cpm double precision,
    cpa double precision,
    roi double precision,
    link_clicks numeric,
    app_installs numeric,
    app_purchases numeric,
    leads numeric,
    other_metrics jsonb,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
) WITH (toast_tuple_target = 128);
-- _raw (about 2.3 kB of jsonb a statistics record, lz4 takes it to about
-- 1 kB) goes out of line, to the TOAST table: toast_tuple_target = 128 makes
-- PostgreSQL move it once compressed, so a row in the table itself is about
-- 260 bytes instead of 1.3 kB and a scan of recent days reads a fifth of the
-- pages; the bytes in all are the same. _hash is PLAIN so that it stays in
-- the row (the sync reads it for every row it receives): with the low
-- target it would move out too. (A low target alone does not compress rows
-- under 2 kB: PostgreSQL only toasts a new row above that size. Measured in
-- docs/performance.md.)
ALTER TABLE marin.ad_stats_daily_rebuilt ALTER COLUMN _hash SET STORAGE PLAIN;
ALTER TABLE marin.ad_stats_daily_history_rebuilt ALTER COLUMN _hash SET STORAGE PLAIN;

INSERT INTO marin.ad_stats_daily_rebuilt
    (ad_id, date, media_plan_id, campaign_id, ad_set_id, impressions, clicks, spent, income, ctr, ctr_links,
     conv_rate, conv_rate_links, cpc, cpm, cpa, roi, link_clicks, app_installs, app_purchases, leads,
     _raw, _hash, _synced_at, _removed_at)
SELECT ad_id, date, media_plan_id, campaign_id, ad_set_id, impressions, clicks, spent, income, ctr, ctr_links,
       conv_rate, conv_rate_links, cpc, cpm, cpa, roi,
       marin.main_metric_number(_raw -> 'main_metrics', 'link_click'),
       marin.main_metric_number(_raw -> 'main_metrics', 'mobile_app_install'),
       marin.main_metric_number(_raw -> 'main_metrics', 'app_custom_event.fb_mobile_purchase'),
       marin.main_metric_number(_raw -> 'main_metrics', 'leadgen.other'),
       _raw, _hash, _synced_at, _removed_at
FROM marin.ad_stats_daily;
INSERT INTO marin.ad_stats_daily_history_rebuilt
    (ad_id, date, media_plan_id, campaign_id, ad_set_id, impressions, clicks, spent, income, ctr, ctr_links,
     conv_rate, conv_rate_links, cpc, cpm, cpa, roi, link_clicks, app_installs, app_purchases, leads,
     other_metrics, _raw, _hash, _synced_at, _removed_at, _valid_from, _valid_to)
SELECT ad_id, date, media_plan_id, campaign_id, ad_set_id, impressions, clicks, spent, income, ctr, ctr_links,
       conv_rate, conv_rate_links, cpc, cpm, cpa, roi,
       marin.main_metric_number(_raw -> 'main_metrics', 'link_click'),
       marin.main_metric_number(_raw -> 'main_metrics', 'mobile_app_install'),
       marin.main_metric_number(_raw -> 'main_metrics', 'app_custom_event.fb_mobile_purchase'),
       marin.main_metric_number(_raw -> 'main_metrics', 'leadgen.other'),
       other_metrics, _raw, _hash, _synced_at, _removed_at, _valid_from, _valid_to
FROM marin.ad_stats_daily_history;

-- The comments of the columns that stay, carried over.
DO $carry$
DECLARE
    pair text[];
    col record;
BEGIN
    FOREACH pair SLICE 1 IN ARRAY ARRAY[['ad_stats_daily', 'ad_stats_daily_rebuilt'],
                                        ['ad_stats_daily_history', 'ad_stats_daily_history_rebuilt']] LOOP
        EXECUTE format('COMMENT ON TABLE marin.%I IS %L', pair[2],
                       obj_description(('marin.' || pair[1])::regclass, 'pg_class'));
        FOR col IN SELECT a.attname, col_description(a.attrelid, a.attnum) AS txt
                   FROM pg_attribute a
                   WHERE a.attrelid = ('marin.' || pair[1])::regclass AND a.attnum > 0 AND NOT a.attisdropped
                     AND col_description(a.attrelid, a.attnum) IS NOT NULL
                     AND EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = ('marin.' || pair[2])::regclass
                                 AND b.attname = a.attname) LOOP
            EXECUTE format('COMMENT ON COLUMN marin.%I.%I IS %L', pair[2], col.attname, col.txt);
        END LOOP;
    END LOOP;
END
$carry$;

DROP TABLE marin.ad_stats_daily, marin.ad_stats_daily_history;
ALTER TABLE marin.ad_stats_daily_rebuilt RENAME TO ad_stats_daily;
ALTER TABLE marin.ad_stats_daily_history_rebuilt RENAME TO ad_stats_daily_history;
ALTER TABLE marin.ad_stats_daily ADD PRIMARY KEY (ad_id, date);
CREATE INDEX ad_stats_daily_history_key_idx ON marin.ad_stats_daily_history (ad_id, date, _valid_from);
CREATE INDEX ad_stats_daily_media_plan_id_idx ON marin.ad_stats_daily (media_plan_id);
-- (campaign_id, date): the roll-ups' refresh reads a campaign's day, and
-- analysts a campaign's days. Replaces the index on campaign_id alone.
CREATE INDEX ad_stats_daily_campaign_id_date_idx ON marin.ad_stats_daily (campaign_id, date);
-- Recent days (top ads of the last week). A B-tree, not BRIN: rows arrive
-- per media plan with all their days, so dates are not in physical order.
-- Few distinct dates: deduplication keeps it a few bytes a row.
CREATE INDEX ad_stats_daily_date_idx ON marin.ad_stats_daily (date);
-- The index on ad_set_id goes: no query of the mirror's reads it (statistics
-- rows are never removed, so no cascade either), and it cost 25 bytes a row.

COMMENT ON COLUMN marin.ad_stats_daily.link_clicks IS 'Link clicks (count, exact numeric): the sum of main_metrics[].number named "link_click"; 0 when absent. Computed by marin-sync from the record (= marin.main_metric_number(_raw -> ''main_metrics'', ''link_click'')).';
COMMENT ON COLUMN marin.ad_stats_daily.app_installs IS 'Mobile app installs (count, exact numeric): main_metrics "mobile_app_install"; 0 when absent. Computed by marin-sync from the record. One of the three parts of conversions in the views.';
COMMENT ON COLUMN marin.ad_stats_daily.app_purchases IS 'In-app purchases (count, exact numeric): main_metrics "app_custom_event.fb_mobile_purchase" (its amount, the revenue, is income); 0 when absent. Computed by marin-sync from the record. Part of conversions.';
COMMENT ON COLUMN marin.ad_stats_daily.leads IS 'Leads (count, exact numeric): main_metrics "leadgen.other"; 0 when absent. Computed by marin-sync from the record. Part of conversions.';
COMMENT ON COLUMN marin.ad_stats_daily._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values). Compressed (lz4) and stored out of the row (TOAST), so that the rows themselves stay small. Its main_metrics array (actions and their value) is _raw -> ''main_metrics''; in long form in marin.ad_stats_daily_metrics.';
DO $history_comments$
DECLARE
    col text;
BEGIN
    FOREACH col IN ARRAY ARRAY['link_clicks', 'app_installs', 'app_purchases', 'leads'] LOOP
        EXECUTE format('COMMENT ON COLUMN marin.ad_stats_daily_history.%I IS %L', col,
                       format('As marin.ad_stats_daily.%s in this version.', col));
    END LOOP;
END
$history_comments$;

-- ---------------------------------------------------------------------------
-- 2. Roll-ups

CREATE TABLE marin.campaign_stats_daily_rollup (
    date date NOT NULL,
    campaign_id text,
    media_plan_id text,
    ads_with_activity integer NOT NULL,
    ads_new_since integer[] NOT NULL,
    impressions bigint,
    clicks bigint,
    link_clicks numeric,
    conversions numeric,
    spent numeric,
    income numeric,
    CONSTRAINT campaign_stats_daily_rollup_key UNIQUE NULLS NOT DISTINCT (media_plan_id, date, campaign_id)
);
CREATE INDEX campaign_stats_daily_rollup_campaign_idx ON marin.campaign_stats_daily_rollup (campaign_id, date);
COMMENT ON TABLE marin.campaign_stats_daily_rollup IS 'Sums of marin.ad_stats_daily per campaign, media plan and day (one row per combination with rows), kept by marin-sync in the transaction that writes the rows, so it always equals their sums. Read through marin.campaign_stats_daily and marin.campaign_stats_weekly. marin.rebuild_stats_rollups() computes it again from the rows.';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.date IS 'Day of the statistics (ad_stats_daily.date).';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.campaign_id IS 'Campaign (ad_stats_daily.campaign_id; NULL for rows without one).';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.media_plan_id IS 'Media plan (ad_stats_daily.media_plan_id).';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.ads_with_activity IS 'Number of ad rows (ads with statistics) of the campaign that day.';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.ads_new_since IS 'Seven counts: element i (1..7) is the number of the day''s ads with no row of the same campaign in the i-1 days before (element 1 = ads_with_activity). A week starting o days before this day counts the ads_new_since[o + 1] of each of its days: the distinct ads of the week, without reading the ad rows.';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.impressions IS 'Sum of ad_stats_daily.impressions.';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.clicks IS 'Sum of ad_stats_daily.clicks.';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.link_clicks IS 'Sum of ad_stats_daily.link_clicks.';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.conversions IS 'Sum of ad_stats_daily.app_installs + app_purchases + leads.';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.spent IS 'Sum of ad_stats_daily.spent (exact numeric, the account''s currency).';
COMMENT ON COLUMN marin.campaign_stats_daily_rollup.income IS 'Sum of ad_stats_daily.income (exact numeric).';

CREATE TABLE marin.media_plan_stats_daily_rollup (
    date date NOT NULL,
    media_plan_id text,
    ads_with_activity integer NOT NULL,
    ads_new_since integer[] NOT NULL,
    impressions bigint,
    clicks bigint,
    link_clicks numeric,
    conversions numeric,
    spent numeric,
    income numeric,
    CONSTRAINT media_plan_stats_daily_rollup_key UNIQUE NULLS NOT DISTINCT (media_plan_id, date)
);
COMMENT ON TABLE marin.media_plan_stats_daily_rollup IS 'Sums of marin.campaign_stats_daily_rollup per media plan and day (so of marin.ad_stats_daily), kept by marin-sync with it. Read through marin.media_plan_stats_* and marin.advertiser_stats_* (advertiser and currency joined when read, so they follow the current media plans).';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.date IS 'Day of the statistics.';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.media_plan_id IS 'Media plan (ad_stats_daily.media_plan_id).';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.ads_with_activity IS 'Number of ad rows of the media plan that day.';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.ads_new_since IS 'Element-wise sums of campaign_stats_daily_rollup.ads_new_since (an ad belongs to one campaign): element i counts the day''s ads without a row in the i-1 days before.';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.impressions IS 'Sum of ad_stats_daily.impressions.';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.clicks IS 'Sum of ad_stats_daily.clicks.';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.link_clicks IS 'Sum of ad_stats_daily.link_clicks.';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.conversions IS 'Sum of ad_stats_daily.app_installs + app_purchases + leads.';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.spent IS 'Sum of ad_stats_daily.spent (exact numeric).';
COMMENT ON COLUMN marin.media_plan_stats_daily_rollup.income IS 'Sum of ad_stats_daily.income (exact numeric).';

-- The sync's refresh, in the transaction of a merge. For each campaign a
-- written key belongs to (now, or before this transaction changed the row:
-- its history row ends now()), the roll-up rows of the days from the first
-- written day to 6 days after the last (a day's ads_new_since depends on the
-- 6 days before it) are computed again from one index range scan of the
-- campaign's rows: rows written in bulk cost a read each, not a lookup of
-- their neighbours. Unchanged roll-up rows are not rewritten. Then the
-- media plans' days whose campaign rows changed, from the campaign roll-up.
CREATE FUNCTION marin.refresh_stats_rollups(ad_ids text[], days date[])
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    campaigns text[];
    firsts date[];
    lasts date[];
    moved boolean;
    plans text[];
    plan_days date[];
BEGIN
    WITH written AS (
        SELECT * FROM unnest(ad_ids, days) AS w(ad_id, date)
    ), now_rows AS (
        SELECT s.campaign_id, s.media_plan_id, s.date
        FROM written w JOIN marin.ad_stats_daily s ON s.ad_id = w.ad_id AND s.date = w.date
    ), old_rows AS (
        SELECT h.campaign_id, h.media_plan_id, h.date
        FROM written w
        JOIN marin.ad_stats_daily_history h ON h.ad_id = w.ad_id AND h.date = w.date AND h._valid_to = now()
    )
    SELECT array_agg(r.campaign_id), array_agg(r.first_day), array_agg(r.last_day),
           EXISTS (SELECT campaign_id, media_plan_id FROM old_rows EXCEPT SELECT campaign_id, media_plan_id FROM now_rows)
    INTO campaigns, firsts, lasts, moved
    FROM (SELECT campaign_id, min(date) AS first_day, max(date) + 6 AS last_day
          FROM (SELECT * FROM now_rows UNION ALL SELECT * FROM old_rows) a
          GROUP BY campaign_id) r;
    IF campaigns IS NULL THEN
        RETURN 0;
    END IF;

    WITH fresh AS (
        SELECT s.date, s.campaign_id, s.media_plan_id, count(*)::integer AS ads,
               ARRAY[count(*),
                     count(*) FILTER (WHERE s.gap IS NULL OR s.gap >= 2),
                     count(*) FILTER (WHERE s.gap IS NULL OR s.gap >= 3),
                     count(*) FILTER (WHERE s.gap IS NULL OR s.gap >= 4),
                     count(*) FILTER (WHERE s.gap IS NULL OR s.gap >= 5),
                     count(*) FILTER (WHERE s.gap IS NULL OR s.gap >= 6),
                     count(*) FILTER (WHERE s.gap IS NULL OR s.gap >= 7)]::integer[] AS ads_new_since,
               sum(s.impressions)::bigint AS impressions,
               sum(s.clicks)::bigint AS clicks,
               sum(s.link_clicks) AS link_clicks,
               sum(s.app_installs + s.app_purchases + s.leads) AS conversions,
               sum(s.spent) AS spent,
               sum(s.income) AS income
        FROM unnest(campaigns, firsts, lasts) AS g(campaign_id, first_day, last_day)
        CROSS JOIN LATERAL (
            SELECT w.*, w.date - lag(w.date) OVER (PARTITION BY w.ad_id, w.media_plan_id ORDER BY w.date) AS gap
            FROM (SELECT x.ad_id, x.date, x.campaign_id, x.media_plan_id, x.impressions, x.clicks, x.link_clicks,
                         x.app_installs, x.app_purchases, x.leads, x.spent, x.income
                  FROM marin.ad_stats_daily x
                  WHERE x.campaign_id = g.campaign_id AND x.date BETWEEN g.first_day - 6 AND g.last_day
                  UNION ALL
                  SELECT x.ad_id, x.date, x.campaign_id, x.media_plan_id, x.impressions, x.clicks, x.link_clicks,
                         x.app_installs, x.app_purchases, x.leads, x.spent, x.income
                  FROM marin.ad_stats_daily x
                  WHERE g.campaign_id IS NULL AND x.campaign_id IS NULL
                    AND x.date BETWEEN g.first_day - 6 AND g.last_day) w
        ) s
        WHERE s.date >= g.first_day
        GROUP BY s.date, s.campaign_id, s.media_plan_id
    ), changed AS (
        INSERT INTO marin.campaign_stats_daily_rollup AS r
            (date, campaign_id, media_plan_id, ads_with_activity, ads_new_since, impressions, clicks, link_clicks,
             conversions, spent, income)
        SELECT date, campaign_id, media_plan_id, ads, ads_new_since, impressions, clicks, link_clicks, conversions,
               spent, income
        FROM fresh
        ON CONFLICT (media_plan_id, date, campaign_id) DO UPDATE
        SET ads_with_activity = EXCLUDED.ads_with_activity, ads_new_since = EXCLUDED.ads_new_since,
            impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks, link_clicks = EXCLUDED.link_clicks,
            conversions = EXCLUDED.conversions, spent = EXCLUDED.spent, income = EXCLUDED.income
        WHERE (r.ads_with_activity, r.ads_new_since, r.impressions, r.clicks, r.link_clicks, r.conversions, r.spent,
               r.income)
              IS DISTINCT FROM
              (EXCLUDED.ads_with_activity, EXCLUDED.ads_new_since, EXCLUDED.impressions, EXCLUDED.clicks,
               EXCLUDED.link_clicks, EXCLUDED.conversions, EXCLUDED.spent, EXCLUDED.income)
        RETURNING r.media_plan_id, r.date
    )
    SELECT array_agg(media_plan_id), array_agg(date) INTO plans, plan_days
    FROM (SELECT DISTINCT media_plan_id, date FROM changed) c;

    -- A (campaign, media plan, day) loses its last row only when a row moved
    -- to another campaign or media plan (rare): only then look for such.
    IF moved THEN
        WITH gone AS (
            DELETE FROM marin.campaign_stats_daily_rollup r
            USING unnest(campaigns, firsts, lasts) AS g(campaign_id, first_day, last_day)
            WHERE r.campaign_id IS NOT DISTINCT FROM g.campaign_id AND r.date BETWEEN g.first_day AND g.last_day
              AND NOT EXISTS (SELECT 1 FROM marin.ad_stats_daily s
                              WHERE s.date = r.date AND s.campaign_id IS NOT DISTINCT FROM r.campaign_id
                                AND s.media_plan_id IS NOT DISTINCT FROM r.media_plan_id)
            RETURNING r.media_plan_id, r.date
        )
        SELECT coalesce(plans, '{}') || array_agg(media_plan_id), coalesce(plan_days, '{}') || array_agg(date)
        INTO plans, plan_days
        FROM gone;
    END IF;
    IF plans IS NULL THEN
        RETURN cardinality(campaigns);
    END IF;

    INSERT INTO marin.media_plan_stats_daily_rollup AS r
        (date, media_plan_id, ads_with_activity, ads_new_since, impressions, clicks, link_clicks, conversions, spent,
         income)
    SELECT p.date, p.media_plan_id, a.ads, a.ads_new_since, a.impressions, a.clicks, a.link_clicks, a.conversions,
           a.spent, a.income
    FROM (SELECT DISTINCT * FROM unnest(plans, plan_days) AS u(media_plan_id, date)) p
    CROSS JOIN LATERAL (
        SELECT sum(c.ads_with_activity)::integer AS ads,
               ARRAY[sum(c.ads_new_since[1]), sum(c.ads_new_since[2]), sum(c.ads_new_since[3]),
                     sum(c.ads_new_since[4]), sum(c.ads_new_since[5]), sum(c.ads_new_since[6]),
                     sum(c.ads_new_since[7])]::integer[] AS ads_new_since,
               sum(c.impressions)::bigint AS impressions,
               sum(c.clicks)::bigint AS clicks,
               sum(c.link_clicks) AS link_clicks,
               sum(c.conversions) AS conversions,
               sum(c.spent) AS spent,
               sum(c.income) AS income
        FROM (SELECT * FROM marin.campaign_stats_daily_rollup y WHERE y.media_plan_id = p.media_plan_id AND y.date = p.date
              UNION ALL
              SELECT * FROM marin.campaign_stats_daily_rollup y
              WHERE p.media_plan_id IS NULL AND y.media_plan_id IS NULL AND y.date = p.date) c
    ) a
    WHERE a.ads > 0
    ON CONFLICT (media_plan_id, date) DO UPDATE
    SET ads_with_activity = EXCLUDED.ads_with_activity, ads_new_since = EXCLUDED.ads_new_since,
        impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks, link_clicks = EXCLUDED.link_clicks,
        conversions = EXCLUDED.conversions, spent = EXCLUDED.spent, income = EXCLUDED.income;

    IF moved THEN
        DELETE FROM marin.media_plan_stats_daily_rollup r
        USING (SELECT DISTINCT * FROM unnest(plans, plan_days) AS u(media_plan_id, date)) p
        WHERE r.date = p.date AND r.media_plan_id IS NOT DISTINCT FROM p.media_plan_id
          AND NOT EXISTS (SELECT 1 FROM marin.campaign_stats_daily_rollup c
                          WHERE c.date = r.date AND c.media_plan_id IS NOT DISTINCT FROM r.media_plan_id);
    END IF;
    RETURN cardinality(campaigns);
END
$fn$;
COMMENT ON FUNCTION marin.refresh_stats_rollups(text[], date[]) IS 'Used by marin-sync after it wrote the statistics rows with the given keys (ad_ids[i], days[i]), in the same transaction: recomputes from marin.ad_stats_daily the roll-up rows those keys count in (now, and before this transaction changed them). Returns the number of campaigns whose days were recomputed.';

CREATE FUNCTION marin.rebuild_stats_rollups()
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
    n bigint;
BEGIN
    DELETE FROM marin.campaign_stats_daily_rollup;
    DELETE FROM marin.media_plan_stats_daily_rollup;
    INSERT INTO marin.campaign_stats_daily_rollup
        (date, campaign_id, media_plan_id, ads_with_activity, ads_new_since, impressions, clicks, link_clicks,
         conversions, spent, income)
    SELECT date, campaign_id, media_plan_id, count(*),
           ARRAY[count(*),
                 count(*) FILTER (WHERE gap IS NULL OR gap >= 2), count(*) FILTER (WHERE gap IS NULL OR gap >= 3),
                 count(*) FILTER (WHERE gap IS NULL OR gap >= 4), count(*) FILTER (WHERE gap IS NULL OR gap >= 5),
                 count(*) FILTER (WHERE gap IS NULL OR gap >= 6), count(*) FILTER (WHERE gap IS NULL OR gap >= 7)],
           sum(impressions), sum(clicks), sum(link_clicks), sum(app_installs + app_purchases + leads), sum(spent),
           sum(income)
    FROM (SELECT s.*, s.date - lag(s.date) OVER (PARTITION BY s.ad_id, s.campaign_id, s.media_plan_id
                                                 ORDER BY s.date) AS gap
          FROM marin.ad_stats_daily s) s
    GROUP BY date, campaign_id, media_plan_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO marin.media_plan_stats_daily_rollup
        (date, media_plan_id, ads_with_activity, ads_new_since, impressions, clicks, link_clicks, conversions, spent,
         income)
    SELECT date, media_plan_id, sum(ads_with_activity),
           ARRAY[sum(ads_new_since[1]), sum(ads_new_since[2]), sum(ads_new_since[3]), sum(ads_new_since[4]),
                 sum(ads_new_since[5]), sum(ads_new_since[6]), sum(ads_new_since[7])],
           sum(impressions), sum(clicks), sum(link_clicks), sum(conversions), sum(spent), sum(income)
    FROM marin.campaign_stats_daily_rollup
    GROUP BY date, media_plan_id;
    RETURN n;
END
$fn$;
COMMENT ON FUNCTION marin.rebuild_stats_rollups() IS 'Computes marin.campaign_stats_daily_rollup and marin.media_plan_stats_daily_rollup again from all of marin.ad_stats_daily (the migration does, and whoever loads statistics rows without marin-sync must). Returns the number of campaign roll-up rows.';
REVOKE EXECUTE ON FUNCTION marin.refresh_stats_rollups(text[], date[]), marin.rebuild_stats_rollups() FROM PUBLIC;

SELECT marin.rebuild_stats_rollups();

-- ---------------------------------------------------------------------------
-- 3. The views, as before (names, columns, types), on the new columns and
--    the roll-ups

CREATE VIEW marin.ad_stats_daily_metrics AS
SELECT s.date,
       s.ad_id,
       s.ad_set_id,
       s.campaign_id,
       s.media_plan_id,
       coalesce(acc.currency, adv.currency) AS currency,
       m.position::int AS position,
       m.metric ->> 'name' AS metric,
       marin.json_number(m.metric -> 'amount') AS amount,
       marin.json_number(m.metric -> 'number') AS number,
       m.metric ->> 'object_id' AS object_id
FROM marin.ad_stats_daily s
CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(s._raw -> 'main_metrics') WHEN 'array'
                                            THEN s._raw -> 'main_metrics' ELSE '[]'::jsonb END)
           WITH ORDINALITY AS m(metric, position)
LEFT JOIN marin.media_plans mp ON mp.id = s.media_plan_id
LEFT JOIN marin.accounts acc ON acc.id = mp.account_id
LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id;
COMMENT ON VIEW marin.ad_stats_daily_metrics IS 'main_metrics of marin.ad_stats_daily (_raw -> ''main_metrics'') in long form: one row per ad, day and metric (the API sends some twenty named metrics a row). E.g. installs per campaign and day: SELECT campaign_id, date, sum(number) FROM marin.ad_stats_daily_metrics WHERE metric = ''mobile_app_install'' GROUP BY 1, 2 (or, faster, sum(app_installs) from marin.ad_stats_daily: link_click, mobile_app_install, app_custom_event.fb_mobile_purchase and leadgen.other have columns of their own).';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.date IS 'Day of the statistics (in the account''s time zone). From ad_stats_daily.date.';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.ad_id IS 'Ad (ads.id).';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.ad_set_id IS 'Ad set (ad_sets.id); NULL for ads without an ad set (Twitter).';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.campaign_id IS 'Campaign (campaigns.id).';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.media_plan_id IS 'Media plan (media_plans.id).';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.currency IS 'Currency (ISO 4217) of amount: the account''s currency, or the advertiser''s when the account record carries none (Twitter accounts). NULL when neither is known.';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.position IS 'Position of the metric in the main_metrics array (1-based).';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.metric IS 'Metric name as the API sends it, e.g. link_click, mobile_app_install, app_custom_event.fb_mobile_purchase, leadgen.other, credit_spent. Source: main_metrics[].name.';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.amount IS 'Money value of the metric, in currency (exact numeric); e.g. revenue for app_custom_event.fb_mobile_purchase, spend for credit_spent, 0 for most. Source: main_metrics[].amount.';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.number IS 'Count of the metric''s actions (exact numeric). Source: main_metrics[].number.';
COMMENT ON COLUMN marin.ad_stats_daily_metrics.object_id IS 'Object the metric refers to, when the API names one (often empty). Source: main_metrics[].object_id.';

CREATE VIEW marin.ad_stats_daily_named AS
SELECT s.date,
       marin.reporting_week_start(s.date, adv.reporting_week) AS week_start,
       s.ad_id,
       ad.name AS ad_name,
       s.ad_set_id,
       ads.name AS ad_set_name,
       s.campaign_id,
       c.name AS campaign_name,
       s.media_plan_id,
       mp.name AS media_plan_name,
       mp.advertiser_id,
       adv.name AS advertiser_name,
       coalesce(adv.reporting_week, 'Sunday_Saturday') AS reporting_week,
       mp.account_id,
       acc.name AS account_name,
       coalesce(acc.src, mp.src) AS network,
       coalesce(acc.currency, adv.currency) AS currency,
       s.impressions,
       s.clicks,
       s.link_clicks,
       s.app_installs + s.app_purchases + s.leads AS conversions,
       s.spent,
       s.income,
       s.clicks * 100.0 / nullif(s.impressions, 0) AS ctr,
       s.link_clicks * 100.0 / nullif(s.impressions, 0) AS ctr_links,
       (s.app_installs + s.app_purchases + s.leads) * 100.0 / nullif(s.clicks, 0) AS conv_rate,
       (s.app_installs + s.app_purchases + s.leads) * 100.0 / nullif(s.link_clicks, 0) AS conv_rate_links,
       s.spent / nullif(s.clicks, 0) AS cpc,
       s.spent * 1000.0 / nullif(s.impressions, 0) AS cpm,
       s.spent / nullif(s.app_installs + s.app_purchases + s.leads, 0) AS cpa,
       (s.income - s.spent) * 100.0 / nullif(s.spent, 0) AS roi
FROM marin.ad_stats_daily s
LEFT JOIN marin.ads ad ON ad.id = s.ad_id
LEFT JOIN marin.ad_sets ads ON ads.id = s.ad_set_id
LEFT JOIN marin.campaigns c ON c.id = s.campaign_id
LEFT JOIN marin.media_plans mp ON mp.id = s.media_plan_id
LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
LEFT JOIN marin.accounts acc ON acc.id = mp.account_id;

-- Per campaign: the campaign roll-up with names (the names are the current
-- ones, joined when read).
CREATE VIEW marin.campaign_stats_daily AS
SELECT r.date,
       marin.reporting_week_start(r.date, adv.reporting_week) AS week_start,
       r.campaign_id,
       c.name AS campaign_name,
       r.media_plan_id,
       mp.name AS media_plan_name,
       mp.advertiser_id,
       adv.name AS advertiser_name,
       coalesce(adv.reporting_week, 'Sunday_Saturday') AS reporting_week,
       mp.account_id,
       acc.name AS account_name,
       coalesce(acc.src, mp.src) AS network,
       coalesce(acc.currency, adv.currency) AS currency,
       r.ads_with_activity::bigint AS ads_with_activity,
       r.impressions,
       r.clicks,
       r.link_clicks,
       r.conversions,
       r.spent,
       r.income,
       r.clicks::numeric * 100.0 / nullif(r.impressions::numeric, 0) AS ctr,
       r.link_clicks * 100.0 / nullif(r.impressions::numeric, 0) AS ctr_links,
       r.conversions * 100.0 / nullif(r.clicks::numeric, 0) AS conv_rate,
       r.conversions * 100.0 / nullif(r.link_clicks, 0) AS conv_rate_links,
       r.spent / nullif(r.clicks::numeric, 0) AS cpc,
       r.spent * 1000.0 / nullif(r.impressions::numeric, 0) AS cpm,
       r.spent / nullif(r.conversions, 0) AS cpa,
       (r.income - r.spent) * 100.0 / nullif(r.spent, 0) AS roi
FROM marin.campaign_stats_daily_rollup r
LEFT JOIN marin.campaigns c ON c.id = r.campaign_id
LEFT JOIN marin.media_plans mp ON mp.id = r.media_plan_id
LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
LEFT JOIN marin.accounts acc ON acc.id = mp.account_id;

CREATE VIEW marin.media_plan_stats_daily AS
SELECT r.date,
       marin.reporting_week_start(r.date, adv.reporting_week) AS week_start,
       r.media_plan_id,
       mp.name AS media_plan_name,
       mp.advertiser_id,
       adv.name AS advertiser_name,
       coalesce(adv.reporting_week, 'Sunday_Saturday') AS reporting_week,
       mp.account_id,
       acc.name AS account_name,
       coalesce(acc.src, mp.src) AS network,
       coalesce(acc.currency, adv.currency) AS currency,
       r.ads_with_activity::bigint AS ads_with_activity,
       r.impressions,
       r.clicks,
       r.link_clicks,
       r.conversions,
       r.spent,
       r.income,
       r.clicks::numeric * 100.0 / nullif(r.impressions::numeric, 0) AS ctr,
       r.link_clicks * 100.0 / nullif(r.impressions::numeric, 0) AS ctr_links,
       r.conversions * 100.0 / nullif(r.clicks::numeric, 0) AS conv_rate,
       r.conversions * 100.0 / nullif(r.link_clicks, 0) AS conv_rate_links,
       r.spent / nullif(r.clicks::numeric, 0) AS cpc,
       r.spent * 1000.0 / nullif(r.impressions::numeric, 0) AS cpm,
       r.spent / nullif(r.conversions, 0) AS cpa,
       (r.income - r.spent) * 100.0 / nullif(r.spent, 0) AS roi
FROM marin.media_plan_stats_daily_rollup r
LEFT JOIN marin.media_plans mp ON mp.id = r.media_plan_id
LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
LEFT JOIN marin.accounts acc ON acc.id = mp.account_id;

CREATE VIEW marin.advertiser_stats_daily AS
SELECT r.date,
       marin.reporting_week_start(r.date, adv.reporting_week) AS week_start,
       mp.advertiser_id,
       adv.name AS advertiser_name,
       coalesce(adv.reporting_week, 'Sunday_Saturday') AS reporting_week,
       coalesce(acc.currency, adv.currency) AS currency,
       count(DISTINCT r.media_plan_id) AS media_plans_with_activity,
       sum(r.ads_with_activity)::bigint AS ads_with_activity,
       sum(r.impressions)::bigint AS impressions,
       sum(r.clicks)::bigint AS clicks,
       sum(r.link_clicks) AS link_clicks,
       sum(r.conversions) AS conversions,
       sum(r.spent) AS spent,
       sum(r.income) AS income,
       sum(r.clicks) * 100.0 / nullif(sum(r.impressions), 0) AS ctr,
       sum(r.link_clicks) * 100.0 / nullif(sum(r.impressions), 0) AS ctr_links,
       sum(r.conversions) * 100.0 / nullif(sum(r.clicks), 0) AS conv_rate,
       sum(r.conversions) * 100.0 / nullif(sum(r.link_clicks), 0) AS conv_rate_links,
       sum(r.spent) / nullif(sum(r.clicks), 0) AS cpc,
       sum(r.spent) * 1000.0 / nullif(sum(r.impressions), 0) AS cpm,
       sum(r.spent) / nullif(sum(r.conversions), 0) AS cpa,
       (sum(r.income) - sum(r.spent)) * 100.0 / nullif(sum(r.spent), 0) AS roi
FROM marin.media_plan_stats_daily_rollup r
LEFT JOIN marin.media_plans mp ON mp.id = r.media_plan_id
LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
LEFT JOIN marin.accounts acc ON acc.id = mp.account_id
GROUP BY r.date, marin.reporting_week_start(r.date, adv.reporting_week), mp.advertiser_id, adv.name,
         coalesce(adv.reporting_week, 'Sunday_Saturday'), coalesce(acc.currency, adv.currency);

-- Weeks: a day o days after its week's start adds ads_new_since[o + 1],
-- the day's ads not seen earlier in that week.
CREATE VIEW marin.campaign_stats_weekly AS
SELECT week_start, week_start + 6 AS week_end, campaign_id, campaign_name, media_plan_id, media_plan_name,
       advertiser_id, advertiser_name, reporting_week, account_id, account_name, network, currency,
       count(*) AS days_with_activity,
       sum(ads_new_since[date - week_start + 1])::bigint AS ads_with_activity,
       sum(impressions)::bigint AS impressions,
       sum(clicks)::bigint AS clicks,
       sum(link_clicks) AS link_clicks,
       sum(conversions) AS conversions,
       sum(spent) AS spent,
       sum(income) AS income,
       sum(clicks) * 100.0 / nullif(sum(impressions), 0) AS ctr,
       sum(link_clicks) * 100.0 / nullif(sum(impressions), 0) AS ctr_links,
       sum(conversions) * 100.0 / nullif(sum(clicks), 0) AS conv_rate,
       sum(conversions) * 100.0 / nullif(sum(link_clicks), 0) AS conv_rate_links,
       sum(spent) / nullif(sum(clicks), 0) AS cpc,
       sum(spent) * 1000.0 / nullif(sum(impressions), 0) AS cpm,
       sum(spent) / nullif(sum(conversions), 0) AS cpa,
       (sum(income) - sum(spent)) * 100.0 / nullif(sum(spent), 0) AS roi
FROM (SELECT r.*,
             marin.reporting_week_start(r.date, adv.reporting_week) AS week_start,
             c.name AS campaign_name,
             mp.name AS media_plan_name,
             mp.advertiser_id,
             adv.name AS advertiser_name,
             coalesce(adv.reporting_week, 'Sunday_Saturday') AS reporting_week,
             mp.account_id,
             acc.name AS account_name,
             coalesce(acc.src, mp.src) AS network,
             coalesce(acc.currency, adv.currency) AS currency
      FROM marin.campaign_stats_daily_rollup r
      LEFT JOIN marin.campaigns c ON c.id = r.campaign_id
      LEFT JOIN marin.media_plans mp ON mp.id = r.media_plan_id
      LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
      LEFT JOIN marin.accounts acc ON acc.id = mp.account_id) d
GROUP BY week_start, campaign_id, campaign_name, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
         reporting_week, account_id, account_name, network, currency;

CREATE VIEW marin.media_plan_stats_weekly AS
SELECT week_start, week_start + 6 AS week_end, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
       reporting_week, account_id, account_name, network, currency,
       count(*) AS days_with_activity,
       sum(ads_new_since[date - week_start + 1])::bigint AS ads_with_activity,
       sum(impressions)::bigint AS impressions,
       sum(clicks)::bigint AS clicks,
       sum(link_clicks) AS link_clicks,
       sum(conversions) AS conversions,
       sum(spent) AS spent,
       sum(income) AS income,
       sum(clicks) * 100.0 / nullif(sum(impressions), 0) AS ctr,
       sum(link_clicks) * 100.0 / nullif(sum(impressions), 0) AS ctr_links,
       sum(conversions) * 100.0 / nullif(sum(clicks), 0) AS conv_rate,
       sum(conversions) * 100.0 / nullif(sum(link_clicks), 0) AS conv_rate_links,
       sum(spent) / nullif(sum(clicks), 0) AS cpc,
       sum(spent) * 1000.0 / nullif(sum(impressions), 0) AS cpm,
       sum(spent) / nullif(sum(conversions), 0) AS cpa,
       (sum(income) - sum(spent)) * 100.0 / nullif(sum(spent), 0) AS roi
FROM (SELECT r.*,
             marin.reporting_week_start(r.date, adv.reporting_week) AS week_start,
             mp.name AS media_plan_name,
             mp.advertiser_id,
             adv.name AS advertiser_name,
             coalesce(adv.reporting_week, 'Sunday_Saturday') AS reporting_week,
             mp.account_id,
             acc.name AS account_name,
             coalesce(acc.src, mp.src) AS network,
             coalesce(acc.currency, adv.currency) AS currency
      FROM marin.media_plan_stats_daily_rollup r
      LEFT JOIN marin.media_plans mp ON mp.id = r.media_plan_id
      LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
      LEFT JOIN marin.accounts acc ON acc.id = mp.account_id) d
GROUP BY week_start, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
         reporting_week, account_id, account_name, network, currency;

CREATE VIEW marin.advertiser_stats_weekly AS
SELECT week_start, week_start + 6 AS week_end, advertiser_id, advertiser_name, reporting_week, currency,
       count(DISTINCT date) AS days_with_activity,
       count(DISTINCT media_plan_id) AS media_plans_with_activity,
       sum(ads_new_since[date - week_start + 1])::bigint AS ads_with_activity,
       sum(impressions)::bigint AS impressions,
       sum(clicks)::bigint AS clicks,
       sum(link_clicks) AS link_clicks,
       sum(conversions) AS conversions,
       sum(spent) AS spent,
       sum(income) AS income,
       sum(clicks) * 100.0 / nullif(sum(impressions), 0) AS ctr,
       sum(link_clicks) * 100.0 / nullif(sum(impressions), 0) AS ctr_links,
       sum(conversions) * 100.0 / nullif(sum(clicks), 0) AS conv_rate,
       sum(conversions) * 100.0 / nullif(sum(link_clicks), 0) AS conv_rate_links,
       sum(spent) / nullif(sum(clicks), 0) AS cpc,
       sum(spent) * 1000.0 / nullif(sum(impressions), 0) AS cpm,
       sum(spent) / nullif(sum(conversions), 0) AS cpa,
       (sum(income) - sum(spent)) * 100.0 / nullif(sum(spent), 0) AS roi
FROM (SELECT r.*,
             marin.reporting_week_start(r.date, adv.reporting_week) AS week_start,
             mp.advertiser_id,
             adv.name AS advertiser_name,
             coalesce(adv.reporting_week, 'Sunday_Saturday') AS reporting_week,
             coalesce(acc.currency, adv.currency) AS currency
      FROM marin.media_plan_stats_daily_rollup r
      LEFT JOIN marin.media_plans mp ON mp.id = r.media_plan_id
      LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
      LEFT JOIN marin.accounts acc ON acc.id = mp.account_id) d
GROUP BY week_start, advertiser_id, advertiser_name, reporting_week, currency;

COMMENT ON VIEW marin.ad_stats_daily_named IS 'Daily statistics per ad (marin.ad_stats_daily) with the names of the ad, ad set, campaign, media plan, advertiser and account, the currency, the advertiser''s reporting week, link clicks and conversions (from the typed main_metrics columns), and ratios recomputed exactly. Includes the days of ads, campaigns, ... that were removed since (what was spent was spent). Names are the current ones.';
COMMENT ON VIEW marin.campaign_stats_daily IS 'Daily statistics per campaign: the sums of its ads'' rows (marin.campaign_stats_daily_rollup, kept by the sync; money and counts exact), ratios recomputed from the sums, names and currency as they are now. One row per campaign and day with activity.';
COMMENT ON VIEW marin.media_plan_stats_daily IS 'Daily statistics per media plan: the sums of its ads'' rows (marin.media_plan_stats_daily_rollup, kept by the sync; money and counts exact), ratios recomputed from the sums. Equals the API''s /clients/{id}/statistics?aggregate=day. One row per media plan and day with activity.';
COMMENT ON VIEW marin.advertiser_stats_daily IS 'Daily statistics per advertiser and currency: the sums of the rows of all its media plans (marin.media_plan_stats_daily_rollup; money and counts exact), ratios recomputed from the sums. An advertiser whose media plans run on accounts of different currencies has one row per currency: amounts of different currencies are never added.';
COMMENT ON VIEW marin.campaign_stats_weekly IS 'Statistics per campaign and reporting week of its advertiser (advertisers.reporting_week, e.g. Saturday_Friday: weeks run Saturday..Friday; default Sunday_Saturday): sums of marin.campaign_stats_daily_rollup (money and counts exact), ratios recomputed from the sums.';
COMMENT ON VIEW marin.media_plan_stats_weekly IS 'Statistics per media plan and reporting week of its advertiser (advertisers.reporting_week; default Sunday_Saturday): sums of marin.media_plan_stats_daily_rollup (money and counts exact), ratios recomputed from the sums.';
COMMENT ON VIEW marin.advertiser_stats_weekly IS 'Statistics per advertiser, currency and reporting week (advertisers.reporting_week, e.g. Saturday_Friday: weeks run Saturday..Friday; default Sunday_Saturday): sums of all its media plans'' rows in marin.media_plan_stats_daily_rollup (money and counts exact), ratios recomputed from the sums. One row per currency when its accounts use several.';

DO $comments$
DECLARE
    v text;
    col text;
    txt text;
    shared constant jsonb := jsonb_build_object(
        'date', 'Day of the statistics (in the account''s time zone).',
        'week_start', 'First day of the advertiser''s reporting week holding the day (marin.reporting_week_start(date, reporting_week)).',
        'week_end', 'Last day of the reporting week (week_start + 6).',
        'ad_id', 'Ad (ads.id).',
        'ad_name', 'Name of the ad (current, or as last seen when removed).',
        'ad_set_id', 'Ad set (ad_sets.id); NULL for ads without an ad set (Twitter).',
        'ad_set_name', 'Name of the ad set (current, or as last seen when removed).',
        'campaign_id', 'Campaign (campaigns.id).',
        'campaign_name', 'Name of the campaign (current, or as last seen when removed).',
        'media_plan_id', 'Media plan (media_plans.id; the API''s "client").',
        'media_plan_name', 'Name of the media plan.',
        'advertiser_id', 'Advertiser of the media plan (advertisers.id).',
        'advertiser_name', 'Name of the advertiser.',
        'reporting_week', 'The advertiser''s reporting week, e.g. Saturday_Friday (Sunday_Saturday, the API''s default, when the advertiser sets none).',
        'account_id', 'Ad-network account of the media plan (accounts.id).',
        'account_name', 'Name of the account.',
        'network', 'Ad network code: fb (Facebook/Meta), tw (Twitter/X), ... (accounts.src).',
        'currency', 'Currency (ISO 4217) of every amount in the row: the account''s currency, or the advertiser''s when the account record carries none (Twitter accounts). NULL when neither is known.',
        'ads_with_activity', 'Number of ads with a statistics row in the group (count).',
        'media_plans_with_activity', 'Number of media plans with statistics in the group (count).',
        'days_with_activity', 'Number of days of the week with statistics (count).',
        'impressions', 'Impressions (count, exact).',
        'clicks', 'Clicks (count, exact).',
        'link_clicks', 'Link clicks (count, exact): main_metrics "link_click" (ad_stats_daily.link_clicks); 0 when absent.',
        'conversions', 'Conversions (count, exact): main_metrics "mobile_app_install" + "app_custom_event.fb_mobile_purchase" + "leadgen.other" (ad_stats_daily.app_installs + app_purchases + leads); 0 when absent.',
        'spent', 'Amount spent, in currency (exact numeric sum).',
        'income', 'Income (attributed revenue), in currency (exact numeric sum).',
        'ctr', 'Click-through rate in percent: clicks / impressions x 100, from this row''s figures (numeric; NULL when no impressions).',
        'ctr_links', 'Link click-through rate in percent: link_clicks / impressions x 100 (numeric; NULL when no impressions).',
        'conv_rate', 'Conversion rate in percent: conversions / clicks x 100 (numeric; NULL when no clicks).',
        'conv_rate_links', 'Conversion rate on link clicks in percent: conversions / link_clicks x 100 (numeric; NULL when no link clicks).',
        'cpc', 'Cost per click, in currency: spent / clicks (numeric; NULL when no clicks).',
        'cpm', 'Cost per thousand impressions, in currency: spent / impressions x 1000 (numeric; NULL when no impressions).',
        'cpa', 'Cost per conversion, in currency: spent / conversions (numeric; NULL when no conversions).',
        'roi', 'Return on investment in percent: (income - spent) / spent x 100 (numeric; NULL when nothing spent).');
BEGIN
    FOREACH v IN ARRAY ARRAY['ad_stats_daily_named', 'campaign_stats_daily', 'media_plan_stats_daily',
                             'advertiser_stats_daily', 'campaign_stats_weekly', 'media_plan_stats_weekly',
                             'advertiser_stats_weekly'] LOOP
        FOR col IN SELECT attname FROM pg_attribute
                   WHERE attrelid = ('marin.' || quote_ident(v))::regclass AND attnum > 0 AND NOT attisdropped LOOP
            txt := shared ->> col;
            IF txt IS NULL THEN
                RAISE EXCEPTION 'no comment written for marin.%.%', v, col;
            END IF;
            EXECUTE format('COMMENT ON COLUMN marin.%I.%I IS %L', v, col, txt);
        END LOOP;
    END LOOP;
END
$comments$;

-- Versions and as-of, as 002 made them for every table; the versions keep
-- main_metrics (from _raw) where it was, the new columns come last.
CREATE VIEW marin.ad_stats_daily_versions AS
SELECT ad_id, date, media_plan_id, campaign_id, ad_set_id, impressions, clicks, spent, income, ctr, ctr_links,
       conv_rate, conv_rate_links, cpc, cpm, cpa, roi, _raw -> 'main_metrics' AS main_metrics, other_metrics,
       _raw, _hash, _synced_at, _removed_at,
       _synced_at AS _valid_from, NULL::timestamptz AS _valid_to, true AS _is_current,
       link_clicks, app_installs, app_purchases, leads
FROM marin.ad_stats_daily
UNION ALL
SELECT ad_id, date, media_plan_id, campaign_id, ad_set_id, impressions, clicks, spent, income, ctr, ctr_links,
       conv_rate, conv_rate_links, cpc, cpm, cpa, roi, _raw -> 'main_metrics', other_metrics,
       _raw, _hash, _synced_at, _removed_at,
       _valid_from, _valid_to, false,
       link_clicks, app_installs, app_purchases, leads
FROM marin.ad_stats_daily_history;
COMMENT ON VIEW marin.ad_stats_daily_versions IS 'Every version of the rows of marin.ad_stats_daily the mirror has seen: the current row (_is_current, valid from its _synced_at, _valid_to NULL) and the previous ones from marin.ad_stats_daily_history, each valid from _valid_from to _valid_to (exclusive). E.g. how a row changed: SELECT ... FROM marin.ad_stats_daily_versions WHERE <key> = ... ORDER BY _valid_from.';

CREATE FUNCTION marin.ad_stats_daily_as_of(at_time timestamptz, include_removed boolean DEFAULT false)
RETURNS SETOF marin.ad_stats_daily LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT ad_id, date, media_plan_id, campaign_id, ad_set_id, impressions, clicks, spent, income, ctr, ctr_links,
           conv_rate, conv_rate_links, cpc, cpm, cpa, roi, link_clicks, app_installs, app_purchases, leads,
           other_metrics, _raw, _hash, _synced_at, _removed_at
    FROM marin.ad_stats_daily WHERE _synced_at <= at_time AND (include_removed OR _removed_at IS NULL)
    UNION ALL
    SELECT ad_id, date, media_plan_id, campaign_id, ad_set_id, impressions, clicks, spent, income, ctr, ctr_links,
           conv_rate, conv_rate_links, cpc, cpm, cpa, roi, link_clicks, app_installs, app_purchases, leads,
           other_metrics, _raw, _hash, _synced_at, _removed_at
    FROM marin.ad_stats_daily_history WHERE _valid_from <= at_time AND at_time < _valid_to
      AND (include_removed OR _removed_at IS NULL)
$fn$;
COMMENT ON FUNCTION marin.ad_stats_daily_as_of(timestamptz, boolean) IS 'marin.ad_stats_daily as it was at at_time, from its history: for each row, the version that was current then (rows first seen later are absent). Rows marked removed at that time are left out unless include_removed. For a day, pass the end of it, e.g. SELECT * FROM marin.ad_stats_daily_as_of(''2024-06-01 23:59:59+00'').';

DO $version_comments$
DECLARE
    col record;
BEGIN
    FOR col IN SELECT a.attname, col_description(a.attrelid, a.attnum) AS txt
               FROM pg_attribute a
               WHERE a.attrelid = 'marin.ad_stats_daily'::regclass AND a.attnum > 0 AND NOT a.attisdropped LOOP
        EXECUTE format('COMMENT ON COLUMN marin.ad_stats_daily_versions.%I IS %L', col.attname, col.txt);
    END LOOP;
END
$version_comments$;
COMMENT ON COLUMN marin.ad_stats_daily_versions.main_metrics IS 'Actions and their value in this version: _raw -> ''main_metrics'', a JSON array of {name, amount, number, object_id} (amount in the account currency, number a count), e.g. name "link_click", "mobile_app_install", "app_custom_event.fb_mobile_purchase" (amount = income), "credit_spent" (amount = spent).';
COMMENT ON COLUMN marin.ad_stats_daily_versions._valid_from IS 'Start of the span this version was current: its _synced_at (for the current row too).';
COMMENT ON COLUMN marin.ad_stats_daily_versions._valid_to IS 'End of the span (exclusive): when a run replaced this version; NULL for the current row.';
COMMENT ON COLUMN marin.ad_stats_daily_versions._is_current IS 'True for the row as it is now in marin.ad_stats_daily, false for a previous version.';

ANALYZE marin.ad_stats_daily, marin.ad_stats_daily_history, marin.campaign_stats_daily_rollup,
        marin.media_plan_stats_daily_rollup;

-- The analysts' role reads what this file made (default privileges cover it
-- only when the role existed when 002 ran as this owner).
DO $reader$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marin_reader') THEN
        GRANT SELECT ON ALL TABLES IN SCHEMA marin TO marin_reader;
    END IF;
END
$reader$;
