// Sync: records mapped to rows (parents from the path, hashes, NUL made
// storable, keys).
#include "marin/sync/record_mapper.hpp"

#include "marin/sync/content_hash.hpp"
#include "marin/sync/main_metric_sum.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace marin::sync {
namespace {

using model::TableId;

std::optional<std::string> value(const model::Row& row, TableId table, std::string_view column) {
    const auto cols = model::table_spec(table).sent_columns();
    for (std::size_t i = 0; i < cols.size(); ++i)
        if (cols[i]->name == column) return row.values[i];
    ADD_FAILURE() << "no column " << column;
    return std::nullopt;
}

MapOutcome map(TableId table, const char* json, RecordContext ctx = {}) {
    return map_record(model::table_spec(table), boost::json::parse(json).as_object(), ctx);
}

TEST(RecordMapper, AdSetTakesItsParentsFromThePath) {
    RecordContext ctx;
    ctx.forced = {{"campaign_id", "7"}, {"media_plan_id", "105"}};
    const auto out =
        map(TableId::ad_sets,
            R"({"id":"1","daily_budget":123,"name":"n","bid":"1.23","status":"pause","extra":{"x":1}})", ctx);
    ASSERT_TRUE(out.row);
    EXPECT_EQ(value(*out.row, TableId::ad_sets, "campaign_id"), "7");
    EXPECT_EQ(value(*out.row, TableId::ad_sets, "media_plan_id"), "105");
    EXPECT_EQ(value(*out.row, TableId::ad_sets, "bid"), "1.23");
    EXPECT_EQ(value(*out.row, TableId::ad_sets, "daily_budget"), "123");
    EXPECT_EQ(value(*out.row, TableId::ad_sets, "promoted_object"), std::nullopt);  // optional, missing
    EXPECT_NE(out.row->raw.find("\"extra\""), std::string::npos);                   // unknown fields kept
    EXPECT_EQ(out.row->hash.size(), 32u);
}

TEST(RecordMapper, HashChangesWithContentAndParents) {
    RecordContext a, b;
    a.forced = {{"campaign_id", "7"}, {"media_plan_id", "1"}};
    b.forced = {{"campaign_id", "8"}, {"media_plan_id", "1"}};
    const char* rec = R"({"id":"1","name":"n"})";
    EXPECT_EQ(map(TableId::ad_sets, rec, a).row->hash, map(TableId::ad_sets, rec, a).row->hash);
    EXPECT_NE(map(TableId::ad_sets, rec, a).row->hash, map(TableId::ad_sets, rec, b).row->hash);
    EXPECT_NE(map(TableId::ad_sets, rec, a).row->hash, map(TableId::ad_sets, R"({"id":"1","name":"m"})", a).row->hash);
}

TEST(RecordMapper, NulIsReplacedInRawAndCounted) {
    const auto out = map(TableId::advertisers, R"({"id":"1","name":"a\u0000b","currency":"EUR"})");
    ASSERT_TRUE(out.row);
    EXPECT_EQ(out.row->raw.find("\\u0000"), std::string::npos);
    EXPECT_NE(out.row->raw.find("a\xEF\xBF\xBD"
                                "b"),
              std::string::npos);
    EXPECT_EQ(out.sanitized_values, 2u);  // the typed column and _raw
}

TEST(RecordMapper, RecordWithoutIdIsRejectedWithAReason) {
    const auto out = map(TableId::campaigns, R"({"name":"no id"})");
    EXPECT_FALSE(out.row);
    EXPECT_NE(out.problem.find("'id'"), std::string::npos) << out.problem;
    EXPECT_NE(out.problem.find("marin.campaigns"), std::string::npos) << out.problem;
}

TEST(RecordMapper, AFallbackNeverKeysARow) {
    // Even a context that offers key values (as an older release did) does
    // not key a row by its request.
    RecordContext ctx;
    ctx.fallback = {{"media_plan_id", "105"}, {"ad_id", "unattributed:media_plan:105"}, {"date", "2026-01-01"}};
    const auto out = map(TableId::ad_stats_daily, R"({"impression":10,"click":1,"spent":0.5,"ctr":10})", ctx);
    EXPECT_FALSE(out.row);
    EXPECT_NE(out.problem.find("'ad_id', 'date'"), std::string::npos) << out.problem;
}

TEST(RecordMapper, TargetingClusterNumericIdsBecomeText) {
    RecordContext ctx;
    ctx.forced = {{"account_id", "3"}};
    const auto out = map(TableId::targeting_clusters, R"({"id":2200,"name":"t","targets":[{"id":4314}]})", ctx);
    ASSERT_TRUE(out.row);
    EXPECT_EQ(value(*out.row, TableId::targeting_clusters, "id"), "2200");
}

TEST(RecordMapper, AStatisticsRowWithoutItsKeyIsRefusedNamingEveryMissingField) {
    // Never keyed by the request: every such row of a media plan would
    // collapse into one.
    RecordContext ctx;
    ctx.fallback = {{"media_plan_id", "105"}};
    auto out = map(TableId::ad_stats_daily, R"({"impression": 3, "click": 1})", ctx);
    EXPECT_FALSE(out.row);
    EXPECT_NE(out.problem.find("'ad_id', 'date'"), std::string::npos) << out.problem;
    out = map(TableId::ad_stats_daily, R"({"ad_id": "9", "impression": 3})", ctx);
    EXPECT_FALSE(out.row);
    EXPECT_NE(out.problem.find("'date'"), std::string::npos) << out.problem;
    out = map(TableId::ad_stats_daily, R"({"ad_id": "9", "date": "2026-01-02"})", ctx);
    ASSERT_TRUE(out.row) << out.problem;
    EXPECT_EQ(value(*out.row, TableId::ad_stats_daily, "media_plan_id"), "105") << "client_id from the path";
}

TEST(RecordMapper, TheAdSetLinkIsLeftOutOfTheHash) {
    // The campaign's ads listing does not know the link: its row must hash
    // like the ad set listing's, so that neither looks like a change.
    const char* ad = R"({"id": "90000001", "name": "n", "status": "play"})";
    RecordContext from_ad_set;
    from_ad_set.forced = {{"ad_set_id", "8000001"}, {"campaign_id", "7"}, {"media_plan_id", "105"}};
    RecordContext from_campaign;
    from_campaign.forced = {{"ad_set_id", std::nullopt}, {"campaign_id", "7"}, {"media_plan_id", "105"}};
    from_campaign.keeps_links = true;
    const auto a = map(TableId::ads, ad, from_ad_set);
    const auto b = map(TableId::ads, ad, from_campaign);
    ASSERT_TRUE(a.row && b.row);
    EXPECT_EQ(a.row->hash, b.row->hash);
    EXPECT_FALSE(a.row->keeps_links);
    EXPECT_TRUE(b.row->keeps_links);
    EXPECT_EQ(value(*a.row, TableId::ads, "ad_set_id"), "8000001");
    // Every other value is hashed.
    from_campaign.forced[1].second = "8";
    EXPECT_NE(map(TableId::ads, ad, from_campaign).row->hash, b.row->hash);
}

}  // namespace
}  // namespace marin::sync

