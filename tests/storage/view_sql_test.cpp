// The generated per-table views' layout, without a database (the catalogue
// comparison is storage_views_pgtest).
#include "view_sql.hpp"

#include <gtest/gtest.h>

#include <algorithm>

using namespace marin;
using storage::detail::generated_objects;
using storage::detail::GeneratedObject;

namespace {

std::vector<std::string> names(const GeneratedObject& o) {
    std::vector<std::string> out;
    for (const auto& c : o.columns) out.push_back(c.name);
    return out;
}

const GeneratedObject& object(const std::vector<GeneratedObject>& all, const std::string& name) {
    const auto it = std::find_if(all.begin(), all.end(), [&](const GeneratedObject& o) { return o.name == name; });
    if (it == all.end()) throw std::runtime_error("no " + name);
    return *it;
}

}  // namespace

TEST(ViewSql, ColumnsAddedToATableFollowItsBookkeepingColumns) {
    const auto all = generated_objects(model::table_spec(model::TableId::audiences));
    ASSERT_EQ(all.size(), 3u);
    const auto current = names(object(all, "current_audiences"));
    const auto removed = std::find(current.begin(), current.end(), "_removed_at");
    ASSERT_NE(removed, current.end());
    EXPECT_EQ(
        std::vector<std::string>(removed + 1, current.end()),
        (std::vector<std::string>{"customer_file_source", "country", "lookalike_type", "origin_audience_network_id"}));
    // sql/005 made audiences_versions again: its new columns before _valid_from.
    const auto versions = names(object(all, "audiences_versions"));
    EXPECT_EQ(versions.back(), "_is_current");
    EXPECT_EQ(versions[versions.size() - 4], "origin_audience_network_id");
}

TEST(ViewSql, StatisticsVersionsKeepTheLayoutOf002) {
    const auto all = generated_objects(model::table_spec(model::TableId::ad_stats_daily));
    ASSERT_EQ(all.size(), 2u) << "statistics are never removed: no current_ad_stats_daily";
    const auto& v = object(all, "ad_stats_daily_versions");
    const auto cols = names(v);
    const auto roi = std::find(cols.begin(), cols.end(), "roi");
    ASSERT_NE(roi, cols.end());
    EXPECT_EQ(*(roi + 1), "main_metrics");
    EXPECT_EQ(*(roi + 2), "other_metrics");
    EXPECT_EQ(std::vector<std::string>(cols.end() - 4, cols.end()),
              (std::vector<std::string>{"link_clicks", "app_installs", "app_purchases", "leads"}));
    EXPECT_NE(v.create.find("_raw -> 'main_metrics' AS main_metrics"), std::string::npos) << v.create;
    // The as-of function returns the table's row type: the table's order.
    const auto& f = object(all, "ad_stats_daily_as_of");
    EXPECT_NE(f.create.find("roi, link_clicks, app_installs, app_purchases, leads, other_metrics, _raw"),
              std::string::npos)
        << f.create;
    EXPECT_NE(f.create.find("RETURNS SETOF marin.ad_stats_daily"), std::string::npos);
}

TEST(ViewSql, IdentifiersAreQuotedAsQuoteIdentDoes) {
    EXPECT_EQ(storage::detail::sql_ident("date"), "date");
    EXPECT_EQ(storage::detail::sql_ident("_raw"), "_raw");
    EXPECT_EQ(storage::detail::sql_ident("position"), "\"position\"");
    EXPECT_EQ(storage::detail::sql_ident("Mixed"), "\"Mixed\"");
    EXPECT_EQ(storage::detail::sql_ident("a\"b"), "\"a\"\"b\"");
}
