// The mirror's tables as data (columns, keys, parents, where each typed
// column comes from in the API's JSON), looked up by table.
#include "marin/model/table_spec.hpp"

#include <algorithm>
#include <array>

namespace marin::model {
namespace {

using enum ColumnType;
using enum ColumnRole;
constexpr bool link = true;
constexpr bool no_link = false;

constexpr ColumnSpec accounts_columns[] = {
    {"id", "id", text, key},
    {"network_id", "network_id", text, field},
    {"name", "name", text, field},
    {"currency", "currency", text, field},
    {"timezone", "timezone", text, field},
    {"country", "country", text, field},
    {"active", "active", boolean, field},
    {"src", "src", text, field},
    {"funding_instruments", "funding_instruments", json_subtree, field},
};

constexpr ColumnSpec advertisers_columns[] = {
    {"id", "id", text, key},
    {"name", "name", text, field},
    {"currency", "currency", text, field},
    {"reporting_week", "reporting_week", text, field},
    {"timezone", "timezone", text, field},
    {"autopause_value", "autopause_value", numeric, field},
    {"contact_name", "contact_name", text, field},
    {"contact_mail", "contact_mail", text, field},
    {"contact_phone", "contact_phone", text, field},
};

constexpr ColumnSpec media_plans_columns[] = {
    {"id", "id", text, key},
    {"account_id", "account_id", text, parent},
    {"advertiser_id", "advertiser_id", text, parent},
    {"name", "name", text, field},
    {"io_number", "io_number", text, field},
    {"src", "src", text, field},
    {"general_objective", "general_objective", text, field},
    {"deleted", "deleted", boolean, field},
    {"archived", "archived", boolean, field},
    {"margin_type", "margin_type", numeric, field},
    {"margin_value", "margin_value", numeric, field},
    {"autopause_value", "autopause_value", numeric, field},
    {"account_network_id", "account_network_id", text, field},
    {"business_manager_id", "business_manager_id", text, field},
    {"campaign_naming", "campaign_naming", text, field},
    {"ads_naming", "ads_naming", text, field},
    {"url_reporting", "url_reporting", text, field},
    {"url_connection", "url_connection", text, field},
};

constexpr ColumnSpec campaigns_columns[] = {
    {"id", "id", text, key},
    {"media_plan_id", "client_id", text, parent},
    {"account_id", "account_id", text, parent},
    {"name", "name", text, field},
    {"src", "src", text, field},
    {"status", "status", text, field},
    {"objective", "objective", text, field},
    {"deleted", "deleted", boolean, field},
    {"archived", "archived", boolean, field},
    {"start_date", "start_date", timestamptz, field},
    {"end_date", "end_date", timestamptz, field},
    {"budget_type", "budget_type", text, field},
    {"budget", "budget", numeric, field},
    {"daily_budget", "daily_budget", numeric, field},
    {"lifetime_budget", "lifetime_budget", numeric, field},
    {"funding_instrument_id", "funding_instrument_id", text, field},
    {"special_ad_category", "special_ad_category", text, field},
    {"campaign_naming", "campaign_naming", text, field},
    {"ads_naming", "ads_naming", text, field},
    {"url_reporting", "url_reporting", text, field},
};

constexpr ColumnSpec ad_sets_columns[] = {
    {"id", "id", text, key},
    {"campaign_id", "", text, parent},
    {"media_plan_id", "", text, parent},
    {"name", "name", text, field},
    {"status", "status", text, field},
    {"operation_status", "operation_status", text, field},
    {"computed_status", "computed_status", text, field},
    {"daily_budget", "daily_budget", numeric, field},
    {"bid", "bid", numeric, field},
    {"promoted_object", "promoted_object", text, field},
    {"adset_billing_event", "adset_billing_event", text, field},
    {"adset_optimization_goal", "adset_optimization_goal", text, field},
    {"adset_bid_strategy", "adset_bid_strategy", text, field, no_link, 5},
};

constexpr ColumnSpec ads_columns[] = {
    {"id", "id", text, key},
    {"ad_set_id", "", text, parent, link},
    {"campaign_id", "", text, parent},
    {"media_plan_id", "", text, parent},
    {"name", "name", text, field},
    {"type", "type", text, field},
    {"src", "src", text, field},
    {"status", "status", text, field},
    {"synchro_status", "synchro_status", text, field},
    {"deleted", "deleted", boolean, field},
    {"archived", "archived", boolean, field},
    {"bid", "bid", numeric, field},
    {"adset_billing_event", "adset_billing_event", text, field},
    {"adset_optimization_goal", "adset_optimization_goal", text, field},
    {"adset_bid_strategy", "adset_bid_strategy", text, field},
    {"headline", "headline", text, field},
    {"message", "message", text, field},
    {"description", "description", text, field},
    {"url", "url", text, field},
    {"page", "page", text, field},
    {"target", "target", json_subtree, field},
    {"placement", "placement", json_subtree, field},
};

constexpr ColumnSpec users_columns[] = {
    {"id", "id", text, key},
    {"username", "username", text, field},
    {"email", "email", text, field},
    {"firstname", "firstname", text, field},
    {"lastname", "lastname", text, field},
    {"role", "role", text, field},
    {"created_at", "created_at", timestamptz, field},
};

constexpr ColumnSpec media_plan_users_columns[] = {
    {"media_plan_id", "", text, key},        {"user_id", "id", text, key},
    {"username", "username", text, field},   {"email", "email", text, field},
    {"firstname", "firstname", text, field}, {"lastname", "lastname", text, field},
    {"role", "role", text, field},           {"created_at", "created_at", timestamptz, field},
};

constexpr ColumnSpec funding_instruments_columns[] = {
    {"account_id", "", text, key},
    {"id", "id", text, key},
    {"description", "description", text, field},
    {"currency", "currency", text, field},
    {"start_date", "start_date", timestamptz, field},
    {"end_date", "end_date", timestamptz, field},
};

constexpr ColumnSpec publisher_objects_columns[] = {
    {"account_id", "", text, key}, {"id", "id", text, key},
    {"name", "name", text, field}, {"network_id", "network_id", text, field},
    {"type", "type", text, field}, {"picture", "picture", text, field},
    {"url", "url", text, field},
};

constexpr ColumnSpec lead_forms_columns[] = {
    {"account_id", "", text, key},     {"id", "id", text, key},
    {"name", "name", text, field},     {"network_id", "network_id", text, field},
    {"locale", "locale", text, field}, {"csv_url", "csv_url", text, field},
};

constexpr ColumnSpec audiences_columns[] = {
    {"account_id", "", text, key},
    {"id", "id", text, key},
    {"name", "name", text, field},
    {"description", "description", text, field},
    {"type", "type", text, field},
    {"network_id", "network_id", text, field},
    {"nb_users", "nb_users", bigint, field},
    {"created_at", "created_at", timestamptz, field},
    {"rule", "rule", json_subtree, field},
    {"customer_file_source", "customer_file_source", text, field, no_link, 5},
    {"country", "country", text, field, no_link, 5},
    {"lookalike_type", "lookalike_type", text, field, no_link, 5},
    {"origin_audience_network_id", "origin_audience_network_id", text, field, no_link, 5},
};

constexpr ColumnSpec targeting_clusters_columns[] = {
    {"account_id", "", text, key},
    {"id", "id", text, key},
    {"name", "name", text, field},
    {"targets", "targets", json_subtree, field},
};

constexpr ColumnSpec ad_stats_daily_columns[] = {
    {"ad_id", "ad_id", text, key},
    {"date", "date", date, key},
    {"media_plan_id", "client_id", text, parent},
    {"campaign_id", "campaign_id", text, parent},
    {"ad_set_id", "adset_id", text, parent},
    {"impressions", "impression", bigint, field},
    {"clicks", "click", bigint, field},
    {"spent", "spent", numeric, field},
    {"income", "income", numeric, field},
    {"ctr", "ctr", float8, field},
    {"ctr_links", "ctrLinks", float8, field},
    {"conv_rate", "convRate", float8, field},
    {"conv_rate_links", "convRateLinks", float8, field},
    {"cpc", "cpc", float8, field},
    {"cpm", "cpm", float8, field},
    {"cpa", "cpa", float8, field},
    {"roi", "roi", float8, field},
    {"link_clicks", "link_click", numeric, main_metric, no_link, 7},
    {"app_installs", "mobile_app_install", numeric, main_metric, no_link, 7},
    {"app_purchases", "app_custom_event.fb_mobile_purchase", numeric, main_metric, no_link, 7},
    {"leads", "leadgen.other", numeric, main_metric, no_link, 7},
    {"other_metrics", "other_metrics", json_subtree, field},
};

// sql/007 rebuilt the table without its generated main_metrics column (the
// same bytes as _raw a second time).
constexpr RetiredColumn ad_stats_daily_retired[] = {
    {"main_metrics", json_subtree, "_raw -> 'main_metrics'", "roi", 7,
     "Actions and their value in this version: _raw -> 'main_metrics', a JSON array of {name, amount, number, "
     "object_id} (amount in the account currency, number a count), e.g. name \"link_click\", "
     "\"mobile_app_install\", \"app_custom_event.fb_mobile_purchase\" (amount = income), \"credit_spent\" "
     "(amount = spent)."},
};

constexpr std::array<TableSpec, table_count> tables = {{
    {TableId::accounts, "accounts", accounts_columns, true},
    {TableId::advertisers, "advertisers", advertisers_columns, true},
    {TableId::media_plans, "media_plans", media_plans_columns, true},
    {TableId::campaigns, "campaigns", campaigns_columns, true},
    // sql/005 added a column and made ad_sets_versions again.
    {TableId::ad_sets, "ad_sets", ad_sets_columns, true, 1, 5},
    {TableId::ads, "ads", ads_columns, true},
    {TableId::users, "users", users_columns, true},
    {TableId::media_plan_users, "media_plan_users", media_plan_users_columns, true},
    {TableId::funding_instruments, "funding_instruments", funding_instruments_columns, true},
    {TableId::publisher_objects, "publisher_objects", publisher_objects_columns, true},
    {TableId::lead_forms, "lead_forms", lead_forms_columns, true},
    {TableId::audiences, "audiences", audiences_columns, true, 1, 5},  // as ad_sets
    {TableId::targeting_clusters, "targeting_clusters", targeting_clusters_columns, true},
    // Rebuilt by sql/007 (columns in spec order); its versions view kept the
    // layout of sql/002.
    {TableId::ad_stats_daily, "ad_stats_daily", ad_stats_daily_columns, false, 7, 2, ad_stats_daily_retired},
}};

}  // namespace

std::vector<const ColumnSpec*> TableSpec::sent_columns() const {
    std::vector<const ColumnSpec*> out;
    for (const auto& c : columns)
        if (c.type != ColumnType::json_subtree) out.push_back(&c);
    return out;
}

std::vector<const ColumnSpec*> TableSpec::key_columns() const {
    std::vector<const ColumnSpec*> out;
    for (const auto& c : columns)
        if (c.role == ColumnRole::key) out.push_back(&c);
    return out;
}

std::vector<std::size_t> TableSpec::link_positions() const {
    std::vector<std::size_t> out;
    const auto sent = sent_columns();
    for (std::size_t i = 0; i < sent.size(); ++i)
        if (sent[i]->link) out.push_back(i);
    return out;
}

std::vector<std::string_view> TableSpec::stored_columns() const {
    std::vector<std::string_view> out;
    std::vector<const ColumnSpec*> later;
    for (const auto& c : columns)
        if (added_after(c, created_in))
            later.push_back(&c);
        else
            out.push_back(c.name);
    for (auto b : {raw_column, hash_column, synced_at_column, removed_at_column}) out.push_back(b);
    std::stable_sort(later.begin(), later.end(),
                     [](const ColumnSpec* a, const ColumnSpec* b) { return a->added_in < b->added_in; });
    for (const auto* c : later) out.push_back(c->name);
    return out;
}

bool TableSpec::added_after(const ColumnSpec& c, unsigned version) const { return c.added_in > version; }

const ColumnSpec* TableSpec::column(std::string_view column_name) const {
    for (const auto& c : columns)
        if (c.name == column_name) return &c;
    return nullptr;
}

const TableSpec& table_spec(TableId id) { return tables[static_cast<std::size_t>(id)]; }

std::span<const TableSpec> all_tables() { return tables; }

std::optional<TableId> table_by_name(std::string_view name) {
    for (const auto& t : tables)
        if (t.name == name) return t.id;
    return std::nullopt;
}

std::string_view sql_type(ColumnType type) {
    switch (type) {
        case ColumnType::text:
            return "text";
        case ColumnType::numeric:
            return "numeric";
        case ColumnType::bigint:
            return "bigint";
        case ColumnType::float8:
            return "double precision";
        case ColumnType::boolean:
            return "boolean";
        case ColumnType::timestamptz:
            return "timestamp with time zone";
        case ColumnType::date:
            return "date";
        case ColumnType::json_subtree:
            return "jsonb";
    }
    return "text";
}

}  // namespace marin::model
