#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include <thread>

#include "storage_test_util.hpp"
#include "support/pg_private_cluster.hpp"

using namespace marin;
using model::TableId;
using storage::ListingKey;
using storage::MirrorWriter;
namespace asio = boost::asio;

namespace {

model::Row campaign(const std::string& id, const std::string& mp, const std::string& name = "c") {
    return test::make_row(TableId::campaigns, {{"id", id}, {"media_plan_id", mp}, {"name", name}});
}
model::Row ad_set(const std::string& id, const std::string& campaign_id, const std::string& mp) {
    return test::make_row(TableId::ad_sets, {{"id", id}, {"campaign_id", campaign_id}, {"media_plan_id", mp}});
}
model::Row ad(const std::string& id, std::optional<std::string> ad_set_id, const std::string& campaign_id,
              const std::string& mp) {
    return test::make_row(TableId::ads,
                          {{"id", id}, {"ad_set_id", ad_set_id}, {"campaign_id", campaign_id}, {"media_plan_id", mp}},
                          "\"target\":{\"age\":[18,65]}");
}

// The writer's totals are the only counts it gives: a test reads what one
// call did as the change of totals() across it (totals() and flush() are
// barriers, so the call's work is committed in between).
storage::TableCounts counts_of(MirrorWriter& w, TableId t) {
    const auto totals = test::run(w.totals());
    const auto found = totals.find(t);
    return found == totals.end() ? storage::TableCounts{} : found->second;
}

asio::awaitable<void> enqueue_and_flush(MirrorWriter& w, TableId t, std::vector<model::Row> rows, ListingKey l) {
    co_await w.enqueue(t, std::move(rows), std::move(l));
    co_await w.flush();
}

// Keys one batch inserted, changed and left unchanged.
storage::TableCounts write(MirrorWriter& w, TableId t, std::vector<model::Row> rows, ListingKey l = {}) {
    const auto before = counts_of(w, t);
    test::run(enqueue_and_flush(w, t, std::move(rows), std::move(l)));
    const auto after = counts_of(w, t);
    storage::TableCounts delta;
    delta.inserted = after.inserted - before.inserted;
    delta.changed = after.changed - before.changed;
    delta.unchanged = after.unchanged - before.unchanged;
    return delta;
}

// Rows marked removed per table (cascades included, tables with none absent)
// by what `act` sends, once flushed.
using Removed = std::map<TableId, std::int64_t>;
template <class Act>
Removed removed_by(MirrorWriter& w, Act&& act) {
    const auto before = test::run(w.totals());
    test::run(act());
    test::run(w.flush());
    Removed out;
    for (const auto& [t, c] : test::run(w.totals())) {
        const auto was = before.count(t) ? before.at(t).removed : 0;
        if (c.removed != was) out[t] = c.removed - was;
    }
    return out;
}

Removed complete(MirrorWriter& w, TableId t, ListingKey l) {
    return removed_by(w, [&] { return w.enqueue_complete_listing(t, l); });
}

Removed gone(MirrorWriter& w, TableId t, std::vector<std::string> key) {
    return removed_by(w, [&] { return w.mark_gone(t, key); });
}

std::int64_t total(const Removed& r) {
    std::int64_t n = 0;
    for (const auto& [t, count] : r) n += count;
    return n;
}

// Tuple identity and versions of every row of a table, to prove nothing touched them.
std::string tuple_versions(test::MigratedDatabase& db, const std::string& table) {
    return db.value("SELECT string_agg(ctid::text || xmin::text, ',' ORDER BY ctid) FROM marin." + table);
}

}  // namespace

