-- marin-sync schema, version 2: the analysts' side.
--
-- Views and functions over the mirror tables of 001 (which stay the
-- contract), a read-only role marin_reader, and comments on everything this
-- file creates. Nothing here writes or changes the mirror's tables.
--
-- Money and counts stay exact everywhere: money is numeric (summed as
-- numeric), counts are bigint or numeric, never double precision. Ratios
-- are recomputed from the summed figures of each row (never averaged) as
-- numeric, NULL when their denominator is 0. Formulas (the simulator's and
-- the API's): ctr = clicks / impressions x 100; ctr_links = link_clicks /
-- impressions x 100; conv_rate = conversions / clicks x 100;
-- conv_rate_links = conversions / link_clicks x 100; cpc = spent / clicks;
-- cpm = spent / impressions x 1000; cpa = spent / conversions; roi =
-- (income - spent) / spent x 100; where link_clicks is main_metrics'
-- "link_click" and conversions are main_metrics' "mobile_app_install" +
-- "app_custom_event.fb_mobile_purchase" + "leadgen.other".
--
-- docs/schema.md is generated from the catalogue (dev/gen-schema-doc) and
-- docs/analyst-queries.md shows how to use what is here.

-- Better units on a few columns of 001 (their comments named no unit).
COMMENT ON COLUMN marin.ad_stats_daily.ctr IS 'Click-through rate in percent (clicks / impressions x 100), as the API computed it for this ad and day (double precision; 0 when no impressions). Roll-ups must recompute it: see the *_stats_* views. Source: API field "ctr".';
COMMENT ON COLUMN marin.ad_stats_daily.ctr_links IS 'Link click-through rate in percent (link clicks / impressions x 100), as the API computed it (double precision). Source: API field "ctrLinks".';
COMMENT ON COLUMN marin.ad_stats_daily.conv_rate IS 'Conversion rate in percent (conversions / clicks x 100), as the API computed it (double precision). Source: API field "convRate".';
COMMENT ON COLUMN marin.ad_stats_daily.conv_rate_links IS 'Conversion rate on link clicks in percent (conversions / link clicks x 100), as the API computed it (double precision). Source: API field "convRateLinks".';
COMMENT ON COLUMN marin.ad_stats_daily.cpc IS 'Cost per click, in the account currency, as the API computed it (double precision; 0 when no clicks). Source: API field "cpc".';
COMMENT ON COLUMN marin.ad_stats_daily.cpm IS 'Cost per thousand impressions, in the account currency, as the API computed it (double precision). Source: API field "cpm".';
COMMENT ON COLUMN marin.ad_stats_daily.cpa IS 'Cost per conversion (action), in the account currency, as the API computed it (double precision). Source: API field "cpa".';
COMMENT ON COLUMN marin.ad_stats_daily.roi IS 'Return on investment in percent ((income - spent) / spent x 100), as the API computed it (double precision). Source: API field "roi".';
COMMENT ON COLUMN marin.ad_stats_daily.main_metrics IS 'Actions and their value: a JSON array of {name, amount, number, object_id} (amount in the account currency, number a count), e.g. name "link_click", "mobile_app_install", "app_custom_event.fb_mobile_purchase" (amount = income), "credit_spent" (amount = spent). One row per ad, day and metric in marin.ad_stats_daily_metrics. Generated from _raw -> ''main_metrics''.';
COMMENT ON COLUMN marin.ad_stats_daily.other_metrics IS 'Further metrics the API sends (JSON array, usually empty). Generated from _raw -> ''other_metrics''.';
COMMENT ON COLUMN marin.advertisers.autopause_value IS 'Spend threshold that pauses delivery automatically, in the advertiser''s currency; 0 = none. Source: API field "autopause_value".';
COMMENT ON COLUMN marin.advertisers.reporting_week IS 'First and last weekday of the advertiser''s reporting week, e.g. Saturday_Friday (weeks run Saturday..Friday); the API''s default is Sunday_Saturday. marin.reporting_week_start() turns it into the first day of a day''s week. Source: API field "reporting_week".';

-- ---------------------------------------------------------------------------
-- Helpers

CREATE FUNCTION marin.reporting_week_start(day date, reporting_week text)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT day - ((extract(isodow FROM day)::int
                   - coalesce(CASE lower(left(split_part(coalesce(reporting_week, ''), '_', 1), 3))
                                  WHEN 'mon' THEN 1 WHEN 'tue' THEN 2 WHEN 'wed' THEN 3 WHEN 'thu' THEN 4
                                  WHEN 'fri' THEN 5 WHEN 'sat' THEN 6 WHEN 'sun' THEN 7
                              END, 7)
                   + 7) % 7)
$fn$;
COMMENT ON FUNCTION marin.reporting_week_start(date, text) IS 'First day of the reporting week holding day, for a reporting_week such as Saturday_Friday (weeks run Saturday..Friday: a Wednesday gives the Saturday before). The first weekday is read from the text before "_" (English day name, case-insensitive, the first three letters suffice); missing or unknown means the API''s default, Sunday_Saturday. E.g. marin.reporting_week_start(''2024-06-12'', ''Saturday_Friday'') = 2024-06-08.';

CREATE FUNCTION marin.json_number(value jsonb)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE jsonb_typeof(value)
               WHEN 'number' THEN (value #>> '{}')::numeric
               WHEN 'string' THEN CASE WHEN btrim(value #>> '{}') ~ '^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$'
                                       THEN btrim(value #>> '{}')::numeric END
           END
$fn$;
COMMENT ON FUNCTION marin.json_number(jsonb) IS 'A JSON number, or a string holding a number (the API sends both), as exact numeric; NULL for anything else (null, text, objects). E.g. marin.json_number(''"1.23"'') = 1.23.';

-- ---------------------------------------------------------------------------
-- Statistics: one row per ad and day, with names and currency

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
CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(s.main_metrics) WHEN 'array' THEN s.main_metrics
                                                                           ELSE '[]'::jsonb END)
           WITH ORDINALITY AS m(metric, position)
LEFT JOIN marin.media_plans mp ON mp.id = s.media_plan_id
LEFT JOIN marin.accounts acc ON acc.id = mp.account_id
LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id;
COMMENT ON VIEW marin.ad_stats_daily_metrics IS 'main_metrics of marin.ad_stats_daily in long form: one row per ad, day and metric (the API sends some twenty named metrics a row). E.g. installs per campaign and day: SELECT campaign_id, date, sum(number) FROM marin.ad_stats_daily_metrics WHERE metric = ''mobile_app_install'' GROUP BY 1, 2.';
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
       mm.link_clicks,
       mm.conversions,
       s.spent,
       s.income,
       s.clicks * 100.0 / nullif(s.impressions, 0) AS ctr,
       mm.link_clicks * 100.0 / nullif(s.impressions, 0) AS ctr_links,
       mm.conversions * 100.0 / nullif(s.clicks, 0) AS conv_rate,
       mm.conversions * 100.0 / nullif(mm.link_clicks, 0) AS conv_rate_links,
       s.spent / nullif(s.clicks, 0) AS cpc,
       s.spent * 1000.0 / nullif(s.impressions, 0) AS cpm,
       s.spent / nullif(mm.conversions, 0) AS cpa,
       (s.income - s.spent) * 100.0 / nullif(s.spent, 0) AS roi
FROM marin.ad_stats_daily s
CROSS JOIN LATERAL (
    SELECT coalesce(sum(marin.json_number(m -> 'number')) FILTER (WHERE m ->> 'name' = 'link_click'), 0) AS link_clicks,
           coalesce(sum(marin.json_number(m -> 'number'))
                        FILTER (WHERE m ->> 'name' IN ('mobile_app_install', 'app_custom_event.fb_mobile_purchase',
                                                       'leadgen.other')), 0) AS conversions
    FROM jsonb_array_elements(CASE jsonb_typeof(s.main_metrics) WHEN 'array' THEN s.main_metrics
                                                                 ELSE '[]'::jsonb END) AS m
) mm
LEFT JOIN marin.ads ad ON ad.id = s.ad_id
LEFT JOIN marin.ad_sets ads ON ads.id = s.ad_set_id
LEFT JOIN marin.campaigns c ON c.id = s.campaign_id
LEFT JOIN marin.media_plans mp ON mp.id = s.media_plan_id
LEFT JOIN marin.advertisers adv ON adv.id = mp.advertiser_id
LEFT JOIN marin.accounts acc ON acc.id = mp.account_id;

-- ---------------------------------------------------------------------------
-- Roll-ups by day: sums of the ad-day rows, ratios recomputed from the sums

CREATE VIEW marin.campaign_stats_daily AS
SELECT date, week_start, campaign_id, campaign_name, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
       reporting_week, account_id, account_name, network, currency,
       count(*) AS ads_with_activity,
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
FROM marin.ad_stats_daily_named
GROUP BY date, week_start, campaign_id, campaign_name, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
         reporting_week, account_id, account_name, network, currency;

CREATE VIEW marin.media_plan_stats_daily AS
SELECT date, week_start, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
       reporting_week, account_id, account_name, network, currency,
       count(*) AS ads_with_activity,
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
FROM marin.ad_stats_daily_named
GROUP BY date, week_start, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
         reporting_week, account_id, account_name, network, currency;

CREATE VIEW marin.advertiser_stats_daily AS
SELECT date, week_start, advertiser_id, advertiser_name, reporting_week, currency,
       count(DISTINCT media_plan_id) AS media_plans_with_activity,
       count(*) AS ads_with_activity,
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
FROM marin.ad_stats_daily_named
GROUP BY date, week_start, advertiser_id, advertiser_name, reporting_week, currency;

-- ---------------------------------------------------------------------------
-- Roll-ups by the advertiser's reporting week

CREATE VIEW marin.campaign_stats_weekly AS
SELECT week_start, week_start + 6 AS week_end, campaign_id, campaign_name, media_plan_id, media_plan_name,
       advertiser_id, advertiser_name, reporting_week, account_id, account_name, network, currency,
       count(DISTINCT date) AS days_with_activity,
       count(DISTINCT ad_id) AS ads_with_activity,
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
FROM marin.ad_stats_daily_named
GROUP BY week_start, campaign_id, campaign_name, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
         reporting_week, account_id, account_name, network, currency;

CREATE VIEW marin.media_plan_stats_weekly AS
SELECT week_start, week_start + 6 AS week_end, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
       reporting_week, account_id, account_name, network, currency,
       count(DISTINCT date) AS days_with_activity,
       count(DISTINCT ad_id) AS ads_with_activity,
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
FROM marin.ad_stats_daily_named
GROUP BY week_start, media_plan_id, media_plan_name, advertiser_id, advertiser_name,
         reporting_week, account_id, account_name, network, currency;

CREATE VIEW marin.advertiser_stats_weekly AS
SELECT week_start, week_start + 6 AS week_end, advertiser_id, advertiser_name, reporting_week, currency,
       count(DISTINCT date) AS days_with_activity,
       count(DISTINCT media_plan_id) AS media_plans_with_activity,
       count(DISTINCT ad_id) AS ads_with_activity,
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
FROM marin.ad_stats_daily_named
GROUP BY week_start, advertiser_id, advertiser_name, reporting_week, currency;

-- Comments of the statistics views. Columns shared by several views get one
-- text (the view's own subject in the table comment), per view and column.
COMMENT ON VIEW marin.ad_stats_daily_named IS 'Daily statistics per ad (marin.ad_stats_daily) with the names of the ad, ad set, campaign, media plan, advertiser and account, the currency, the advertiser''s reporting week, link clicks and conversions from main_metrics, and ratios recomputed exactly. Includes the days of ads, campaigns, ... that were removed since (what was spent was spent). Names are the current ones.';
COMMENT ON VIEW marin.campaign_stats_daily IS 'Daily statistics per campaign: the sums of its ads'' rows in marin.ad_stats_daily_named (money and counts exact), ratios recomputed from the sums. One row per campaign and day with activity.';
COMMENT ON VIEW marin.media_plan_stats_daily IS 'Daily statistics per media plan: the sums of its ads'' rows in marin.ad_stats_daily_named (money and counts exact), ratios recomputed from the sums. Equals the API''s /clients/{id}/statistics?aggregate=day. One row per media plan and day with activity.';
COMMENT ON VIEW marin.advertiser_stats_daily IS 'Daily statistics per advertiser and currency: the sums of the rows of all its media plans in marin.ad_stats_daily_named (money and counts exact), ratios recomputed from the sums. An advertiser whose media plans run on accounts of different currencies has one row per currency: amounts of different currencies are never added.';
COMMENT ON VIEW marin.campaign_stats_weekly IS 'Statistics per campaign and reporting week of its advertiser (advertisers.reporting_week, e.g. Saturday_Friday: weeks run Saturday..Friday; default Sunday_Saturday): sums of marin.ad_stats_daily_named (money and counts exact), ratios recomputed from the sums.';
COMMENT ON VIEW marin.media_plan_stats_weekly IS 'Statistics per media plan and reporting week of its advertiser (advertisers.reporting_week; default Sunday_Saturday): sums of marin.ad_stats_daily_named (money and counts exact), ratios recomputed from the sums.';
COMMENT ON VIEW marin.advertiser_stats_weekly IS 'Statistics per advertiser, currency and reporting week (advertisers.reporting_week, e.g. Saturday_Friday: weeks run Saturday..Friday; default Sunday_Saturday): sums of all its media plans'' rows in marin.ad_stats_daily_named (money and counts exact), ratios recomputed from the sums. One row per currency when its accounts use several.';

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
        'link_clicks', 'Link clicks (count, exact): main_metrics "link_click"; 0 when absent.',
        'conversions', 'Conversions (count, exact): main_metrics "mobile_app_install" + "app_custom_event.fb_mobile_purchase" + "leadgen.other"; 0 when absent.',
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

-- ---------------------------------------------------------------------------
-- Objects: current ones, every version, and as of a given time
--
-- For each object table T (and ad_stats_daily, versions and as-of only):
--   marin.current_T               rows the API still lists (_removed_at IS NULL)
--   marin.T_versions              the current row and its history rows, with
--                                 validity spans (_valid_from, _valid_to)
--   marin.T_as_of(timestamptz, include_removed boolean DEFAULT false)
--                                 the rows as they were at that time
-- The history tables hold every previous version with the span it was
-- current: [_valid_from, _valid_to), _valid_to being the _synced_at of the
-- version that replaced it; the current row is valid from its _synced_at.

DO $objects$
DECLARE
    t text;
    cols text;
    col record;
    object_tables constant text[] := ARRAY['accounts', 'advertisers', 'media_plans', 'campaigns', 'ad_sets', 'ads',
                                           'users', 'media_plan_users', 'funding_instruments', 'publisher_objects',
                                           'lead_forms', 'audiences', 'targeting_clusters'];
BEGIN
    FOREACH t IN ARRAY object_tables || ARRAY['ad_stats_daily'] LOOP
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
        FROM pg_attribute WHERE attrelid = ('marin.' || quote_ident(t))::regclass AND attnum > 0 AND NOT attisdropped;

        IF t = ANY (object_tables) THEN
            EXECUTE format('CREATE VIEW marin.%I AS SELECT %s FROM marin.%I WHERE _removed_at IS NULL',
                           'current_' || t, cols, t);
            EXECUTE format('COMMENT ON VIEW marin.%I IS %L', 'current_' || t,
                           format('Current %s: the rows of marin.%s that the API still lists (_removed_at IS NULL). '
                                  'Objects flagged deleted or archived by the API but still listed are included '
                                  '(see their deleted/archived columns). Same columns as marin.%s.', t, t, t));
        END IF;

        EXECUTE format('CREATE VIEW marin.%I AS '
                       'SELECT %s, _synced_at AS _valid_from, NULL::timestamptz AS _valid_to, true AS _is_current '
                       'FROM marin.%I '
                       'UNION ALL '
                       'SELECT %s, _valid_from, _valid_to, false FROM marin.%I',
                       t || '_versions', cols, t, cols, t || '_history');
        EXECUTE format('COMMENT ON VIEW marin.%I IS %L', t || '_versions',
                       format('Every version of the rows of marin.%s the mirror has seen: the current row (_is_current, '
                              'valid from its _synced_at, _valid_to NULL) and the previous ones from marin.%s_history, '
                              'each valid from _valid_from to _valid_to (exclusive). E.g. how a row changed: '
                              'SELECT ... FROM marin.%s_versions WHERE <key> = ... ORDER BY _valid_from.',
                              t, t, t));

        EXECUTE format('CREATE FUNCTION marin.%I(at_time timestamptz, include_removed boolean DEFAULT false) '
                       'RETURNS SETOF marin.%I LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                       t || '_as_of', t,
                       format('SELECT %s FROM marin.%I WHERE _synced_at <= at_time '
                              'AND (include_removed OR _removed_at IS NULL) '
                              'UNION ALL '
                              'SELECT %s FROM marin.%I WHERE _valid_from <= at_time AND at_time < _valid_to '
                              'AND (include_removed OR _removed_at IS NULL)',
                              cols, t, cols, t || '_history'));
        EXECUTE format('COMMENT ON FUNCTION marin.%I(timestamptz, boolean) IS %L', t || '_as_of',
                       format('marin.%s as it was at at_time, from its history: for each row, the version that was '
                              'current then (rows first seen later are absent). Rows marked removed at that time are '
                              'left out unless include_removed. For a day, pass the end of it, e.g. '
                              'SELECT * FROM marin.%s_as_of(''2024-06-01 23:59:59+00'').', t, t));

        FOR col IN SELECT a.attname, col_description(a.attrelid, a.attnum) AS txt
                   FROM pg_attribute a
                   WHERE a.attrelid = ('marin.' || quote_ident(t))::regclass AND a.attnum > 0 AND NOT a.attisdropped LOOP
            IF t = ANY (object_tables) THEN
                EXECUTE format('COMMENT ON COLUMN marin.%I.%I IS %L', 'current_' || t, col.attname, col.txt);
            END IF;
            EXECUTE format('COMMENT ON COLUMN marin.%I.%I IS %L', t || '_versions', col.attname, col.txt);
        END LOOP;
        EXECUTE format('COMMENT ON COLUMN marin.%I._valid_from IS %L', t || '_versions',
                       'Start of the span this version was current: its _synced_at (for the current row too).');
        EXECUTE format('COMMENT ON COLUMN marin.%I._valid_to IS %L', t || '_versions',
                       'End of the span (exclusive): when a run replaced this version; NULL for the current row.');
        EXECUTE format('COMMENT ON COLUMN marin.%I._is_current IS %L', t || '_versions',
                       'True for the row as it is now in marin.' || t || ', false for a previous version.');
    END LOOP;
END
$objects$;

-- ---------------------------------------------------------------------------
-- The analysts' role: read-only, NOLOGIN (grant it to login roles).
--
-- Roles belong to the cluster, not the database: migrate creates it only
-- where it may (superuser or CREATEROLE), and otherwise leaves a NOTICE
-- (docs/analyst-queries.md has the statements for the operator). When the
-- role exists, whoever made it, it gets read access to what is here and,
-- through default privileges, to what later migrations create.

DO $reader$
DECLARE
    may_create boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marin_reader') THEN
        SELECT rolsuper OR rolcreaterole INTO may_create FROM pg_roles WHERE rolname = current_user;
        IF NOT coalesce(may_create, false) THEN
            RAISE NOTICE 'role marin_reader not created: % may not create roles (needs CREATEROLE); '
                         'create it by hand and run the GRANTs of docs/analyst-queries.md', current_user;
            RETURN;
        END IF;
        BEGIN
            CREATE ROLE marin_reader NOLOGIN;
            COMMENT ON ROLE marin_reader IS 'Read-only access to the marin-sync mirror (schema marin): SELECT on its tables and views. NOLOGIN: grant it to the analysts'' login roles.';
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- made meanwhile by a migrate of another database of the cluster
        END;
    END IF;
    GRANT USAGE ON SCHEMA marin TO marin_reader;
    GRANT SELECT ON ALL TABLES IN SCHEMA marin TO marin_reader;
    ALTER DEFAULT PRIVILEGES IN SCHEMA marin GRANT SELECT ON TABLES TO marin_reader;
END
$reader$;
