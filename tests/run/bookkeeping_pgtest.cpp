// A run's bookkeeping takes one session (storage::RunLog), opened again only when it broke.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <thread>

#include <spdlog/logger.h>

#include "marin/storage/migrator.hpp"
#include "marin/storage/run_log.hpp"
#include "support/pg_test_db.hpp"

namespace {

using namespace marin;

constexpr const char* app_name = "marin-sync bookkeeping test";

std::int64_t sessions_of(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    return tx.exec_params1("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", app_name)[0]
        .as<std::int64_t>();
}

std::int64_t insert_run(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::work tx(c);
    const auto id = tx.exec1(
                          "INSERT INTO marin.sync_runs (mode, host, process_id, version) "
                          "VALUES ('full', 'test', 1, 'test') RETURNING run_id")[0]
                        .as<std::int64_t>();
    tx.commit();
    return id;
}

struct Bookkeeping : ::testing::Test {
    Bookkeeping() { storage::Migrator::migrate(db.dsn(), std::make_shared<spdlog::logger>("quiet")); }
    test::TestDatabase db{"bookkeeping"};
};

// Every statement a full run makes outside the writer, on one session.
TEST_F(Bookkeeping, EveryStatementOfARunOnOneSession) {
    const auto run_id = insert_run(db.dsn());
    storage::RunLog runs(db.dsn(), std::chrono::seconds(10), app_name);
    EXPECT_EQ(runs.sessions_opened(), 0);
    runs.mark_abandoned_runs(std::make_shared<spdlog::logger>("quiet"));
    EXPECT_EQ(runs.recent_runs(20).size(), 1u);
    EXPECT_TRUE(runs.completed_listings(run_id).empty());
    runs.recent_runs(50);
    runs.record_run_failures(run_id, {2, {"ads@adset:1: 500", "ads@adset:2: 500"}});
    const auto sums = runs.media_plan_stats_sums("mp-1", "2026-01-01", "2026-01-31");
    EXPECT_EQ(sums.impressions, "0");
    runs.record_stats_check(run_id, "[]");
    runs.forget_completed_listings(run_id);
    const auto failures = runs.run_failures_since(run_id);
    ASSERT_EQ(failures.count(run_id), 1u);
    EXPECT_EQ(failures.at(run_id).listings_failed, 2);
    EXPECT_EQ(failures.at(run_id).first.size(), 2u);
    EXPECT_EQ(runs.sessions_opened(), 1);
    EXPECT_EQ(sessions_of(db.dsn()), 1);
}

// The session ended from outside during a run (a server restart, an idle
// killer): the next statement opens it again, once, and the run's end is
// still recorded.
TEST_F(Bookkeeping, ASessionEndedFromOutsideIsOpenedAgain) {
    const auto run_id = insert_run(db.dsn());
    storage::RunLog runs(db.dsn(), std::chrono::seconds(10), app_name);
    runs.recent_runs(1);
    {
        pqxx::connection c(db.dsn());
        pqxx::nontransaction tx(c);
        tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", app_name);
    }
    for (int i = 0; i < 100 && sessions_of(db.dsn()) > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    runs.record_stats_check(run_id, "[{\"agree\": true}]");
    EXPECT_EQ(runs.sessions_opened(), 2);
    EXPECT_EQ(runs.recent_runs(1).size(), 1u);
    EXPECT_EQ(runs.sessions_opened(), 2);
}

}  // namespace
