#include "merge_sql.hpp"

#include <gtest/gtest.h>

using namespace marin;
using storage::detail::table_sql;

TEST(MergeSql, StagingKeepsRawAsTextAndNamesColumnsByPosition) {
    const auto& s = table_sql(model::TableId::ads);
    EXPECT_NE(s.create_stage.find("_raw text"), std::string::npos);
    // Emptied by DELETE in the merge's transaction: ON COMMIT DELETE ROWS
    // would truncate every temporary table at each commit.
    EXPECT_EQ(s.create_stage.find("ON COMMIT DELETE ROWS"), std::string::npos);
    EXPECT_EQ(s.stage_copy_columns.front(), "c0");
    // c0..cN, _raw, _hash, _seq, _listing, and _keep: ads have a link column
    EXPECT_EQ(s.stage_copy_columns.size(), model::table_spec(model::TableId::ads).sent_columns().size() + 5);
    EXPECT_EQ(s.stage_copy_columns.back(), "_keep");
    const auto& c = table_sql(model::TableId::campaigns);
    EXPECT_EQ(c.stage_copy_columns.back(), "_listing") << "no link column, no _keep";
}

TEST(MergeSql, LinkColumnsAreComparedOnTheirOwnAndKeptByRowsThatDoNotKnowThem) {
    const auto& s = table_sql(model::TableId::ads);
    ASSERT_EQ(s.link_positions.size(), 1u);
    EXPECT_EQ(model::table_spec(model::TableId::ads).sent_columns()[s.link_positions[0]]->name, "ad_set_id");
    EXPECT_NE(s.classify.find("(p._keep OR t.\"ad_set_id\" IS NOT DISTINCT FROM p.l0)"), std::string::npos)
        << s.classify;
    EXPECT_NE(s.classify.find("_keep, _seq DESC"), std::string::npos) << "a row carrying links wins";
    EXPECT_NE(s.merge.find("CASE WHEN src._keep THEN t.\"ad_set_id\""), std::string::npos) << s.merge;
    EXPECT_NE(s.merge.find("OR (NOT src._keep AND t.\"ad_set_id\" IS DISTINCT FROM src."), std::string::npos);
    EXPECT_EQ(s.probe_copy_columns.back(), "_listing");
}

TEST(MergeSql, ARowWhoseContentIsUnchangedOnlyGetsItsNewHash) {
    const auto& m = table_sql(model::TableId::ad_sets).merge;
    EXPECT_NE(m.find("AS refresh_only"), std::string::npos);
    EXPECT_NE(m.find("t._raw = src._raw_json"), std::string::npos);
    EXPECT_NE(m.find("WHERE todo.existed AND NOT todo.refresh_only"), std::string::npos) << "no history version";
    EXPECT_NE(m.find("CASE WHEN refresh_only THEN old_synced_at ELSE now() END"), std::string::npos);
}

TEST(MergeSql, CascadesFollowTheObjectGraph) {
    bool campaign_ads = false, ad_set_ads = false;
    for (const auto& c : storage::detail::cascades()) {
        campaign_ads = campaign_ads || (c.parent == model::TableId::campaigns && c.child == model::TableId::ads);
        ad_set_ads = ad_set_ads || (c.parent == model::TableId::ad_sets && c.child == model::TableId::ads);
    }
    EXPECT_TRUE(campaign_ads);
    EXPECT_FALSE(ad_set_ads) << "an ad outlives its ad set's listing: its campaign decides";
}

TEST(MergeSql, OneMergeCoversManyListingsAndCommands) {
    const auto& s = table_sql(model::TableId::ads);
    // record_seen takes each row's listing from the staging table: no parameter
    EXPECT_NE(s.record_seen.find("SELECT DISTINCT _listing"), std::string::npos);
    EXPECT_NE(s.record_seen.find("WHERE _listing IS NOT NULL"), std::string::npos);
    EXPECT_EQ(s.record_seen.find("$1"), std::string::npos);
    // one row of counts for the whole merge, whatever commands its rows came from
    EXPECT_EQ(s.merge.find("_batch"), std::string::npos);
    EXPECT_NE(s.merge.find("(SELECT count(*) FROM src)"), std::string::npos);
}

TEST(MergeSql, UnchangedRowsAreFilteredBeforeAnyWrite) {
    const auto& m = table_sql(model::TableId::campaigns).merge;
    EXPECT_NE(m.find("t._hash IS NULL OR t._hash <> src._hash OR t._removed_at IS NOT NULL"), std::string::npos);
    EXPECT_NE(m.find("_raw::jsonb"), std::string::npos);
}

TEST(MergeSql, StatisticsAreNeverRemoved) {
    EXPECT_TRUE(table_sql(model::TableId::ad_stats_daily).create_seen.empty());
    EXPECT_TRUE(table_sql(model::TableId::ad_stats_daily).mark_gone_rows.empty());
    for (const auto& c : storage::detail::cascades()) EXPECT_NE(c.child, model::TableId::ad_stats_daily);
}

TEST(MergeSql, FilterColumnsMustBeInTheSpec) {
    EXPECT_THROW(storage::detail::select_unseen_into_gone(model::TableId::ads, {{"nope; DROP", std::nullopt}}),
                 std::invalid_argument);
    const auto sql = storage::detail::select_unseen_into_gone(
        model::TableId::ads, {{"campaign_id", std::string("9")}, {"ad_set_id", std::nullopt}});
    EXPECT_NE(sql.find("t.\"campaign_id\" = $2::text"), std::string::npos);
    EXPECT_NE(sql.find("t.\"ad_set_id\" IS NULL"), std::string::npos);
}
