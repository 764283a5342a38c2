-- marin-sync schema, version 1.
--
-- Written from model/table_spec.cpp (the tables as data): every mirror table
-- has the spec's columns in spec order (json_subtree columns are generated
-- from _raw), then _raw, _hash, _synced_at, _removed_at. The schema test
-- compares this file's result with the spec. Never edit an applied migration:
-- add the next numbered file.

CREATE SCHEMA IF NOT EXISTS marin;
COMMENT ON SCHEMA marin IS 'Mirror of the Marin Social API, written by marin-sync. One table per object kind (key = the API''s ids), <table>_history with previous versions, sync_runs with one row per run.';

CREATE TABLE marin.accounts (
    id text NOT NULL,
    network_id text,
    name text,
    currency text,
    timezone text,
    country text,
    active boolean,
    src text,
    funding_instruments jsonb GENERATED ALWAYS AS (_raw -> 'funding_instruments') STORED,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (id)
);
CREATE TABLE marin.accounts_history (
    id text NOT NULL,
    network_id text,
    name text,
    currency text,
    timezone text,
    country text,
    active boolean,
    src text,
    funding_instruments jsonb,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX accounts_history_key_idx ON marin.accounts_history (id, _valid_from);
COMMENT ON TABLE marin.accounts IS 'Ad-network accounts (a Facebook ad account, a Twitter account, ...) the agency token can reach. Source: GET /accounts. Key: id.';
COMMENT ON COLUMN marin.accounts.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.accounts.network_id IS 'Identifier of the object on the ad network itself. Source: API field "network_id".';
COMMENT ON COLUMN marin.accounts.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.accounts.currency IS 'Currency code (ISO 4217) of amounts. Source: API field "currency".';
COMMENT ON COLUMN marin.accounts.timezone IS 'Time zone (IANA name) of reporting days. Source: API field "timezone".';
COMMENT ON COLUMN marin.accounts.country IS 'Country code. Source: API field "country".';
COMMENT ON COLUMN marin.accounts.active IS 'False when the account was deleted on the network (deleted accounts stay listed). Source: API field "active".';
COMMENT ON COLUMN marin.accounts.src IS 'Ad network code: fb (Facebook/Meta), tw (Twitter/X) and others. Source: API field "src".';
COMMENT ON COLUMN marin.accounts.funding_instruments IS 'Funding instruments embedded in the account record (jsonb, generated from _raw). Source: generated: _raw -> ''funding_instruments''.';
COMMENT ON COLUMN marin.accounts._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.accounts._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.accounts._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.accounts._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.accounts_history IS 'Previous versions of marin.accounts: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.accounts, all plain.';
COMMENT ON COLUMN marin.accounts_history.id IS 'As marin.accounts.id in this version.';
COMMENT ON COLUMN marin.accounts_history.network_id IS 'As marin.accounts.network_id in this version.';
COMMENT ON COLUMN marin.accounts_history.name IS 'As marin.accounts.name in this version.';
COMMENT ON COLUMN marin.accounts_history.currency IS 'As marin.accounts.currency in this version.';
COMMENT ON COLUMN marin.accounts_history.timezone IS 'As marin.accounts.timezone in this version.';
COMMENT ON COLUMN marin.accounts_history.country IS 'As marin.accounts.country in this version.';
COMMENT ON COLUMN marin.accounts_history.active IS 'As marin.accounts.active in this version.';
COMMENT ON COLUMN marin.accounts_history.src IS 'As marin.accounts.src in this version.';
COMMENT ON COLUMN marin.accounts_history.funding_instruments IS 'As marin.accounts.funding_instruments in this version.';
COMMENT ON COLUMN marin.accounts_history._raw IS 'As marin.accounts._raw in this version.';
COMMENT ON COLUMN marin.accounts_history._hash IS 'As marin.accounts._hash in this version.';
COMMENT ON COLUMN marin.accounts_history._synced_at IS 'As marin.accounts._synced_at in this version.';
COMMENT ON COLUMN marin.accounts_history._removed_at IS 'As marin.accounts._removed_at in this version.';
COMMENT ON COLUMN marin.accounts_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.accounts_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.advertisers (
    id text NOT NULL,
    name text,
    currency text,
    reporting_week text,
    timezone text,
    autopause_value numeric,
    contact_name text,
    contact_mail text,
    contact_phone text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (id)
);
CREATE TABLE marin.advertisers_history (
    id text NOT NULL,
    name text,
    currency text,
    reporting_week text,
    timezone text,
    autopause_value numeric,
    contact_name text,
    contact_mail text,
    contact_phone text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX advertisers_history_key_idx ON marin.advertisers_history (id, _valid_from);
COMMENT ON TABLE marin.advertisers IS 'Advertisers (the agency''s customers). Source: GET /advertisers. Key: id.';
COMMENT ON COLUMN marin.advertisers.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.advertisers.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.advertisers.currency IS 'Currency code (ISO 4217) of amounts. Source: API field "currency".';
COMMENT ON COLUMN marin.advertisers.reporting_week IS 'First and last weekday of a reporting week, e.g. Saturday_Friday. Source: API field "reporting_week".';
COMMENT ON COLUMN marin.advertisers.timezone IS 'Time zone (IANA name) of reporting days. Source: API field "timezone".';
COMMENT ON COLUMN marin.advertisers.autopause_value IS 'Spend threshold that pauses delivery automatically, in the currency; 0 = none. Source: API field "autopause_value".';
COMMENT ON COLUMN marin.advertisers.contact_name IS 'Contact person. Source: API field "contact_name".';
COMMENT ON COLUMN marin.advertisers.contact_mail IS 'Contact e-mail. Source: API field "contact_mail".';
COMMENT ON COLUMN marin.advertisers.contact_phone IS 'Contact phone. Source: API field "contact_phone".';
COMMENT ON COLUMN marin.advertisers._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.advertisers._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.advertisers._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.advertisers._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.advertisers_history IS 'Previous versions of marin.advertisers: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.advertisers, all plain.';
COMMENT ON COLUMN marin.advertisers_history.id IS 'As marin.advertisers.id in this version.';
COMMENT ON COLUMN marin.advertisers_history.name IS 'As marin.advertisers.name in this version.';
COMMENT ON COLUMN marin.advertisers_history.currency IS 'As marin.advertisers.currency in this version.';
COMMENT ON COLUMN marin.advertisers_history.reporting_week IS 'As marin.advertisers.reporting_week in this version.';
COMMENT ON COLUMN marin.advertisers_history.timezone IS 'As marin.advertisers.timezone in this version.';
COMMENT ON COLUMN marin.advertisers_history.autopause_value IS 'As marin.advertisers.autopause_value in this version.';
COMMENT ON COLUMN marin.advertisers_history.contact_name IS 'As marin.advertisers.contact_name in this version.';
COMMENT ON COLUMN marin.advertisers_history.contact_mail IS 'As marin.advertisers.contact_mail in this version.';
COMMENT ON COLUMN marin.advertisers_history.contact_phone IS 'As marin.advertisers.contact_phone in this version.';
COMMENT ON COLUMN marin.advertisers_history._raw IS 'As marin.advertisers._raw in this version.';
COMMENT ON COLUMN marin.advertisers_history._hash IS 'As marin.advertisers._hash in this version.';
COMMENT ON COLUMN marin.advertisers_history._synced_at IS 'As marin.advertisers._synced_at in this version.';
COMMENT ON COLUMN marin.advertisers_history._removed_at IS 'As marin.advertisers._removed_at in this version.';
COMMENT ON COLUMN marin.advertisers_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.advertisers_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.media_plans (
    id text NOT NULL,
    account_id text,
    advertiser_id text,
    name text,
    io_number text,
    src text,
    general_objective text,
    deleted boolean,
    archived boolean,
    margin_type numeric,
    margin_value numeric,
    autopause_value numeric,
    account_network_id text,
    business_manager_id text,
    campaign_naming text,
    ads_naming text,
    url_reporting text,
    url_connection text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (id)
);
CREATE TABLE marin.media_plans_history (
    id text NOT NULL,
    account_id text,
    advertiser_id text,
    name text,
    io_number text,
    src text,
    general_objective text,
    deleted boolean,
    archived boolean,
    margin_type numeric,
    margin_value numeric,
    autopause_value numeric,
    account_network_id text,
    business_manager_id text,
    campaign_naming text,
    ads_naming text,
    url_reporting text,
    url_connection text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX media_plans_history_key_idx ON marin.media_plans_history (id, _valid_from);
CREATE INDEX media_plans_account_id_idx ON marin.media_plans (account_id);
CREATE INDEX media_plans_advertiser_id_idx ON marin.media_plans (advertiser_id);
COMMENT ON TABLE marin.media_plans IS 'Media plans (the API''s "clients"): an advertiser''s plan on one account, parent of campaigns. Source: GET /clients (the API calls media plans "clients"). Key: id.';
COMMENT ON COLUMN marin.media_plans.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.media_plans.account_id IS 'Account (accounts.id). Source: API field "account_id".';
COMMENT ON COLUMN marin.media_plans.advertiser_id IS 'Advertiser (advertisers.id). Source: API field "advertiser_id".';
COMMENT ON COLUMN marin.media_plans.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.media_plans.io_number IS 'Insertion order number. Source: API field "io_number".';
COMMENT ON COLUMN marin.media_plans.src IS 'Ad network code: fb (Facebook/Meta), tw (Twitter/X) and others. Source: API field "src".';
COMMENT ON COLUMN marin.media_plans.general_objective IS 'Marketing objective of the media plan. Source: API field "general_objective".';
COMMENT ON COLUMN marin.media_plans.deleted IS 'Deleted flag (deleted objects stay listed). Source: API field "deleted".';
COMMENT ON COLUMN marin.media_plans.archived IS 'Archived flag. Source: API field "archived".';
COMMENT ON COLUMN marin.media_plans.margin_type IS 'Kind of agency margin applied (code as the API sends it). Source: API field "margin_type".';
COMMENT ON COLUMN marin.media_plans.margin_value IS 'Agency margin value (percent or amount, per margin_type). Source: API field "margin_value".';
COMMENT ON COLUMN marin.media_plans.autopause_value IS 'Spend threshold that pauses delivery automatically, in the currency; 0 = none. Source: API field "autopause_value".';
COMMENT ON COLUMN marin.media_plans.account_network_id IS 'Identifier of the account on the ad network. Source: API field "account_network_id".';
COMMENT ON COLUMN marin.media_plans.business_manager_id IS 'Facebook Business Manager identifier. Source: API field "business_manager_id".';
COMMENT ON COLUMN marin.media_plans.campaign_naming IS 'Naming template for campaigns. Source: API field "campaign_naming".';
COMMENT ON COLUMN marin.media_plans.ads_naming IS 'Naming template for ads. Source: API field "ads_naming".';
COMMENT ON COLUMN marin.media_plans.url_reporting IS 'URL of the Marin Social report. Source: API field "url_reporting".';
COMMENT ON COLUMN marin.media_plans.url_connection IS 'URL of the network connection page. Source: API field "url_connection".';
COMMENT ON COLUMN marin.media_plans._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.media_plans._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.media_plans._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.media_plans._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.media_plans_history IS 'Previous versions of marin.media_plans: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.media_plans, all plain.';
COMMENT ON COLUMN marin.media_plans_history.id IS 'As marin.media_plans.id in this version.';
COMMENT ON COLUMN marin.media_plans_history.account_id IS 'As marin.media_plans.account_id in this version.';
COMMENT ON COLUMN marin.media_plans_history.advertiser_id IS 'As marin.media_plans.advertiser_id in this version.';
COMMENT ON COLUMN marin.media_plans_history.name IS 'As marin.media_plans.name in this version.';
COMMENT ON COLUMN marin.media_plans_history.io_number IS 'As marin.media_plans.io_number in this version.';
COMMENT ON COLUMN marin.media_plans_history.src IS 'As marin.media_plans.src in this version.';
COMMENT ON COLUMN marin.media_plans_history.general_objective IS 'As marin.media_plans.general_objective in this version.';
COMMENT ON COLUMN marin.media_plans_history.deleted IS 'As marin.media_plans.deleted in this version.';
COMMENT ON COLUMN marin.media_plans_history.archived IS 'As marin.media_plans.archived in this version.';
COMMENT ON COLUMN marin.media_plans_history.margin_type IS 'As marin.media_plans.margin_type in this version.';
COMMENT ON COLUMN marin.media_plans_history.margin_value IS 'As marin.media_plans.margin_value in this version.';
COMMENT ON COLUMN marin.media_plans_history.autopause_value IS 'As marin.media_plans.autopause_value in this version.';
COMMENT ON COLUMN marin.media_plans_history.account_network_id IS 'As marin.media_plans.account_network_id in this version.';
COMMENT ON COLUMN marin.media_plans_history.business_manager_id IS 'As marin.media_plans.business_manager_id in this version.';
COMMENT ON COLUMN marin.media_plans_history.campaign_naming IS 'As marin.media_plans.campaign_naming in this version.';
COMMENT ON COLUMN marin.media_plans_history.ads_naming IS 'As marin.media_plans.ads_naming in this version.';
COMMENT ON COLUMN marin.media_plans_history.url_reporting IS 'As marin.media_plans.url_reporting in this version.';
COMMENT ON COLUMN marin.media_plans_history.url_connection IS 'As marin.media_plans.url_connection in this version.';
COMMENT ON COLUMN marin.media_plans_history._raw IS 'As marin.media_plans._raw in this version.';
COMMENT ON COLUMN marin.media_plans_history._hash IS 'As marin.media_plans._hash in this version.';
COMMENT ON COLUMN marin.media_plans_history._synced_at IS 'As marin.media_plans._synced_at in this version.';
COMMENT ON COLUMN marin.media_plans_history._removed_at IS 'As marin.media_plans._removed_at in this version.';
COMMENT ON COLUMN marin.media_plans_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.media_plans_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.campaigns (
    id text NOT NULL,
    media_plan_id text,
    account_id text,
    name text,
    src text,
    status text,
    objective text,
    deleted boolean,
    archived boolean,
    start_date timestamp with time zone,
    end_date timestamp with time zone,
    budget_type text,
    budget numeric,
    daily_budget numeric,
    lifetime_budget numeric,
    funding_instrument_id text,
    special_ad_category text,
    campaign_naming text,
    ads_naming text,
    url_reporting text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (id)
);
CREATE TABLE marin.campaigns_history (
    id text NOT NULL,
    media_plan_id text,
    account_id text,
    name text,
    src text,
    status text,
    objective text,
    deleted boolean,
    archived boolean,
    start_date timestamp with time zone,
    end_date timestamp with time zone,
    budget_type text,
    budget numeric,
    daily_budget numeric,
    lifetime_budget numeric,
    funding_instrument_id text,
    special_ad_category text,
    campaign_naming text,
    ads_naming text,
    url_reporting text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX campaigns_history_key_idx ON marin.campaigns_history (id, _valid_from);
CREATE INDEX campaigns_media_plan_id_idx ON marin.campaigns (media_plan_id);
CREATE INDEX campaigns_account_id_idx ON marin.campaigns (account_id);
COMMENT ON TABLE marin.campaigns IS 'Campaigns of the media plans. Source: GET /campaigns. Key: id.';
COMMENT ON COLUMN marin.campaigns.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.campaigns.media_plan_id IS 'Media plan (media_plans.id). Source: API field "client_id".';
COMMENT ON COLUMN marin.campaigns.account_id IS 'Account (accounts.id). Source: API field "account_id".';
COMMENT ON COLUMN marin.campaigns.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.campaigns.src IS 'Ad network code: fb (Facebook/Meta), tw (Twitter/X) and others. Source: API field "src".';
COMMENT ON COLUMN marin.campaigns.status IS 'Delivery status as set by the user (e.g. active, paused). Source: API field "status".';
COMMENT ON COLUMN marin.campaigns.objective IS 'Campaign objective on the network. Source: API field "objective".';
COMMENT ON COLUMN marin.campaigns.deleted IS 'Deleted flag (deleted objects stay listed). Source: API field "deleted".';
COMMENT ON COLUMN marin.campaigns.archived IS 'Archived flag. Source: API field "archived".';
COMMENT ON COLUMN marin.campaigns.start_date IS 'Start time (timestamptz; the API sends ISO 8601 with an offset). Source: API field "start_date".';
COMMENT ON COLUMN marin.campaigns.end_date IS 'End time (timestamptz; the API sends ISO 8601 with an offset). Source: API field "end_date".';
COMMENT ON COLUMN marin.campaigns.budget_type IS 'Budget kind: daily or lifetime. Source: API field "budget_type".';
COMMENT ON COLUMN marin.campaigns.budget IS 'Budget, in the account currency. Source: API field "budget".';
COMMENT ON COLUMN marin.campaigns.daily_budget IS 'Daily budget, in the account currency. Source: API field "daily_budget".';
COMMENT ON COLUMN marin.campaigns.lifetime_budget IS 'Lifetime budget, in the account currency. Source: API field "lifetime_budget".';
COMMENT ON COLUMN marin.campaigns.funding_instrument_id IS 'Funding instrument paying for the campaign (funding_instruments.id). Source: API field "funding_instrument_id".';
COMMENT ON COLUMN marin.campaigns.special_ad_category IS 'Special ad category declared on the network (housing, credit, ...). Source: API field "special_ad_category".';
COMMENT ON COLUMN marin.campaigns.campaign_naming IS 'Naming template for campaigns. Source: API field "campaign_naming".';
COMMENT ON COLUMN marin.campaigns.ads_naming IS 'Naming template for ads. Source: API field "ads_naming".';
COMMENT ON COLUMN marin.campaigns.url_reporting IS 'URL of the Marin Social report. Source: API field "url_reporting".';
COMMENT ON COLUMN marin.campaigns._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.campaigns._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.campaigns._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.campaigns._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.campaigns_history IS 'Previous versions of marin.campaigns: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.campaigns, all plain.';
COMMENT ON COLUMN marin.campaigns_history.id IS 'As marin.campaigns.id in this version.';
COMMENT ON COLUMN marin.campaigns_history.media_plan_id IS 'As marin.campaigns.media_plan_id in this version.';
COMMENT ON COLUMN marin.campaigns_history.account_id IS 'As marin.campaigns.account_id in this version.';
COMMENT ON COLUMN marin.campaigns_history.name IS 'As marin.campaigns.name in this version.';
COMMENT ON COLUMN marin.campaigns_history.src IS 'As marin.campaigns.src in this version.';
COMMENT ON COLUMN marin.campaigns_history.status IS 'As marin.campaigns.status in this version.';
COMMENT ON COLUMN marin.campaigns_history.objective IS 'As marin.campaigns.objective in this version.';
COMMENT ON COLUMN marin.campaigns_history.deleted IS 'As marin.campaigns.deleted in this version.';
COMMENT ON COLUMN marin.campaigns_history.archived IS 'As marin.campaigns.archived in this version.';
COMMENT ON COLUMN marin.campaigns_history.start_date IS 'As marin.campaigns.start_date in this version.';
COMMENT ON COLUMN marin.campaigns_history.end_date IS 'As marin.campaigns.end_date in this version.';
COMMENT ON COLUMN marin.campaigns_history.budget_type IS 'As marin.campaigns.budget_type in this version.';
COMMENT ON COLUMN marin.campaigns_history.budget IS 'As marin.campaigns.budget in this version.';
COMMENT ON COLUMN marin.campaigns_history.daily_budget IS 'As marin.campaigns.daily_budget in this version.';
COMMENT ON COLUMN marin.campaigns_history.lifetime_budget IS 'As marin.campaigns.lifetime_budget in this version.';
COMMENT ON COLUMN marin.campaigns_history.funding_instrument_id IS 'As marin.campaigns.funding_instrument_id in this version.';
COMMENT ON COLUMN marin.campaigns_history.special_ad_category IS 'As marin.campaigns.special_ad_category in this version.';
COMMENT ON COLUMN marin.campaigns_history.campaign_naming IS 'As marin.campaigns.campaign_naming in this version.';
COMMENT ON COLUMN marin.campaigns_history.ads_naming IS 'As marin.campaigns.ads_naming in this version.';
COMMENT ON COLUMN marin.campaigns_history.url_reporting IS 'As marin.campaigns.url_reporting in this version.';
COMMENT ON COLUMN marin.campaigns_history._raw IS 'As marin.campaigns._raw in this version.';
COMMENT ON COLUMN marin.campaigns_history._hash IS 'As marin.campaigns._hash in this version.';
COMMENT ON COLUMN marin.campaigns_history._synced_at IS 'As marin.campaigns._synced_at in this version.';
COMMENT ON COLUMN marin.campaigns_history._removed_at IS 'As marin.campaigns._removed_at in this version.';
COMMENT ON COLUMN marin.campaigns_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.campaigns_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.ad_sets (
    id text NOT NULL,
    campaign_id text,
    media_plan_id text,
    name text,
    status text,
    operation_status text,
    computed_status text,
    daily_budget numeric,
    bid numeric,
    promoted_object text,
    adset_billing_event text,
    adset_optimization_goal text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (id)
);
CREATE TABLE marin.ad_sets_history (
    id text NOT NULL,
    campaign_id text,
    media_plan_id text,
    name text,
    status text,
    operation_status text,
    computed_status text,
    daily_budget numeric,
    bid numeric,
    promoted_object text,
    adset_billing_event text,
    adset_optimization_goal text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX ad_sets_history_key_idx ON marin.ad_sets_history (id, _valid_from);
CREATE INDEX ad_sets_campaign_id_idx ON marin.ad_sets (campaign_id);
CREATE INDEX ad_sets_media_plan_id_idx ON marin.ad_sets (media_plan_id);
COMMENT ON TABLE marin.ad_sets IS 'Ad sets of the campaigns (Twitter campaigns have none). Source: GET /clients/{media_plan_id}/campaigns/{campaign_id}/adsets. Key: id.';
COMMENT ON COLUMN marin.ad_sets.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.ad_sets.campaign_id IS 'Campaign (campaigns.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.ad_sets.media_plan_id IS 'Media plan (media_plans.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.ad_sets.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.ad_sets.status IS 'Delivery status as set by the user (e.g. active, paused). Source: API field "status".';
COMMENT ON COLUMN marin.ad_sets.operation_status IS 'Status of the last operation sent to the network. Source: API field "operation_status".';
COMMENT ON COLUMN marin.ad_sets.computed_status IS 'Effective status computed by Marin Social. Source: API field "computed_status".';
COMMENT ON COLUMN marin.ad_sets.daily_budget IS 'Daily budget, in the account currency. Source: API field "daily_budget".';
COMMENT ON COLUMN marin.ad_sets.bid IS 'Bid amount, in the account currency. Source: API field "bid".';
COMMENT ON COLUMN marin.ad_sets.promoted_object IS 'Identifier of the promoted object (publisher_objects.id). Source: API field "promoted_object".';
COMMENT ON COLUMN marin.ad_sets.adset_billing_event IS 'Billing event of the ad set (e.g. IMPRESSIONS). Source: API field "adset_billing_event".';
COMMENT ON COLUMN marin.ad_sets.adset_optimization_goal IS 'Optimisation goal of the ad set. Source: API field "adset_optimization_goal".';
COMMENT ON COLUMN marin.ad_sets._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.ad_sets._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.ad_sets._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.ad_sets._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.ad_sets_history IS 'Previous versions of marin.ad_sets: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.ad_sets, all plain.';
COMMENT ON COLUMN marin.ad_sets_history.id IS 'As marin.ad_sets.id in this version.';
COMMENT ON COLUMN marin.ad_sets_history.campaign_id IS 'As marin.ad_sets.campaign_id in this version.';
COMMENT ON COLUMN marin.ad_sets_history.media_plan_id IS 'As marin.ad_sets.media_plan_id in this version.';
COMMENT ON COLUMN marin.ad_sets_history.name IS 'As marin.ad_sets.name in this version.';
COMMENT ON COLUMN marin.ad_sets_history.status IS 'As marin.ad_sets.status in this version.';
COMMENT ON COLUMN marin.ad_sets_history.operation_status IS 'As marin.ad_sets.operation_status in this version.';
COMMENT ON COLUMN marin.ad_sets_history.computed_status IS 'As marin.ad_sets.computed_status in this version.';
COMMENT ON COLUMN marin.ad_sets_history.daily_budget IS 'As marin.ad_sets.daily_budget in this version.';
COMMENT ON COLUMN marin.ad_sets_history.bid IS 'As marin.ad_sets.bid in this version.';
COMMENT ON COLUMN marin.ad_sets_history.promoted_object IS 'As marin.ad_sets.promoted_object in this version.';
COMMENT ON COLUMN marin.ad_sets_history.adset_billing_event IS 'As marin.ad_sets.adset_billing_event in this version.';
COMMENT ON COLUMN marin.ad_sets_history.adset_optimization_goal IS 'As marin.ad_sets.adset_optimization_goal in this version.';
COMMENT ON COLUMN marin.ad_sets_history._raw IS 'As marin.ad_sets._raw in this version.';
COMMENT ON COLUMN marin.ad_sets_history._hash IS 'As marin.ad_sets._hash in this version.';
COMMENT ON COLUMN marin.ad_sets_history._synced_at IS 'As marin.ad_sets._synced_at in this version.';
COMMENT ON COLUMN marin.ad_sets_history._removed_at IS 'As marin.ad_sets._removed_at in this version.';
COMMENT ON COLUMN marin.ad_sets_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.ad_sets_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.ads (
    id text NOT NULL,
    ad_set_id text,
    campaign_id text,
    media_plan_id text,
    name text,
    type text,
    src text,
    status text,
    synchro_status text,
    deleted boolean,
    archived boolean,
    bid numeric,
    adset_billing_event text,
    adset_optimization_goal text,
    adset_bid_strategy text,
    headline text,
    message text,
    description text,
    url text,
    page text,
    target jsonb GENERATED ALWAYS AS (_raw -> 'target') STORED,
    placement jsonb GENERATED ALWAYS AS (_raw -> 'placement') STORED,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (id)
);
CREATE TABLE marin.ads_history (
    id text NOT NULL,
    ad_set_id text,
    campaign_id text,
    media_plan_id text,
    name text,
    type text,
    src text,
    status text,
    synchro_status text,
    deleted boolean,
    archived boolean,
    bid numeric,
    adset_billing_event text,
    adset_optimization_goal text,
    adset_bid_strategy text,
    headline text,
    message text,
    description text,
    url text,
    page text,
    target jsonb,
    placement jsonb,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX ads_history_key_idx ON marin.ads_history (id, _valid_from);
CREATE INDEX ads_ad_set_id_idx ON marin.ads (ad_set_id);
CREATE INDEX ads_campaign_id_idx ON marin.ads (campaign_id);
CREATE INDEX ads_media_plan_id_idx ON marin.ads (media_plan_id);
COMMENT ON TABLE marin.ads IS 'Ads, read per ad set (ad_set_id known) and per campaign (ad_set_id NULL when the ad set is unknown). Source: GET /clients/{media_plan_id}/campaigns/{campaign_id}/adsets/{ad_set_id}/ads and GET /clients/{media_plan_id}/campaigns/{campaign_id}/ads. Key: id.';
COMMENT ON COLUMN marin.ads.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.ads.ad_set_id IS 'Ad set (ad_sets.id); NULL when the ad was listed per campaign without its ad set. Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.ads.campaign_id IS 'Campaign (campaigns.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.ads.media_plan_id IS 'Media plan (media_plans.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.ads.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.ads.type IS 'Kind of object (as the API names it). Source: API field "type".';
COMMENT ON COLUMN marin.ads.src IS 'Ad network code: fb (Facebook/Meta), tw (Twitter/X) and others. Source: API field "src".';
COMMENT ON COLUMN marin.ads.status IS 'Delivery status as set by the user (e.g. active, paused). Source: API field "status".';
COMMENT ON COLUMN marin.ads.synchro_status IS 'Synchronisation status with the network. Source: API field "synchro_status".';
COMMENT ON COLUMN marin.ads.deleted IS 'Deleted flag (deleted objects stay listed). Source: API field "deleted".';
COMMENT ON COLUMN marin.ads.archived IS 'Archived flag. Source: API field "archived".';
COMMENT ON COLUMN marin.ads.bid IS 'Bid amount, in the account currency. Source: API field "bid".';
COMMENT ON COLUMN marin.ads.adset_billing_event IS 'Billing event of the ad set (e.g. IMPRESSIONS). Source: API field "adset_billing_event".';
COMMENT ON COLUMN marin.ads.adset_optimization_goal IS 'Optimisation goal of the ad set. Source: API field "adset_optimization_goal".';
COMMENT ON COLUMN marin.ads.adset_bid_strategy IS 'Bid strategy of the ad set. Source: API field "adset_bid_strategy".';
COMMENT ON COLUMN marin.ads.headline IS 'Ad headline. Source: API field "headline".';
COMMENT ON COLUMN marin.ads.message IS 'Ad body text. Source: API field "message".';
COMMENT ON COLUMN marin.ads.description IS 'Description. Source: API field "description".';
COMMENT ON COLUMN marin.ads.url IS 'Destination or object URL. Source: API field "url".';
COMMENT ON COLUMN marin.ads.page IS 'Page the ad is published for. Source: API field "page".';
COMMENT ON COLUMN marin.ads.target IS 'Targeting of the ad (jsonb, generated from _raw). Source: generated: _raw -> ''target''.';
COMMENT ON COLUMN marin.ads.placement IS 'Placements of the ad (jsonb, generated from _raw). Source: generated: _raw -> ''placement''.';
COMMENT ON COLUMN marin.ads._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.ads._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.ads._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.ads._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.ads_history IS 'Previous versions of marin.ads: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.ads, all plain.';
COMMENT ON COLUMN marin.ads_history.id IS 'As marin.ads.id in this version.';
COMMENT ON COLUMN marin.ads_history.ad_set_id IS 'As marin.ads.ad_set_id in this version.';
COMMENT ON COLUMN marin.ads_history.campaign_id IS 'As marin.ads.campaign_id in this version.';
COMMENT ON COLUMN marin.ads_history.media_plan_id IS 'As marin.ads.media_plan_id in this version.';
COMMENT ON COLUMN marin.ads_history.name IS 'As marin.ads.name in this version.';
COMMENT ON COLUMN marin.ads_history.type IS 'As marin.ads.type in this version.';
COMMENT ON COLUMN marin.ads_history.src IS 'As marin.ads.src in this version.';
COMMENT ON COLUMN marin.ads_history.status IS 'As marin.ads.status in this version.';
COMMENT ON COLUMN marin.ads_history.synchro_status IS 'As marin.ads.synchro_status in this version.';
COMMENT ON COLUMN marin.ads_history.deleted IS 'As marin.ads.deleted in this version.';
COMMENT ON COLUMN marin.ads_history.archived IS 'As marin.ads.archived in this version.';
COMMENT ON COLUMN marin.ads_history.bid IS 'As marin.ads.bid in this version.';
COMMENT ON COLUMN marin.ads_history.adset_billing_event IS 'As marin.ads.adset_billing_event in this version.';
COMMENT ON COLUMN marin.ads_history.adset_optimization_goal IS 'As marin.ads.adset_optimization_goal in this version.';
COMMENT ON COLUMN marin.ads_history.adset_bid_strategy IS 'As marin.ads.adset_bid_strategy in this version.';
COMMENT ON COLUMN marin.ads_history.headline IS 'As marin.ads.headline in this version.';
COMMENT ON COLUMN marin.ads_history.message IS 'As marin.ads.message in this version.';
COMMENT ON COLUMN marin.ads_history.description IS 'As marin.ads.description in this version.';
COMMENT ON COLUMN marin.ads_history.url IS 'As marin.ads.url in this version.';
COMMENT ON COLUMN marin.ads_history.page IS 'As marin.ads.page in this version.';
COMMENT ON COLUMN marin.ads_history.target IS 'As marin.ads.target in this version.';
COMMENT ON COLUMN marin.ads_history.placement IS 'As marin.ads.placement in this version.';
COMMENT ON COLUMN marin.ads_history._raw IS 'As marin.ads._raw in this version.';
COMMENT ON COLUMN marin.ads_history._hash IS 'As marin.ads._hash in this version.';
COMMENT ON COLUMN marin.ads_history._synced_at IS 'As marin.ads._synced_at in this version.';
COMMENT ON COLUMN marin.ads_history._removed_at IS 'As marin.ads._removed_at in this version.';
COMMENT ON COLUMN marin.ads_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.ads_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.users (
    id text NOT NULL,
    username text,
    email text,
    firstname text,
    lastname text,
    role text,
    created_at timestamp with time zone,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (id)
);
CREATE TABLE marin.users_history (
    id text NOT NULL,
    username text,
    email text,
    firstname text,
    lastname text,
    role text,
    created_at timestamp with time zone,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX users_history_key_idx ON marin.users_history (id, _valid_from);
COMMENT ON TABLE marin.users IS 'Users of the agency''s Marin Social workspace. Source: GET /users. Key: id.';
COMMENT ON COLUMN marin.users.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.users.username IS 'Login name. Source: API field "username".';
COMMENT ON COLUMN marin.users.email IS 'E-mail address. Source: API field "email".';
COMMENT ON COLUMN marin.users.firstname IS 'First name. Source: API field "firstname".';
COMMENT ON COLUMN marin.users.lastname IS 'Last name. Source: API field "lastname".';
COMMENT ON COLUMN marin.users.role IS 'Role in the workspace. Source: API field "role".';
COMMENT ON COLUMN marin.users.created_at IS 'Creation time (timestamptz; the API sends ISO 8601 with an offset). Source: API field "created_at".';
COMMENT ON COLUMN marin.users._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.users._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.users._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.users._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.users_history IS 'Previous versions of marin.users: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.users, all plain.';
COMMENT ON COLUMN marin.users_history.id IS 'As marin.users.id in this version.';
COMMENT ON COLUMN marin.users_history.username IS 'As marin.users.username in this version.';
COMMENT ON COLUMN marin.users_history.email IS 'As marin.users.email in this version.';
COMMENT ON COLUMN marin.users_history.firstname IS 'As marin.users.firstname in this version.';
COMMENT ON COLUMN marin.users_history.lastname IS 'As marin.users.lastname in this version.';
COMMENT ON COLUMN marin.users_history.role IS 'As marin.users.role in this version.';
COMMENT ON COLUMN marin.users_history.created_at IS 'As marin.users.created_at in this version.';
COMMENT ON COLUMN marin.users_history._raw IS 'As marin.users._raw in this version.';
COMMENT ON COLUMN marin.users_history._hash IS 'As marin.users._hash in this version.';
COMMENT ON COLUMN marin.users_history._synced_at IS 'As marin.users._synced_at in this version.';
COMMENT ON COLUMN marin.users_history._removed_at IS 'As marin.users._removed_at in this version.';
COMMENT ON COLUMN marin.users_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.users_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.media_plan_users (
    media_plan_id text NOT NULL,
    user_id text NOT NULL,
    username text,
    email text,
    firstname text,
    lastname text,
    role text,
    created_at timestamp with time zone,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (media_plan_id, user_id)
);
CREATE TABLE marin.media_plan_users_history (
    media_plan_id text NOT NULL,
    user_id text NOT NULL,
    username text,
    email text,
    firstname text,
    lastname text,
    role text,
    created_at timestamp with time zone,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX media_plan_users_history_key_idx ON marin.media_plan_users_history (media_plan_id, user_id, _valid_from);
CREATE INDEX media_plan_users_user_id_idx ON marin.media_plan_users (user_id);
COMMENT ON TABLE marin.media_plan_users IS 'Users who manage a media plan (one row per media plan and user). Source: GET /clients/{media_plan_id}/users. Key: media_plan_id, user_id.';
COMMENT ON COLUMN marin.media_plan_users.media_plan_id IS 'Media plan (media_plans.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.media_plan_users.user_id IS 'User (users.id). Source: API field "id".';
COMMENT ON COLUMN marin.media_plan_users.username IS 'Login name. Source: API field "username".';
COMMENT ON COLUMN marin.media_plan_users.email IS 'E-mail address. Source: API field "email".';
COMMENT ON COLUMN marin.media_plan_users.firstname IS 'First name. Source: API field "firstname".';
COMMENT ON COLUMN marin.media_plan_users.lastname IS 'Last name. Source: API field "lastname".';
COMMENT ON COLUMN marin.media_plan_users.role IS 'Role in the workspace. Source: API field "role".';
COMMENT ON COLUMN marin.media_plan_users.created_at IS 'Creation time (timestamptz; the API sends ISO 8601 with an offset). Source: API field "created_at".';
COMMENT ON COLUMN marin.media_plan_users._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.media_plan_users._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.media_plan_users._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.media_plan_users._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.media_plan_users_history IS 'Previous versions of marin.media_plan_users: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.media_plan_users, all plain.';
COMMENT ON COLUMN marin.media_plan_users_history.media_plan_id IS 'As marin.media_plan_users.media_plan_id in this version.';
COMMENT ON COLUMN marin.media_plan_users_history.user_id IS 'As marin.media_plan_users.user_id in this version.';
COMMENT ON COLUMN marin.media_plan_users_history.username IS 'As marin.media_plan_users.username in this version.';
COMMENT ON COLUMN marin.media_plan_users_history.email IS 'As marin.media_plan_users.email in this version.';
COMMENT ON COLUMN marin.media_plan_users_history.firstname IS 'As marin.media_plan_users.firstname in this version.';
COMMENT ON COLUMN marin.media_plan_users_history.lastname IS 'As marin.media_plan_users.lastname in this version.';
COMMENT ON COLUMN marin.media_plan_users_history.role IS 'As marin.media_plan_users.role in this version.';
COMMENT ON COLUMN marin.media_plan_users_history.created_at IS 'As marin.media_plan_users.created_at in this version.';
COMMENT ON COLUMN marin.media_plan_users_history._raw IS 'As marin.media_plan_users._raw in this version.';
COMMENT ON COLUMN marin.media_plan_users_history._hash IS 'As marin.media_plan_users._hash in this version.';
COMMENT ON COLUMN marin.media_plan_users_history._synced_at IS 'As marin.media_plan_users._synced_at in this version.';
COMMENT ON COLUMN marin.media_plan_users_history._removed_at IS 'As marin.media_plan_users._removed_at in this version.';
COMMENT ON COLUMN marin.media_plan_users_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.media_plan_users_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.funding_instruments (
    account_id text NOT NULL,
    id text NOT NULL,
    description text,
    currency text,
    start_date timestamp with time zone,
    end_date timestamp with time zone,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (account_id, id)
);
CREATE TABLE marin.funding_instruments_history (
    account_id text NOT NULL,
    id text NOT NULL,
    description text,
    currency text,
    start_date timestamp with time zone,
    end_date timestamp with time zone,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX funding_instruments_history_key_idx ON marin.funding_instruments_history (account_id, id, _valid_from);
COMMENT ON TABLE marin.funding_instruments IS 'Funding instruments (payment methods, credit lines) of an account. Source: GET /accounts/{account_id}/funding-instruments. Key: account_id, id.';
COMMENT ON COLUMN marin.funding_instruments.account_id IS 'Account (accounts.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.funding_instruments.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.funding_instruments.description IS 'Description. Source: API field "description".';
COMMENT ON COLUMN marin.funding_instruments.currency IS 'Currency code (ISO 4217) of amounts. Source: API field "currency".';
COMMENT ON COLUMN marin.funding_instruments.start_date IS 'Start time (timestamptz; the API sends ISO 8601 with an offset). Source: API field "start_date".';
COMMENT ON COLUMN marin.funding_instruments.end_date IS 'End time (timestamptz; the API sends ISO 8601 with an offset). Source: API field "end_date".';
COMMENT ON COLUMN marin.funding_instruments._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.funding_instruments._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.funding_instruments._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.funding_instruments._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.funding_instruments_history IS 'Previous versions of marin.funding_instruments: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.funding_instruments, all plain.';
COMMENT ON COLUMN marin.funding_instruments_history.account_id IS 'As marin.funding_instruments.account_id in this version.';
COMMENT ON COLUMN marin.funding_instruments_history.id IS 'As marin.funding_instruments.id in this version.';
COMMENT ON COLUMN marin.funding_instruments_history.description IS 'As marin.funding_instruments.description in this version.';
COMMENT ON COLUMN marin.funding_instruments_history.currency IS 'As marin.funding_instruments.currency in this version.';
COMMENT ON COLUMN marin.funding_instruments_history.start_date IS 'As marin.funding_instruments.start_date in this version.';
COMMENT ON COLUMN marin.funding_instruments_history.end_date IS 'As marin.funding_instruments.end_date in this version.';
COMMENT ON COLUMN marin.funding_instruments_history._raw IS 'As marin.funding_instruments._raw in this version.';
COMMENT ON COLUMN marin.funding_instruments_history._hash IS 'As marin.funding_instruments._hash in this version.';
COMMENT ON COLUMN marin.funding_instruments_history._synced_at IS 'As marin.funding_instruments._synced_at in this version.';
COMMENT ON COLUMN marin.funding_instruments_history._removed_at IS 'As marin.funding_instruments._removed_at in this version.';
COMMENT ON COLUMN marin.funding_instruments_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.funding_instruments_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.publisher_objects (
    account_id text NOT NULL,
    id text NOT NULL,
    name text,
    network_id text,
    type text,
    picture text,
    url text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (account_id, id)
);
CREATE TABLE marin.publisher_objects_history (
    account_id text NOT NULL,
    id text NOT NULL,
    name text,
    network_id text,
    type text,
    picture text,
    url text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX publisher_objects_history_key_idx ON marin.publisher_objects_history (account_id, id, _valid_from);
COMMENT ON TABLE marin.publisher_objects IS 'Publisher objects of an account (pages, apps, handles ads can promote). Source: GET /accounts/{account_id}/objects. Key: account_id, id.';
COMMENT ON COLUMN marin.publisher_objects.account_id IS 'Account (accounts.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.publisher_objects.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.publisher_objects.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.publisher_objects.network_id IS 'Identifier of the object on the ad network itself. Source: API field "network_id".';
COMMENT ON COLUMN marin.publisher_objects.type IS 'Kind of object (as the API names it). Source: API field "type".';
COMMENT ON COLUMN marin.publisher_objects.picture IS 'Picture URL. Source: API field "picture".';
COMMENT ON COLUMN marin.publisher_objects.url IS 'Destination or object URL. Source: API field "url".';
COMMENT ON COLUMN marin.publisher_objects._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.publisher_objects._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.publisher_objects._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.publisher_objects._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.publisher_objects_history IS 'Previous versions of marin.publisher_objects: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.publisher_objects, all plain.';
COMMENT ON COLUMN marin.publisher_objects_history.account_id IS 'As marin.publisher_objects.account_id in this version.';
COMMENT ON COLUMN marin.publisher_objects_history.id IS 'As marin.publisher_objects.id in this version.';
COMMENT ON COLUMN marin.publisher_objects_history.name IS 'As marin.publisher_objects.name in this version.';
COMMENT ON COLUMN marin.publisher_objects_history.network_id IS 'As marin.publisher_objects.network_id in this version.';
COMMENT ON COLUMN marin.publisher_objects_history.type IS 'As marin.publisher_objects.type in this version.';
COMMENT ON COLUMN marin.publisher_objects_history.picture IS 'As marin.publisher_objects.picture in this version.';
COMMENT ON COLUMN marin.publisher_objects_history.url IS 'As marin.publisher_objects.url in this version.';
COMMENT ON COLUMN marin.publisher_objects_history._raw IS 'As marin.publisher_objects._raw in this version.';
COMMENT ON COLUMN marin.publisher_objects_history._hash IS 'As marin.publisher_objects._hash in this version.';
COMMENT ON COLUMN marin.publisher_objects_history._synced_at IS 'As marin.publisher_objects._synced_at in this version.';
COMMENT ON COLUMN marin.publisher_objects_history._removed_at IS 'As marin.publisher_objects._removed_at in this version.';
COMMENT ON COLUMN marin.publisher_objects_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.publisher_objects_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.lead_forms (
    account_id text NOT NULL,
    id text NOT NULL,
    name text,
    network_id text,
    locale text,
    csv_url text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (account_id, id)
);
CREATE TABLE marin.lead_forms_history (
    account_id text NOT NULL,
    id text NOT NULL,
    name text,
    network_id text,
    locale text,
    csv_url text,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX lead_forms_history_key_idx ON marin.lead_forms_history (account_id, id, _valid_from);
COMMENT ON TABLE marin.lead_forms IS 'Lead-generation forms of an account. Source: GET /accounts/{account_id}/lead-forms. Key: account_id, id.';
COMMENT ON COLUMN marin.lead_forms.account_id IS 'Account (accounts.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.lead_forms.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.lead_forms.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.lead_forms.network_id IS 'Identifier of the object on the ad network itself. Source: API field "network_id".';
COMMENT ON COLUMN marin.lead_forms.locale IS 'Locale of the form. Source: API field "locale".';
COMMENT ON COLUMN marin.lead_forms.csv_url IS 'URL of the leads CSV export. Source: API field "csv_url".';
COMMENT ON COLUMN marin.lead_forms._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.lead_forms._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.lead_forms._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.lead_forms._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.lead_forms_history IS 'Previous versions of marin.lead_forms: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.lead_forms, all plain.';
COMMENT ON COLUMN marin.lead_forms_history.account_id IS 'As marin.lead_forms.account_id in this version.';
COMMENT ON COLUMN marin.lead_forms_history.id IS 'As marin.lead_forms.id in this version.';
COMMENT ON COLUMN marin.lead_forms_history.name IS 'As marin.lead_forms.name in this version.';
COMMENT ON COLUMN marin.lead_forms_history.network_id IS 'As marin.lead_forms.network_id in this version.';
COMMENT ON COLUMN marin.lead_forms_history.locale IS 'As marin.lead_forms.locale in this version.';
COMMENT ON COLUMN marin.lead_forms_history.csv_url IS 'As marin.lead_forms.csv_url in this version.';
COMMENT ON COLUMN marin.lead_forms_history._raw IS 'As marin.lead_forms._raw in this version.';
COMMENT ON COLUMN marin.lead_forms_history._hash IS 'As marin.lead_forms._hash in this version.';
COMMENT ON COLUMN marin.lead_forms_history._synced_at IS 'As marin.lead_forms._synced_at in this version.';
COMMENT ON COLUMN marin.lead_forms_history._removed_at IS 'As marin.lead_forms._removed_at in this version.';
COMMENT ON COLUMN marin.lead_forms_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.lead_forms_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.audiences (
    account_id text NOT NULL,
    id text NOT NULL,
    name text,
    description text,
    type text,
    network_id text,
    nb_users bigint,
    created_at timestamp with time zone,
    rule jsonb GENERATED ALWAYS AS (_raw -> 'rule') STORED,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (account_id, id)
);
CREATE TABLE marin.audiences_history (
    account_id text NOT NULL,
    id text NOT NULL,
    name text,
    description text,
    type text,
    network_id text,
    nb_users bigint,
    created_at timestamp with time zone,
    rule jsonb,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX audiences_history_key_idx ON marin.audiences_history (account_id, id, _valid_from);
COMMENT ON TABLE marin.audiences IS 'Custom audiences of an account. Source: GET /accounts/{account_id}/audiences. Key: account_id, id.';
COMMENT ON COLUMN marin.audiences.account_id IS 'Account (accounts.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.audiences.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.audiences.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.audiences.description IS 'Description. Source: API field "description".';
COMMENT ON COLUMN marin.audiences.type IS 'Kind of object (as the API names it). Source: API field "type".';
COMMENT ON COLUMN marin.audiences.network_id IS 'Identifier of the object on the ad network itself. Source: API field "network_id".';
COMMENT ON COLUMN marin.audiences.nb_users IS 'Audience size (number of users). Source: API field "nb_users".';
COMMENT ON COLUMN marin.audiences.created_at IS 'Creation time (timestamptz; the API sends ISO 8601 with an offset). Source: API field "created_at".';
COMMENT ON COLUMN marin.audiences.rule IS 'Audience rule (jsonb, generated from _raw). Source: generated: _raw -> ''rule''.';
COMMENT ON COLUMN marin.audiences._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.audiences._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.audiences._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.audiences._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.audiences_history IS 'Previous versions of marin.audiences: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.audiences, all plain.';
COMMENT ON COLUMN marin.audiences_history.account_id IS 'As marin.audiences.account_id in this version.';
COMMENT ON COLUMN marin.audiences_history.id IS 'As marin.audiences.id in this version.';
COMMENT ON COLUMN marin.audiences_history.name IS 'As marin.audiences.name in this version.';
COMMENT ON COLUMN marin.audiences_history.description IS 'As marin.audiences.description in this version.';
COMMENT ON COLUMN marin.audiences_history.type IS 'As marin.audiences.type in this version.';
COMMENT ON COLUMN marin.audiences_history.network_id IS 'As marin.audiences.network_id in this version.';
COMMENT ON COLUMN marin.audiences_history.nb_users IS 'As marin.audiences.nb_users in this version.';
COMMENT ON COLUMN marin.audiences_history.created_at IS 'As marin.audiences.created_at in this version.';
COMMENT ON COLUMN marin.audiences_history.rule IS 'As marin.audiences.rule in this version.';
COMMENT ON COLUMN marin.audiences_history._raw IS 'As marin.audiences._raw in this version.';
COMMENT ON COLUMN marin.audiences_history._hash IS 'As marin.audiences._hash in this version.';
COMMENT ON COLUMN marin.audiences_history._synced_at IS 'As marin.audiences._synced_at in this version.';
COMMENT ON COLUMN marin.audiences_history._removed_at IS 'As marin.audiences._removed_at in this version.';
COMMENT ON COLUMN marin.audiences_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.audiences_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.targeting_clusters (
    account_id text NOT NULL,
    id text NOT NULL,
    name text,
    targets jsonb GENERATED ALWAYS AS (_raw -> 'targets') STORED,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (account_id, id)
);
CREATE TABLE marin.targeting_clusters_history (
    account_id text NOT NULL,
    id text NOT NULL,
    name text,
    targets jsonb,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX targeting_clusters_history_key_idx ON marin.targeting_clusters_history (account_id, id, _valid_from);
COMMENT ON TABLE marin.targeting_clusters IS 'Saved targeting clusters of an account. Source: GET /accounts/{account_id}/targeting-clusters. Key: account_id, id.';
COMMENT ON COLUMN marin.targeting_clusters.account_id IS 'Account (accounts.id). Source: from the request path (the record does not carry it).';
COMMENT ON COLUMN marin.targeting_clusters.id IS 'Identifier of the object, as the API sends it (text, even when the API sends a number). Source: API field "id".';
COMMENT ON COLUMN marin.targeting_clusters.name IS 'Name. Source: API field "name".';
COMMENT ON COLUMN marin.targeting_clusters.targets IS 'Targets of the cluster (jsonb, generated from _raw). Source: generated: _raw -> ''targets''.';
COMMENT ON COLUMN marin.targeting_clusters._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.targeting_clusters._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.targeting_clusters._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.targeting_clusters._removed_at IS 'Set when a complete listing of its parent no longer held the row, or when its parent was removed; NULL while the API lists it (cleared when it comes back). Rows are never deleted.';
COMMENT ON TABLE marin.targeting_clusters_history IS 'Previous versions of marin.targeting_clusters: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.targeting_clusters, all plain.';
COMMENT ON COLUMN marin.targeting_clusters_history.account_id IS 'As marin.targeting_clusters.account_id in this version.';
COMMENT ON COLUMN marin.targeting_clusters_history.id IS 'As marin.targeting_clusters.id in this version.';
COMMENT ON COLUMN marin.targeting_clusters_history.name IS 'As marin.targeting_clusters.name in this version.';
COMMENT ON COLUMN marin.targeting_clusters_history.targets IS 'As marin.targeting_clusters.targets in this version.';
COMMENT ON COLUMN marin.targeting_clusters_history._raw IS 'As marin.targeting_clusters._raw in this version.';
COMMENT ON COLUMN marin.targeting_clusters_history._hash IS 'As marin.targeting_clusters._hash in this version.';
COMMENT ON COLUMN marin.targeting_clusters_history._synced_at IS 'As marin.targeting_clusters._synced_at in this version.';
COMMENT ON COLUMN marin.targeting_clusters_history._removed_at IS 'As marin.targeting_clusters._removed_at in this version.';
COMMENT ON COLUMN marin.targeting_clusters_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.targeting_clusters_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.ad_stats_daily (
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
    main_metrics jsonb GENERATED ALWAYS AS (_raw -> 'main_metrics') STORED,
    other_metrics jsonb GENERATED ALWAYS AS (_raw -> 'other_metrics') STORED,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    PRIMARY KEY (ad_id, date)
);
CREATE TABLE marin.ad_stats_daily_history (
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
    main_metrics jsonb,
    other_metrics jsonb,
    _raw jsonb COMPRESSION lz4 NOT NULL,
    _hash text NOT NULL,
    _synced_at timestamp with time zone NOT NULL,
    _removed_at timestamp with time zone,
    _valid_from timestamp with time zone NOT NULL,
    _valid_to timestamp with time zone NOT NULL
);
CREATE INDEX ad_stats_daily_history_key_idx ON marin.ad_stats_daily_history (ad_id, date, _valid_from);
CREATE INDEX ad_stats_daily_media_plan_id_idx ON marin.ad_stats_daily (media_plan_id);
CREATE INDEX ad_stats_daily_campaign_id_idx ON marin.ad_stats_daily (campaign_id);
CREATE INDEX ad_stats_daily_ad_set_id_idx ON marin.ad_stats_daily (ad_set_id);
COMMENT ON TABLE marin.ad_stats_daily IS 'Daily delivery statistics per ad (one row per ad and day, the day in the account''s time zone). Recent days are restated by the networks: a changed day overwrites its row (previous figures in ad_stats_daily_history). Never marked removed. Source: GET /clients/{media_plan_id}/statistics?level=ad&aggregate=day. Key: ad_id, date.';
COMMENT ON COLUMN marin.ad_stats_daily.ad_id IS 'Ad (ads.id). Source: API field "ad_id".';
COMMENT ON COLUMN marin.ad_stats_daily.date IS 'Day of the statistics (first day of the bucket, in the account time zone). Source: API field "date".';
COMMENT ON COLUMN marin.ad_stats_daily.media_plan_id IS 'Media plan (media_plans.id). Source: API field "client_id".';
COMMENT ON COLUMN marin.ad_stats_daily.campaign_id IS 'Campaign (campaigns.id). Source: API field "campaign_id".';
COMMENT ON COLUMN marin.ad_stats_daily.ad_set_id IS 'Ad set (ad_sets.id); NULL for ads without an ad set. Source: API field "adset_id".';
COMMENT ON COLUMN marin.ad_stats_daily.impressions IS 'Impressions (count). Source: API field "impression".';
COMMENT ON COLUMN marin.ad_stats_daily.clicks IS 'Clicks (count). Source: API field "click".';
COMMENT ON COLUMN marin.ad_stats_daily.spent IS 'Amount spent, in the account currency. Source: API field "spent".';
COMMENT ON COLUMN marin.ad_stats_daily.income IS 'Income (revenue attributed), in the account currency. Source: API field "income".';
COMMENT ON COLUMN marin.ad_stats_daily.ctr IS 'Click-through rate as the API computes it. Source: API field "ctr".';
COMMENT ON COLUMN marin.ad_stats_daily.ctr_links IS 'Link click-through rate. Source: API field "ctrLinks".';
COMMENT ON COLUMN marin.ad_stats_daily.conv_rate IS 'Conversion rate. Source: API field "convRate".';
COMMENT ON COLUMN marin.ad_stats_daily.conv_rate_links IS 'Conversion rate on link clicks. Source: API field "convRateLinks".';
COMMENT ON COLUMN marin.ad_stats_daily.cpc IS 'Cost per click, in the account currency. Source: API field "cpc".';
COMMENT ON COLUMN marin.ad_stats_daily.cpm IS 'Cost per thousand impressions, in the account currency. Source: API field "cpm".';
COMMENT ON COLUMN marin.ad_stats_daily.cpa IS 'Cost per action, in the account currency. Source: API field "cpa".';
COMMENT ON COLUMN marin.ad_stats_daily.roi IS 'Return on investment. Source: API field "roi".';
COMMENT ON COLUMN marin.ad_stats_daily.main_metrics IS 'Main metrics object (jsonb, generated from _raw). Source: generated: _raw -> ''main_metrics''.';
COMMENT ON COLUMN marin.ad_stats_daily.other_metrics IS 'Other metrics object (jsonb, generated from _raw). Source: generated: _raw -> ''other_metrics''.';
COMMENT ON COLUMN marin.ad_stats_daily._raw IS 'The record exactly as the API sent it (values PostgreSQL cannot store, such as NUL characters, made safe; counted in sync_runs.sanitized_values).';
COMMENT ON COLUMN marin.ad_stats_daily._hash IS 'Hex digest of the typed values and _raw, computed by marin-sync: equal hashes mean an unchanged row, which a sync leaves untouched.';
COMMENT ON COLUMN marin.ad_stats_daily._synced_at IS 'When a run last wrote this row: first seen, changed, marked removed or back again. A run that finds it unchanged leaves it alone.';
COMMENT ON COLUMN marin.ad_stats_daily._removed_at IS 'Always NULL: statistics rows are never marked removed (a restated day overwrites its row).';
COMMENT ON TABLE marin.ad_stats_daily_history IS 'Previous versions of marin.ad_stats_daily: each row is a version that was current from _valid_from to _valid_to (when a run changed, removed or revived it). Same columns as marin.ad_stats_daily, all plain.';
COMMENT ON COLUMN marin.ad_stats_daily_history.ad_id IS 'As marin.ad_stats_daily.ad_id in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.date IS 'As marin.ad_stats_daily.date in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.media_plan_id IS 'As marin.ad_stats_daily.media_plan_id in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.campaign_id IS 'As marin.ad_stats_daily.campaign_id in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.ad_set_id IS 'As marin.ad_stats_daily.ad_set_id in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.impressions IS 'As marin.ad_stats_daily.impressions in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.clicks IS 'As marin.ad_stats_daily.clicks in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.spent IS 'As marin.ad_stats_daily.spent in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.income IS 'As marin.ad_stats_daily.income in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.ctr IS 'As marin.ad_stats_daily.ctr in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.ctr_links IS 'As marin.ad_stats_daily.ctr_links in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.conv_rate IS 'As marin.ad_stats_daily.conv_rate in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.conv_rate_links IS 'As marin.ad_stats_daily.conv_rate_links in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.cpc IS 'As marin.ad_stats_daily.cpc in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.cpm IS 'As marin.ad_stats_daily.cpm in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.cpa IS 'As marin.ad_stats_daily.cpa in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.roi IS 'As marin.ad_stats_daily.roi in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.main_metrics IS 'As marin.ad_stats_daily.main_metrics in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history.other_metrics IS 'As marin.ad_stats_daily.other_metrics in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history._raw IS 'As marin.ad_stats_daily._raw in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history._hash IS 'As marin.ad_stats_daily._hash in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history._synced_at IS 'As marin.ad_stats_daily._synced_at in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history._removed_at IS 'As marin.ad_stats_daily._removed_at in this version.';
COMMENT ON COLUMN marin.ad_stats_daily_history._valid_from IS 'Start of the span this version was current (its _synced_at).';
COMMENT ON COLUMN marin.ad_stats_daily_history._valid_to IS 'End of the span (exclusive): when a run replaced this version.';

CREATE TABLE marin.sync_runs (
    run_id bigserial PRIMARY KEY,
    mode text NOT NULL,
    started_at timestamp with time zone NOT NULL DEFAULT now(),
    finished_at timestamp with time zone,
    outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed', 'interrupted')),
    requests jsonb NOT NULL DEFAULT '{}',
    rows jsonb NOT NULL DEFAULT '{}',
    retries bigint NOT NULL DEFAULT 0,
    sanitized_values bigint NOT NULL DEFAULT 0,
    error text,
    host text NOT NULL DEFAULT '',
    process_id bigint NOT NULL DEFAULT 0,
    version text NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_started_at_idx ON marin.sync_runs (started_at);
COMMENT ON TABLE marin.sync_runs IS 'One row per run of marin-sync (sync or a scheduled run of the daemon): what it read and wrote. marin-sync status prints it.';
COMMENT ON COLUMN marin.sync_runs.run_id IS 'Run number, increasing.';
COMMENT ON COLUMN marin.sync_runs.mode IS 'full (re-reads everything and reconciles removals) or incremental.';
COMMENT ON COLUMN marin.sync_runs.started_at IS 'When the run began.';
COMMENT ON COLUMN marin.sync_runs.finished_at IS 'When the run ended; NULL while running (or if its process died before recording it).';
COMMENT ON COLUMN marin.sync_runs.outcome IS 'running, succeeded, failed (ended by an error; what was written stays written) or interrupted (stopped by a signal, or found abandoned by a later run).';
COMMENT ON COLUMN marin.sync_runs.requests IS 'API responses by HTTP status, e.g. {"200": 1520, "429": 3}; "0" counts requests that got no response.';
COMMENT ON COLUMN marin.sync_runs.rows IS 'Per table: {"ads": {"read": n, "inserted": n, "changed": n, "unchanged": n, "removed": n}, ...}. read = records received; removed includes cascades.';
COMMENT ON COLUMN marin.sync_runs.retries IS 'Requests retried (429, 5xx, transport errors).';
COMMENT ON COLUMN marin.sync_runs.sanitized_values IS 'Values PostgreSQL could not store as sent (e.g. NUL characters) that were made safe in _raw.';
COMMENT ON COLUMN marin.sync_runs.error IS 'What ended a failed or interrupted run; NULL on success.';
COMMENT ON COLUMN marin.sync_runs.host IS 'Host name of the process that ran it.';
COMMENT ON COLUMN marin.sync_runs.process_id IS 'Operating-system process id of marin-sync.';
COMMENT ON COLUMN marin.sync_runs.version IS 'marin-sync version that ran it.';

CREATE TABLE marin.sync_listings (
    run_id bigint NOT NULL REFERENCES marin.sync_runs (run_id) ON DELETE CASCADE,
    scope text NOT NULL,
    completed_at timestamp with time zone NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, scope)
);
COMMENT ON TABLE marin.sync_listings IS 'Resume checkpoint: listings a run read to their end and stored. The run after an interrupted one skips them.';
COMMENT ON COLUMN marin.sync_listings.run_id IS 'The run (sync_runs.run_id).';
COMMENT ON COLUMN marin.sync_listings.scope IS 'The listing, e.g. ads@adset:123 (names chosen by marin-sync).';
COMMENT ON COLUMN marin.sync_listings.completed_at IS 'When the listing''s last rows were committed.';
