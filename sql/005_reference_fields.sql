-- Fields of the reference that landed in _raw only, now typed columns; and
-- the count of listings that did not apply to their parent (issue 11).
--
-- Typed columns are filled from _raw here, so that the first run after the
-- upgrade finds every row's content unchanged: it stores the rows' new
-- hashes (which now cover these columns) without writing a version to the
-- history (see storage/merge_sql.cpp, "hash-only refresh").

ALTER TABLE marin.ad_sets ADD COLUMN adset_bid_strategy text;
ALTER TABLE marin.ad_sets_history ADD COLUMN adset_bid_strategy text;
UPDATE marin.ad_sets SET adset_bid_strategy = _raw ->> 'adset_bid_strategy'
WHERE _raw ? 'adset_bid_strategy';
UPDATE marin.ad_sets_history SET adset_bid_strategy = _raw ->> 'adset_bid_strategy'
WHERE _raw ? 'adset_bid_strategy';
COMMENT ON COLUMN marin.ad_sets.adset_bid_strategy IS 'Bid strategy of the ad set (lowest_cost_without_cap, lowest_cost_with_bid_cap, lowest_cost_with_cost_cap, target_cost). Source: API field "adset_bid_strategy".';

ALTER TABLE marin.audiences
    ADD COLUMN customer_file_source text,
    ADD COLUMN country text,
    ADD COLUMN lookalike_type text,
    ADD COLUMN origin_audience_network_id text;
ALTER TABLE marin.audiences_history
    ADD COLUMN customer_file_source text,
    ADD COLUMN country text,
    ADD COLUMN lookalike_type text,
    ADD COLUMN origin_audience_network_id text;
UPDATE marin.audiences SET customer_file_source = _raw ->> 'customer_file_source',
                           country = _raw ->> 'country',
                           lookalike_type = _raw ->> 'lookalike_type',
                           origin_audience_network_id = _raw ->> 'origin_audience_network_id'
WHERE _raw ?| ARRAY['customer_file_source', 'country', 'lookalike_type', 'origin_audience_network_id'];
UPDATE marin.audiences_history SET customer_file_source = _raw ->> 'customer_file_source',
                                   country = _raw ->> 'country',
                                   lookalike_type = _raw ->> 'lookalike_type',
                                   origin_audience_network_id = _raw ->> 'origin_audience_network_id'
WHERE _raw ?| ARRAY['customer_file_source', 'country', 'lookalike_type', 'origin_audience_network_id'];
COMMENT ON COLUMN marin.audiences.customer_file_source IS 'Source of the customer information of a customer-file audience (USER_PROVIDED_ONLY, PARTNER_PROVIDED_ONLY, BOTH_USER_AND_PARTNER_PROVIDED). Source: API field "customer_file_source".';
COMMENT ON COLUMN marin.audiences.country IS 'Country code a lookalike audience is built for (e.g. FR). Source: API field "country".';
COMMENT ON COLUMN marin.audiences.lookalike_type IS 'Kind of lookalike audience. Source: API field "lookalike_type".';
COMMENT ON COLUMN marin.audiences.origin_audience_network_id IS 'Network id of the audience a lookalike is based on. Source: API field "origin_audience_network_id".';

-- The history tables' columns say what the tables' say.
DO $history_comments$
DECLARE
    col record;
BEGIN
    FOR col IN SELECT c.relname, a.attname, col_description(a.attrelid, a.attnum) AS txt
               FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
               WHERE c.relnamespace = 'marin'::regnamespace AND c.relname IN ('ad_sets', 'audiences')
                 AND a.attname IN ('adset_bid_strategy', 'customer_file_source', 'country', 'lookalike_type',
                                   'origin_audience_network_id') LOOP
        EXECUTE format('COMMENT ON COLUMN marin.%I.%I IS %L', col.relname || '_history', col.attname, col.txt);
    END LOOP;
END
$history_comments$;

-- The views and functions of 002 over these two tables list their columns:
-- rebuilt with the new ones (current_* keeps its columns in place and adds
-- the new ones at the end; *_versions ends with _valid_from, _valid_to,
-- _is_current, so it is made again).
DO $rebuild$
DECLARE
    t text;
    cols text;
    col record;
BEGIN
    FOREACH t IN ARRAY ARRAY['ad_sets', 'audiences'] LOOP
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
        FROM pg_attribute WHERE attrelid = ('marin.' || quote_ident(t))::regclass AND attnum > 0 AND NOT attisdropped;

        EXECUTE format('CREATE OR REPLACE VIEW marin.%I AS SELECT %s FROM marin.%I WHERE _removed_at IS NULL',
                       'current_' || t, cols, t);

        EXECUTE format('DROP VIEW marin.%I', t || '_versions');
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

        EXECUTE format('CREATE OR REPLACE FUNCTION marin.%I(at_time timestamptz, include_removed boolean DEFAULT false) '
                       'RETURNS SETOF marin.%I LANGUAGE sql STABLE PARALLEL SAFE AS %L',
                       t || '_as_of', t,
                       format('SELECT %s FROM marin.%I WHERE _synced_at <= at_time '
                              'AND (include_removed OR _removed_at IS NULL) '
                              'UNION ALL '
                              'SELECT %s FROM marin.%I WHERE _valid_from <= at_time AND at_time < _valid_to '
                              'AND (include_removed OR _removed_at IS NULL)',
                              cols, t, cols, t || '_history'));

        FOR col IN SELECT a.attname, col_description(a.attrelid, a.attnum) AS txt
                   FROM pg_attribute a
                   WHERE a.attrelid = ('marin.' || quote_ident(t))::regclass AND a.attnum > 0 AND NOT a.attisdropped LOOP
            EXECUTE format('COMMENT ON COLUMN marin.%I.%I IS %L', 'current_' || t, col.attname, col.txt);
            EXECUTE format('COMMENT ON COLUMN marin.%I.%I IS %L', t || '_versions', col.attname, col.txt);
        END LOOP;
        EXECUTE format('COMMENT ON COLUMN marin.%I._valid_from IS %L', t || '_versions',
                       'Start of the span this version was current: its _synced_at (for the current row too).');
        EXECUTE format('COMMENT ON COLUMN marin.%I._valid_to IS %L', t || '_versions',
                       'End of the span (exclusive): when a run replaced this version; NULL for the current row.');
        EXECUTE format('COMMENT ON COLUMN marin.%I._is_current IS %L', t || '_versions',
                       'True for the row as it is now in marin.' || t || ', false for a previous version.');
    END LOOP;
    -- The new views are read by the analysts' role like the ones they replace.
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'marin_reader') THEN
        GRANT SELECT ON marin.ad_sets_versions, marin.audiences_versions TO marin_reader;
    END IF;
END
$rebuild$;

ALTER TABLE marin.sync_runs ADD COLUMN listings_not_applicable bigint NOT NULL DEFAULT 0;
COMMENT ON COLUMN marin.sync_runs.listings_not_applicable IS 'Child listings that did not apply to their parent: the API answered 404 (or 400, for a listing documented for one network, such as a Twitter campaign''s ad sets) while its own GET of the parent still served it. Nothing under them was removed.';