TEST(MirrorWriter, InsertsThenLeavesAnUnchangedBatchUntouched) {
    // WAL is counted for the whole cluster: on the shared one, the tests
    // running alongside (a CREATE DATABASE writes megabytes) and autovacuum
    // would be counted too. A cluster of its own, autovacuum off.
    test::PrivateCluster cluster;
    {
        pqxx::connection admin(cluster.admin_dsn());
        pqxx::nontransaction tx(admin);
        tx.exec0("ALTER SYSTEM SET autovacuum = off");
        tx.exec("SELECT pg_reload_conf()");
    }
    test::MigratedDatabase db("w_unchanged", cluster.admin_dsn());
    std::vector<model::Row> rows;
    for (int i = 0; i < 200; ++i) rows.push_back(ad("a" + std::to_string(i), "s1", "c1", "m1"));
    {
        MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
        const auto r = write(w, TableId::ads, rows);
        EXPECT_EQ(r.inserted, 200);
        EXPECT_EQ(r.changed, 0);
        EXPECT_EQ(r.unchanged, 0);
    }  // the session ends: its table statistics are flushed
    EXPECT_EQ(db.value("SELECT target::text FROM marin.ads WHERE id = 'a7'"), "{\"age\": [18, 65]}");
    const auto versions = tuple_versions(db, "ads");
    const auto stats_sql =
        "SELECT n_tup_ins || '/' || n_tup_upd || '/' || n_tup_del FROM pg_stat_user_tables "
        "WHERE relid = 'marin.ads'::regclass";
    const auto stats = db.value(stats_sql);
    EXPECT_EQ(stats, "200/0/0");
    std::string wal_bytes;
    {
        MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
        test::run(w.ready());
        // Warm the session (staging tables) so the measure is of a batch alone.
        write(w, TableId::ads, {rows[0]});
        const auto lsn = db.value("SELECT pg_current_wal_insert_lsn()");
        const auto r = write(w, TableId::ads, rows, ListingKey{"ads@adset:s1", {{"ad_set_id", "s1"}}});
        wal_bytes = db.value("SELECT pg_current_wal_insert_lsn() - '" + lsn + "'::pg_lsn");
        EXPECT_EQ(r.inserted, 0);
        EXPECT_EQ(r.changed, 0);
        EXPECT_EQ(r.unchanged, 200);
        const auto totals = test::run(w.totals());
        EXPECT_EQ(totals.at(TableId::ads).unchanged, 201);
    }
    EXPECT_EQ(tuple_versions(db, "ads"), versions);
    EXPECT_EQ(db.value(stats_sql), stats);
    EXPECT_EQ(db.count("SELECT 1 FROM marin.ads_history"), 0);
    // 200 rows touched would be ~300 kB of WAL; an untouched batch writes at
    // most a commit record (and a checkpoint may fall in the window).
    std::printf("WAL written by an unchanged batch of 200 rows: %s bytes\n", wal_bytes.c_str());
    EXPECT_LT(std::stol(wal_bytes), 20'000);
}

TEST(MirrorWriter, ChangedRowIsUpdatedAndItsPreviousVersionKept) {
    test::MigratedDatabase db("w_changed");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    write(w, TableId::campaigns, {campaign("1", "m", "first"), campaign("2", "m", "other")});
    const auto first_synced = db.value("SELECT _synced_at FROM marin.campaigns WHERE id = '1'");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto r = write(w, TableId::campaigns, {campaign("1", "m", "second"), campaign("2", "m", "other")});
    EXPECT_EQ(r.inserted, 0);
    EXPECT_EQ(r.changed, 1);
    EXPECT_EQ(r.unchanged, 1);
    EXPECT_EQ(db.value("SELECT name FROM marin.campaigns WHERE id = '1'"), "second");
    EXPECT_EQ(db.value("SELECT _raw->>'name' FROM marin.campaigns WHERE id = '1'"), "second");
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns_history"), 1);
    EXPECT_EQ(db.value("SELECT h.name || '|' || (_valid_from = '" + first_synced +
                       "') || '|' || (_valid_to = c._synced_at) || '|' || (_valid_from < _valid_to) "
                       "FROM marin.campaigns_history h JOIN marin.campaigns c USING (id)"),
              "first|true|true|true");
}

TEST(MirrorWriter, HostileTextRoundTripsExactly) {
    test::MigratedDatabase db("w_hostile");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    const std::vector<std::string> hostile = {
        "it's \"quoted\"",
        "back\\slash \\N \\t \\\\",
        "tab\there",
        "new\nline",
        "carriage\rreturn\r\n",
        "emoji \xf0\x9f\x9a\x80 caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87",
        std::string(5000, 'x') + "\t" + std::string(100, '\\'),
        "'); DROP TABLE marin.campaigns; --",
        "\\.",
        "",
    };
    std::vector<model::Row> rows;
    for (std::size_t i = 0; i < hostile.size(); ++i)
        rows.push_back(test::make_row(
            TableId::campaigns, {{"id", "h" + std::to_string(i)}, {"name", hostile[i]}, {"status", std::nullopt}}));
    EXPECT_EQ(write(w, TableId::campaigns, rows).inserted, static_cast<std::int64_t>(hostile.size()));
    pqxx::connection c(db.dsn());
    pqxx::read_transaction tx(c);
    for (std::size_t i = 0; i < hostile.size(); ++i) {
        const auto r = tx.exec_params1(
            "SELECT name, _raw->>'name', status IS NULL, _raw::text = $2::jsonb::text "
            "FROM marin.campaigns WHERE id = $1",
            "h" + std::to_string(i), rows[i].raw);
        EXPECT_EQ(r[0].as<std::string>(), hostile[i]) << i;
        EXPECT_EQ(r[1].as<std::string>(), hostile[i]) << i;
        EXPECT_TRUE(r[2].as<bool>()) << i;
        EXPECT_TRUE(r[3].as<bool>()) << i;
    }
    // and the same batch again is unchanged: the hash round-tripped too
    EXPECT_EQ(write(w, TableId::campaigns, rows).unchanged, static_cast<std::int64_t>(hostile.size()));
}

TEST(MirrorWriter, DuplicateKeysInOneBatchLastWins) {
    test::MigratedDatabase db("w_dup");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    const auto r =
        write(w, TableId::campaigns,
              {campaign("1", "m", "old"), campaign("2", "m"), campaign("1", "m", "new"), campaign("2", "m")});
    EXPECT_EQ(r.inserted, 2);
    EXPECT_EQ(db.value("SELECT name FROM marin.campaigns WHERE id = '1'"), "new");
    // composite key with a date
    const auto stat = [](const std::string& clicks) {
        return test::make_row(TableId::ad_stats_daily, {{"ad_id", "a"}, {"date", "2024-02-29"}, {"clicks", clicks}});
    };
    EXPECT_EQ(write(w, TableId::ad_stats_daily, {stat("1"), stat("2")}).inserted, 1);
    EXPECT_EQ(db.value("SELECT clicks FROM marin.ad_stats_daily"), "2");
    EXPECT_EQ(write(w, TableId::ad_stats_daily, {stat("3")}).changed, 1);  // a restated day
    EXPECT_TRUE(complete(w, TableId::ad_stats_daily, {"stats", {}}).empty());
    EXPECT_EQ(db.value("SELECT clicks || '/' || (_removed_at IS NULL) FROM marin.ad_stats_daily"), "3/true");
}

// The roll-ups follow the statistics rows in the merge's transaction: new
// days, a restated day, a row that moves to another campaign, a row without
// campaign; an unchanged batch leaves them alone.
TEST(MirrorWriter, StatisticsRollupsFollowTheirRows) {
    test::MigratedDatabase db("w_rollups");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    const auto stat = [](const std::string& ad, const std::string& day, const std::string& campaign,
                         const std::string& clicks) {
        std::map<std::string, std::optional<std::string>> values = {
            {"ad_id", ad}, {"date", day}, {"media_plan_id", "m"}, {"clicks", clicks}, {"link_clicks", "1.5"}};
        if (!campaign.empty()) values["campaign_id"] = campaign;
        return test::make_row(TableId::ad_stats_daily, values);
    };
    const auto rollup = [&] {
        return db.value(
            "SELECT string_agg(coalesce(campaign_id, '-') || ' ' || date || ' ' || ads_with_activity || ' ' "
            "|| clicks || ' ' || link_clicks || ' ' || ads_new_since::text, '; ' "
            "ORDER BY campaign_id, date) FROM marin.campaign_stats_daily_rollup");
    };
    const auto plan = [&] {
        return db.value(
            "SELECT string_agg(date || ' ' || ads_with_activity || ' ' || clicks || ' ' "
            "|| ads_new_since::text, '; ' ORDER BY date) FROM marin.media_plan_stats_daily_rollup");
    };
    write(w, TableId::ad_stats_daily,
          {stat("a", "2024-03-01", "c1", "1"), stat("b", "2024-03-01", "c1", "2"), stat("a", "2024-03-03", "c1", "4"),
           stat("z", "2024-03-01", "", "8")});
    EXPECT_EQ(rollup(),
              "c1 2024-03-01 2 3 3.0 {2,2,2,2,2,2,2}; c1 2024-03-03 1 4 1.5 {1,1,0,0,0,0,0}; "
              "- 2024-03-01 1 8 1.5 {1,1,1,1,1,1,1}");
    EXPECT_EQ(plan(), "2024-03-01 3 11 {3,3,3,3,3,3,3}; 2024-03-03 1 4 {1,1,0,0,0,0,0}");
    // A day between two of a's: the later one now has a row the day before.
    write(w, TableId::ad_stats_daily, {stat("a", "2024-03-02", "c1", "16")});
    EXPECT_EQ(rollup(),
              "c1 2024-03-01 2 3 3.0 {2,2,2,2,2,2,2}; c1 2024-03-02 1 16 1.5 {1,0,0,0,0,0,0}; "
              "c1 2024-03-03 1 4 1.5 {1,0,0,0,0,0,0}; - 2024-03-01 1 8 1.5 {1,1,1,1,1,1,1}");
    // Restated, and moved to another campaign.
    write(w, TableId::ad_stats_daily, {stat("b", "2024-03-01", "c2", "32"), stat("a", "2024-03-03", "c1", "64")});
    EXPECT_EQ(rollup(),
              "c1 2024-03-01 1 1 1.5 {1,1,1,1,1,1,1}; c1 2024-03-02 1 16 1.5 {1,0,0,0,0,0,0}; "
              "c1 2024-03-03 1 64 1.5 {1,0,0,0,0,0,0}; c2 2024-03-01 1 32 1.5 {1,1,1,1,1,1,1}; "
              "- 2024-03-01 1 8 1.5 {1,1,1,1,1,1,1}");
    EXPECT_EQ(plan(),
              "2024-03-01 3 41 {3,3,3,3,3,3,3}; 2024-03-02 1 16 {1,0,0,0,0,0,0}; "
              "2024-03-03 1 64 {1,0,0,0,0,0,0}");
    // The only row of a (campaign, day) moves away: that roll-up row goes.
    write(w, TableId::ad_stats_daily, {stat("z", "2024-03-01", "c2", "8")});
    EXPECT_EQ(db.value("SELECT count(*) FROM marin.campaign_stats_daily_rollup WHERE campaign_id IS NULL"), "0");
    EXPECT_EQ(db.value("SELECT clicks FROM marin.campaign_stats_daily_rollup WHERE campaign_id = 'c2'"), "40");
    // Unchanged: not even the roll-ups are touched.
    const auto xmin = db.value(
        "SELECT string_agg(xmin::text, ',' ORDER BY date, campaign_id) "
        "FROM marin.campaign_stats_daily_rollup");
    write(w, TableId::ad_stats_daily, {stat("z", "2024-03-01", "c2", "8"), stat("a", "2024-03-02", "c1", "16")});
    EXPECT_EQ(db.value("SELECT string_agg(xmin::text, ',' ORDER BY date, campaign_id) "
                       "FROM marin.campaign_stats_daily_rollup"),
              xmin);
}

// Two media plans: m1 (campaigns c1, c2; c1 has ad set s1 with ad a1, and ad
// a3 without ad set; c2 has ad set s2 with ad a2), m2 (campaign c3).
class Removal : public ::testing::Test {
  protected:
    Removal() : db("w_removal"), w(test::settings_for(db.dsn()), test::quiet_logger()) {
        write(w, TableId::media_plans,
              {test::make_row(TableId::media_plans, {{"id", "m1"}}),
               test::make_row(TableId::media_plans, {{"id", "m2"}})});
        write(w, TableId::campaigns, {campaign("c1", "m1"), campaign("c2", "m1"), campaign("c3", "m2")});
        write(w, TableId::ad_sets, {ad_set("s1", "c1", "m1"), ad_set("s2", "c2", "m1")});
        write(w, TableId::ads,
              {ad("a1", "s1", "c1", "m1"), ad("a2", "s2", "c2", "m1"), ad("a3", std::nullopt, "c1", "m1")});
        write(w, TableId::media_plan_users,
              {test::make_row(TableId::media_plan_users, {{"media_plan_id", "m1"}, {"user_id", "u"}})});
    }
    std::string removed(const std::string& table) {
        return db.value("SELECT coalesce(string_agg(id, ',' ORDER BY id), '') FROM marin." + table +
                        " WHERE _removed_at IS NOT NULL");
    }
    test::MigratedDatabase db;
    MirrorWriter w;
};

TEST_F(Removal, CompleteListingMarksOnlyUnseenRowsUnderItsParentAndCascades) {
    const ListingKey listing{"campaigns@m1", {{"media_plan_id", "m1"}}};
    write(w, TableId::campaigns, {campaign("c1", "m1")}, listing);
    const auto r = complete(w, TableId::campaigns, listing);
    EXPECT_EQ(r, (Removed{{TableId::campaigns, 1}, {TableId::ad_sets, 1}, {TableId::ads, 1}}));
    EXPECT_EQ(removed("campaigns"), "c2");  // c3 is under m2: not this listing's
    EXPECT_EQ(removed("ad_sets"), "s2");
    EXPECT_EQ(removed("ads"), "a2");
    EXPECT_EQ(db.value("SELECT (_synced_at = _removed_at)::text FROM marin.campaigns WHERE id = 'c2'"), "true");
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns_history WHERE id = 'c2' AND _removed_at IS NULL"), 1);
    EXPECT_EQ(db.count("SELECT 1 FROM marin.ads_history WHERE id = 'a2'"), 1);
    // completing again removes nothing more (the listing's keys were forgotten,
    // but c1 is... not seen any more: a new listing must be read again first)
    write(w, TableId::campaigns, {campaign("c1", "m1")}, listing);
    EXPECT_TRUE(complete(w, TableId::campaigns, listing).empty());
}

TEST_F(Removal, NullFilterSelectsAdsWithoutAdSet) {
    const ListingKey listing{"ads@campaign:c1", {{"campaign_id", "c1"}, {"ad_set_id", std::nullopt}}};
    const auto r = complete(w, TableId::ads, listing);  // the listing held nothing
    EXPECT_EQ(r, (Removed{{TableId::ads, 1}}));
    EXPECT_EQ(removed("ads"), "a3");
}

TEST_F(Removal, ARowComingBackIsRevivedWithHistory) {
    complete(w, TableId::campaigns, {"campaigns@m2", {{"media_plan_id", "m2"}}});
    EXPECT_EQ(removed("campaigns"), "c3");
    const auto r = write(w, TableId::campaigns, {campaign("c3", "m2")});  // same content as before
    EXPECT_EQ(r.changed, 1);
    EXPECT_EQ(removed("campaigns"), "");
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns_history WHERE id = 'c3'"), 2);
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns_history WHERE id = 'c3' AND _removed_at IS NOT NULL"), 1);
}

TEST_F(Removal, MarkGoneRemovesTheParentWithItsChildren) {
    const auto r = gone(w, TableId::media_plans, {"m1"});
    EXPECT_EQ(r, (Removed{{TableId::media_plans, 1},
                          {TableId::campaigns, 2},
                          {TableId::ad_sets, 2},
                          {TableId::ads, 3},
                          {TableId::media_plan_users, 1}}));
    EXPECT_EQ(removed("campaigns"), "c1,c2");
    EXPECT_TRUE(gone(w, TableId::media_plans, {"m1"}).empty());  // already gone
    EXPECT_TRUE(gone(w, TableId::media_plans, {"nope"}).empty());
    EXPECT_THROW(gone(w, TableId::media_plans, {"a", "b"}), std::invalid_argument);
    EXPECT_NO_THROW(test::run(w.flush()));  // a caller's mistake leaves the writer usable
}

TEST(MirrorWriter, RemovalGuardTripsAndMarksNothing) {
    test::MigratedDatabase db("w_guard");
    auto settings = test::settings_for(db.dsn());
    settings.removal_guard_ratio = 0.2;
    settings.removal_guard_min_rows = 2;
    std::vector<model::Row> rows;
    for (int i = 0; i < 10; ++i) rows.push_back(campaign("c" + std::to_string(i), "m"));
    {
        MirrorWriter previous_run(settings, test::quiet_logger());
        write(previous_run, TableId::campaigns, rows);
    }
    // The guard counts live rows when this run (writer) first touches the table.
    MirrorWriter w(settings, test::quiet_logger());
    const ListingKey listing{"campaigns@m", {{"media_plan_id", "m"}}};
    // 2 of 10 gone: within the guard (not over min_rows)
    write(w, TableId::campaigns, std::vector<model::Row>(rows.begin() + 2, rows.end()), listing);
    EXPECT_EQ(total(complete(w, TableId::campaigns, listing)), 2);
    // then 5 more: 7 of 10 this run. The completion was queued; the next
    // flush reports the refusal.
    write(w, TableId::campaigns, std::vector<model::Row>(rows.begin() + 7, rows.end()), listing);
    try {
        complete(w, TableId::campaigns, listing);
        FAIL() << "guard did not trip";
    } catch (const storage::StorageError& e) {
        const std::string msg = e.what();
        EXPECT_EQ(msg.rfind("removal guard: listing campaigns@m", 0), 0u) << msg;
        EXPECT_NE(msg.find("marin.campaigns"), std::string::npos) << msg;
        EXPECT_NE(msg.find("to 7, 70.0% of its 10 live rows"), std::string::npos) << msg;
        EXPECT_NE(msg.find("removal_guard_ratio = 20.0%"), std::string::npos) << msg;
    }
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns WHERE _removed_at IS NOT NULL"), 2);
    EXPECT_NO_THROW(test::run(w.flush()));  // reported once; the writer is still usable
    // A gone parent meets the same guard, and its caller gets the guard's own error.
    try {
        gone(w, TableId::campaigns, {"c9"});
        FAIL() << "guard did not trip";
    } catch (const storage::RemovalGuardError& e) {
        EXPECT_EQ(e.table(), "campaigns");
        EXPECT_EQ(e.would_remove(), 3);
        EXPECT_EQ(e.live_rows(), 10);
    }
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns WHERE _removed_at IS NOT NULL"), 2);
    EXPECT_EQ(counts_of(w, TableId::campaigns).removed, 2);
}

TEST(MirrorWriter, KilledBackendFailsThisAndEveryLaterCall) {
    test::MigratedDatabase db("w_killed");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    write(w, TableId::campaigns, {campaign("1", "m")});
    EXPECT_EQ(
        db.value("SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity WHERE datname = current_database() "
                 "AND application_name = 'marin-sync writer'"),
        "true");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::string first;
    try {
        write(w, TableId::campaigns, {campaign("2", "m")});
        FAIL() << "write on a killed session succeeded";
    } catch (const storage::StorageError& e) {
        first = e.what();
    }
    EXPECT_NE(first.find("merging 1 rows into marin.campaigns"), std::string::npos) << first;
    try {
        test::run(w.flush());
        FAIL() << "flush after a failure succeeded";
    } catch (const storage::StorageError& e) {
        EXPECT_EQ(std::string(e.what()), first);
    }
    // An enqueue to the broken writer fails at once: the crawl stops feeding it.
    try {
        std::vector<model::Row> rows{campaign("3", "m")};
        test::run(w.enqueue(TableId::campaigns, std::move(rows), ListingKey{}));
        FAIL() << "enqueue to a broken writer succeeded";
    } catch (const storage::StorageError& e) {
        EXPECT_NE(std::string(e.what()).find("merging 1 rows into marin.campaigns"), std::string::npos) << e.what();
    }
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns"), 1);
}

TEST(MirrorWriter, ConnectFailureSurfacesOnReady) {
    auto settings = test::settings_for("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2");
    MirrorWriter w(settings, test::quiet_logger());
    EXPECT_THROW(test::run(w.ready()), storage::StorageError);
    EXPECT_THROW(write(w, TableId::campaigns, {campaign("1", "m")}), storage::StorageError);
}

asio::awaitable<void> enqueue_six(MirrorWriter& w, std::atomic<int>& queued) {
    for (int i = 1; i <= 6; ++i) {
        // Named arguments (docs/design.md, "GCC 12 and coroutine frames").
        std::vector<model::Row> rows{campaign(std::to_string(i), "m")};
        ListingKey listing;
        co_await w.enqueue(TableId::campaigns, std::move(rows), std::move(listing));
        ++queued;
    }
}

TEST(MirrorWriter, AFullChannelSuspendsTheSender) {
    test::MigratedDatabase db("w_backpressure");
    auto settings = test::settings_for(db.dsn());
    settings.channel_capacity = 2;
    settings.pending_rows = 1;  // each batch is merged as it arrives: the writer blocks on the first
    MirrorWriter w(settings, test::quiet_logger());
    write(w, TableId::campaigns, {campaign("0", "m")});  // session ready
    // Hold the writer in its first merge with a lock on the table.
    pqxx::connection blocker(db.dsn());
    pqxx::work lock(blocker);
    lock.exec0("LOCK TABLE marin.campaigns IN ACCESS EXCLUSIVE MODE");

    asio::io_context ioc;
    std::atomic<int> queued{0};
    asio::co_spawn(ioc, enqueue_six(w, queued), asio::detached);
    std::thread runner([&] { ioc.run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // one taken by the blocked writer + `capacity` in the channel; the next waits
    EXPECT_EQ(queued.load(), 3);
    lock.abort();
    runner.join();
    EXPECT_EQ(queued.load(), 6);
    test::run(w.flush());
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns"), 7);
    EXPECT_EQ(test::run(w.totals()).at(TableId::campaigns).inserted, 7);
}

TEST(MirrorWriter, ListingCheckpoint) {
    test::MigratedDatabase db("w_checkpoint");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    const auto run_id = test::run(w.begin_run("full"));
    test::run(w.enqueue_listing_done(run_id, "campaigns@m1"));
    test::run(w.enqueue_listing_done(run_id, "ads@adset:7"));
    test::run(w.enqueue_listing_done(run_id, "ads@adset:7"));
    test::run(w.flush());
    EXPECT_EQ(storage::completed_listings(db.dsn(), run_id), (std::vector<std::string>{"ads@adset:7", "campaigns@m1"}));
}

// ---- group commit ----

namespace {

// Holds the writer in a merge of `table` (locked by the caller) so that the
// commands sent meanwhile wait in the channel and form one group.
asio::awaitable<void> block_writer_on(MirrorWriter& w, TableId table, model::Row row) {
    std::vector<model::Row> rows{std::move(row)};
    ListingKey none;
    co_await w.enqueue(table, std::move(rows), std::move(none));
}

// Waits until the writer's session waits for a lock (held by the test).
void wait_until_writer_blocked(test::MigratedDatabase& db) {
    for (int i = 0; i < 500; ++i) {
        if (db.count("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() "
                     "AND application_name = 'marin-sync writer' AND wait_event_type = 'Lock'") == 1)
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the writer never blocked on the test's lock";
}

struct TableLock {
    TableLock(const std::string& dsn, const std::string& table) : conn(dsn), tx(conn) {
        tx.exec0("LOCK TABLE marin." + table + " IN ACCESS EXCLUSIVE MODE");
    }
    pqxx::connection conn;
    pqxx::work tx;
};

}  // namespace

TEST(MirrorWriter, TinyListingsShareOneMergeAndTheirCompletionsRemoveTheRightRows) {
    test::MigratedDatabase db("w_group");
    auto settings = test::settings_for(db.dsn());
    settings.channel_capacity = 64;
    settings.group_max_delay = std::chrono::seconds{10};  // one group, however slow the machine
    MirrorWriter w(settings, test::quiet_logger());
    constexpr int listings = 10;
    std::vector<model::Row> stored;
    for (int i = 0; i < listings; ++i)
        for (int j = 0; j < 3; ++j)
            stored.push_back(
                ad("a" + std::to_string(i) + "_" + std::to_string(j), "s" + std::to_string(i), "c1", "m1"));
    write(w, TableId::ads, stored);

    std::optional<TableLock> lock(std::in_place, db.dsn(), "campaigns");
    asio::io_context ioc;
    std::atomic<int> sent{0};
    test::run(block_writer_on(w, TableId::campaigns, campaign("c1", "m1")));
    wait_until_writer_blocked(db);
    for (int i = 0; i < listings; ++i) {
        asio::co_spawn(
            ioc,
            [&, i]() -> asio::awaitable<void> {
                const std::string set = "s" + std::to_string(i);
                // listing i holds ads _0, _1, a new _3, and _2 only when i is odd
                std::vector<model::Row> rows;
                for (int j : {0, 1, 2, 3})
                    if (j != 2 || i % 2 == 1)
                        rows.push_back(ad("a" + std::to_string(i) + "_" + std::to_string(j), set, "c1", "m1"));
                ListingKey listing{"ads@adset:" + set, {{"ad_set_id", set}}};
                ListingKey again = listing;
                co_await w.enqueue(TableId::ads, std::move(rows), std::move(listing));
                co_await w.enqueue_complete_listing(TableId::ads, std::move(again));
                ++sent;
            },
            asio::detached);
    }
    std::thread runner([&] { ioc.run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(sent.load(), listings);  // queued while the writer waits: nothing merged yet
    EXPECT_EQ(db.count("SELECT 1 FROM marin.ads WHERE id LIKE '%\\_3'"), 0);
    lock.reset();
    runner.join();
    test::run(w.flush());

    EXPECT_EQ(db.value("SELECT string_agg(id, ',' ORDER BY id) FROM marin.ads WHERE _removed_at IS NOT NULL"),
              "a0_2,a2_2,a4_2,a6_2,a8_2");
    EXPECT_EQ(db.count("SELECT 1 FROM marin.ads WHERE id LIKE '%\\_3' AND _removed_at IS NULL"), listings);
    // the ten listings' new rows and their removals were committed together
    EXPECT_EQ(db.count("SELECT DISTINCT xmin::text FROM marin.ads WHERE id LIKE '%\\_3' OR _removed_at IS NOT NULL"),
              1);
    const auto totals = test::run(w.totals());
    EXPECT_EQ(totals.at(TableId::ads).inserted, 30 + listings);
    EXPECT_EQ(totals.at(TableId::ads).unchanged, 25);
    EXPECT_EQ(totals.at(TableId::ads).removed, 5);
    // the listings' keys were forgotten: completing again holds nothing
    ListingKey s1{"ads@adset:s1", {{"ad_set_id", "s1"}}};
    EXPECT_EQ(complete(w, TableId::ads, s1), (Removed{{TableId::ads, 4}}));
}

TEST(MirrorWriter, TheSameKeyInTwoCommandsOfOneGroupLastWins) {
    test::MigratedDatabase db("w_group_dup");
    auto settings = test::settings_for(db.dsn());
    settings.channel_capacity = 64;
    settings.group_max_delay = std::chrono::seconds{10};  // one group, however slow the machine
    MirrorWriter w(settings, test::quiet_logger());
    test::run(w.ready());
    std::optional<TableLock> lock(std::in_place, db.dsn(), "ads");
    asio::io_context ioc;
    test::run(block_writer_on(w, TableId::ads, ad("x", "s", "c", "m")));
    wait_until_writer_blocked(db);
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            std::vector<model::Row> rows{campaign("1", "m", "old"), campaign("2", "m")};
            ListingKey none;
            co_await w.enqueue(TableId::campaigns, std::move(rows), std::move(none));
        },
        asio::detached);
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            std::vector<model::Row> rows{campaign("1", "m", "new")};
            ListingKey none;
            co_await w.enqueue(TableId::campaigns, std::move(rows), std::move(none));
        },
        asio::detached);
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            std::vector<model::Row> more{campaign("3", "m", "queued")};
            ListingKey none;
            co_await w.enqueue(TableId::campaigns, std::move(more), std::move(none));
            std::vector<model::Row> again{campaign("3", "m", "last")};
            ListingKey also_none;
            co_await w.enqueue(TableId::campaigns, std::move(again), std::move(also_none));
        },
        asio::detached);
    std::thread runner([&] { ioc.run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    lock.reset();
    runner.join();
    test::run(w.flush());
    EXPECT_EQ(db.value("SELECT string_agg(id || '=' || name, ',' ORDER BY id) FROM marin.campaigns"),
              "1=new,2=c,3=last");
    // keys 1 and 3 count once each; they never existed in between
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns_history"), 0);
    const auto totals = test::run(w.totals());
    EXPECT_EQ(totals.at(TableId::campaigns).inserted, 3);
    EXPECT_EQ(totals.at(TableId::campaigns).changed, 0);
}

TEST(MirrorWriter, PendingRowsAreBounded) {
    test::MigratedDatabase db("w_group_bound");
    auto settings = test::settings_for(db.dsn());
    settings.channel_capacity = 64;
    settings.group_max_delay = std::chrono::seconds{10};  // one group, however slow the machine
    settings.pending_rows = 5;
    MirrorWriter w(settings, test::quiet_logger());
    test::run(w.ready());
    std::optional<TableLock> lock(std::in_place, db.dsn(), "ads");
    asio::io_context ioc;
    test::run(block_writer_on(w, TableId::ads, ad("x", "s", "c", "m")));
    wait_until_writer_blocked(db);
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 12; ++i) {
                std::vector<model::Row> rows{campaign(std::to_string(i), "m")};
                ListingKey none;
                co_await w.enqueue(TableId::campaigns, std::move(rows), std::move(none));
            }
        },
        asio::detached);
    std::thread runner([&] { ioc.run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    lock.reset();
    runner.join();
    test::run(w.flush());
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns"), 12);
    // 12 queued rows in one group: merged 5 + 5 + 2, one commit
    EXPECT_EQ(db.count("SELECT DISTINCT xmin::text FROM marin.campaigns"), 1);
}

namespace {

// An ad as both listings send it: the same record (its _raw and hash do not
// depend on the link), with the ad-set link from an ad set's listing, or
// none and keeps_links from the campaign's listing.
model::Row listed_ad(const std::string& id, std::optional<std::string> ad_set_id, const std::string& name = "n") {
    auto row =
        test::make_row(TableId::ads, {{"id", id}, {"campaign_id", "c1"}, {"media_plan_id", "m1"}, {"name", name}});
    const auto link = model::table_spec(TableId::ads).link_positions().at(0);
    row.values[link] = ad_set_id;
    row.keeps_links = !ad_set_id;
    return row;
}

}  // namespace

TEST(MirrorWriter, AnAdSetLinkIsNeverClearedByAListingThatDoesNotKnowIt) {
    test::MigratedDatabase db("w_links");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    write(w, TableId::ads, {listed_ad("a1", "s1")});
    const auto synced = db.value("SELECT _synced_at FROM marin.ads WHERE id = 'a1'");
    const auto versions = tuple_versions(db, "ads");

    // The campaign's listing shows the same ad: nothing to write.
    auto r = write(w, TableId::ads, {listed_ad("a1", std::nullopt)});
    EXPECT_EQ(r.unchanged, 1);
    EXPECT_EQ(tuple_versions(db, "ads"), versions);
    EXPECT_EQ(db.value("SELECT ad_set_id FROM marin.ads WHERE id = 'a1'"), "s1");

    // ... with a changed record: written, the link kept.
    r = write(w, TableId::ads, {listed_ad("a1", std::nullopt, "renamed")});
    EXPECT_EQ(r.changed, 1);
    EXPECT_EQ(db.value("SELECT name || '|' || ad_set_id FROM marin.ads WHERE id = 'a1'"), "renamed|s1");
    EXPECT_EQ(db.value("SELECT name || '|' || ad_set_id FROM marin.ads_history"), "n|s1");
    EXPECT_NE(db.value("SELECT _synced_at FROM marin.ads WHERE id = 'a1'"), synced);

    // Both listings in one merge, in either order: the link is written.
    write(w, TableId::ads, {listed_ad("a2", "s2"), listed_ad("a2", std::nullopt)});
    write(w, TableId::ads, {listed_ad("a3", std::nullopt), listed_ad("a3", "s3")});
    EXPECT_EQ(db.value("SELECT string_agg(id || '=' || ad_set_id, ',' ORDER BY id) FROM marin.ads"),
              "a1=s1,a2=s2,a3=s3");

    // The ad moved to another ad set: a new version.
    r = write(w, TableId::ads, {listed_ad("a2", "s9")});
    EXPECT_EQ(r.changed, 1);
    EXPECT_EQ(db.value("SELECT ad_set_id FROM marin.ads WHERE id = 'a2'"), "s9");
    EXPECT_EQ(db.count("SELECT 1 FROM marin.ads_history WHERE id = 'a2' AND ad_set_id = 's2'"), 1);
}

TEST(MirrorWriter, ALinkLearntWhereNoneWasKnownIsNoNewVersion) {
    // The first load reads an ad from its campaign's listing, then its ad
    // set's listing names the link: one row, no history version.
    test::MigratedDatabase db("w_link_learnt");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    write(w, TableId::ads, {listed_ad("a1", std::nullopt)});
    EXPECT_EQ(db.value("SELECT coalesce(ad_set_id, 'null') FROM marin.ads"), "null");
    const auto synced = db.value("SELECT _synced_at FROM marin.ads");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto r = write(w, TableId::ads, {listed_ad("a1", "s1")});
    EXPECT_EQ(r.changed, 0) << "no change of the ad";
    EXPECT_EQ(r.unchanged, 1);
    EXPECT_EQ(db.value("SELECT ad_set_id FROM marin.ads"), "s1");
    EXPECT_EQ(db.count("SELECT 1 FROM marin.ads_history"), 0);
    // The row is as it was since its first load: its history has no gap.
    EXPECT_EQ(db.value("SELECT _synced_at FROM marin.ads"), synced);
    EXPECT_EQ(db.value("SELECT count(*) FROM marin.ads_as_of('" + synced + "')"), "1");
}

TEST(MirrorWriter, ARowWhoseOnlyDifferenceIsItsHashGetsTheNewHashAndNoVersion) {
    // A hash made by an older release (or before a migration added typed
    // columns, filled from _raw): the first run after the upgrade stores the
    // new hash and nothing else.
    test::MigratedDatabase db("w_rehash");
    MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    const auto row = campaign("1", "m", "same");
    write(w, TableId::campaigns, {row});
    const auto synced = db.value("SELECT _synced_at FROM marin.campaigns");
    db.value("UPDATE marin.campaigns SET _hash = 'made-by-an-older-release' RETURNING 1");
    const auto r = write(w, TableId::campaigns, {row});
    EXPECT_EQ(r.changed, 0);
    EXPECT_EQ(r.unchanged, 1) << "counted as unchanged: nothing about the campaign changed";
    EXPECT_EQ(db.value("SELECT _hash FROM marin.campaigns"), row.hash);
    EXPECT_EQ(db.value("SELECT _synced_at FROM marin.campaigns"), synced);
    EXPECT_EQ(db.count("SELECT 1 FROM marin.campaigns_history"), 0);
    // And the next run finds it unchanged.
    EXPECT_EQ(write(w, TableId::campaigns, {row}).unchanged, 1);
}