namespace marin::sync {
namespace {

TEST(MainMetricSum, AddsDecimalsExactly) {
    EXPECT_EQ(add_decimals("1.5", "2"), "3.5");
    EXPECT_EQ(add_decimals("0.10", "0.2"), "0.30");  // the larger scale, as numeric keeps it
    EXPECT_EQ(add_decimals("-1", "0.25"), "-0.75");
    EXPECT_EQ(add_decimals("1e3", "1"), "1001");
    EXPECT_EQ(add_decimals("2.5E-1", "0"), "0.25");
    EXPECT_EQ(add_decimals("12345678901234567890", "1"), "12345678901234567891");
    EXPECT_EQ(add_decimals("-0.5", "0.5"), "0.0");
    EXPECT_EQ(add_decimals("abc", "1"), std::nullopt);
    EXPECT_EQ(add_decimals("1" + std::string(40, '0'), "1"), std::nullopt);  // beyond 36 digits
}

TEST(RecordMapper, MainMetricColumnsSumTheNamedActions) {
    RecordContext ctx;
    const auto out = map(TableId::ad_stats_daily, R"({"ad_id":"9","date":"2026-01-01","main_metrics":[
        {"name":"link_click","amount":"0","number":3,"object_id":""},
        {"name":"mobile_app_install","amount":"0","number":"7","object_id":""},
        {"name":"link_click","amount":"0","number":" 2.5 ","object_id":""},
        {"name":"leadgen.other","amount":"0","number":"n/a","object_id":""},
        {"name":"app_custom_event.fb_mobile_purchase","amount":"12.50","number":1.25,"object_id":""},
        "not an object", {"number":4}]})",
                         ctx);
    ASSERT_TRUE(out.row);
    EXPECT_EQ(value(*out.row, TableId::ad_stats_daily, "link_clicks"), "5.5");
    EXPECT_EQ(value(*out.row, TableId::ad_stats_daily, "app_installs"), "7");
    EXPECT_EQ(value(*out.row, TableId::ad_stats_daily, "app_purchases"), "1.25");
    EXPECT_EQ(value(*out.row, TableId::ad_stats_daily, "leads"), "0");  // no usable number: as SQL's sum, 0
    const auto none = map(TableId::ad_stats_daily, R"({"ad_id":"9","date":"2026-01-01","main_metrics":{}})", ctx);
    ASSERT_TRUE(none.row);
    EXPECT_EQ(value(*none.row, TableId::ad_stats_daily, "link_clicks"), "0");
}

// The main-metric columns are functions of _raw: the hash is what it was
// before they existed, so the first run after the upgrade finds every stored
// statistics row unchanged.
TEST(RecordMapper, MainMetricColumnsAreLeftOutOfTheHash) {
    const auto out = map(TableId::ad_stats_daily,
                         R"({"ad_id":"9","date":"2026-01-01","impression":10,"click":1,"spent":"0.50",
                             "main_metrics":[{"name":"link_click","amount":"0","number":3,"object_id":""}]})");
    ASSERT_TRUE(out.row);
    const auto columns = model::table_spec(TableId::ad_stats_daily).sent_columns();
    ASSERT_EQ(out.row->values.size(), columns.size());
    model::Row before = *out.row;
    std::size_t metric_columns = 0;
    for (const auto* c : columns)
        if (c->role == model::ColumnRole::main_metric) ++metric_columns;
    ASSERT_EQ(metric_columns, 4u);
    before.values.resize(columns.size() - metric_columns);
    EXPECT_EQ(content_hash(before), out.row->hash);
    // A changed action count changes _raw, and so the hash.
    const auto changed = map(TableId::ad_stats_daily,
                             R"({"ad_id":"9","date":"2026-01-01","impression":10,"click":1,"spent":"0.50",
                                 "main_metrics":[{"name":"link_click","amount":"0","number":4,"object_id":""}]})");
    EXPECT_NE(changed.row->hash, out.row->hash);
}

}  // namespace
}  // namespace marin::sync
