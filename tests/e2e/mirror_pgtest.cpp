// The sync engine end to end (issue "The sync engine"): the real marin-sync
// against the real marin-sim over loopback and a database of the test
// cluster, compared with the simulator's expected state.
#include <gtest/gtest.h>

#include <algorithm>
#include <signal.h>

#include <pqxx/pqxx>

#include <regex>
#include <thread>

#include "harness.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;

class Mirror : public ::testing::Test {
  protected:
    void start(Simulator::Options options) {
        sim_ = std::make_unique<Simulator>(std::move(options));
        env_.api_url = sim_->url();
        env_.key = sim_->key();
        env_.dsn = db_.dsn();
        env_.config_file = write_config(fast_retries_toml);
        auto migrate = run_sync(env_, {"migrate"});
        ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
    }
    ProcessResult sync(std::vector<std::string> args = {"sync", "--full"}) { return run_sync(env_, args); }
    void expect_equal(const CompareOptions& options = {}) {
        const auto diff = compare_mirror(db_.dsn(), *sim_, options);
        EXPECT_EQ(diff.problem_count, 0u) << describe(diff);
        EXPECT_GT(diff.rows_compared, 0u);
    }

    test::TestDatabase db_{"e2e"};
    std::unique_ptr<Simulator> sim_;
    SyncEnv env_;
};

TEST_F(Mirror, FullSyncOfSmallEqualsExpectedState) {
    start(sim_options("small", 42));
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
    // The run checked its own figures against the API's media-plan totals.
    pqxx::connection c(db_.dsn());
    pqxx::read_transaction tx(c);
    const auto check = tx.exec1(
        "SELECT jsonb_array_length(stats_check), (SELECT count(*) FROM jsonb_array_elements(stats_check) e "
        "WHERE (e->>'agree')::boolean) FROM marin.sync_runs ORDER BY run_id DESC LIMIT 1");
    EXPECT_GE(check[0].as<int>(), 1) << r.output;
    EXPECT_EQ(check[1].as<int>(), check[0].as<int>()) << r.output;
}

TEST_F(Mirror, EpochThenIncrementalThenFullEqualsExpectedState) {
    start(sim_options("tiny", 5));
    ASSERT_EQ(sync().exit_code, 0);
    sim_->epoch();
    auto inc = sync({"sync"});
    ASSERT_EQ(inc.exit_code, 0) << inc.output;
    // What an incremental run skips (README, "What an incremental run skips"):
    // the ad sets and ads of campaigns that are deleted, archived or ended
    // before the lookback window, and statistics older than the lookback.
    // Everything else must already be exact.
    CompareOptions incremental;
    incremental.skip = [](const std::string& table, const boost::json::object&) {
        return table == "ad_sets" || table == "ads" || table == "ad_stats_daily";
    };
    expect_equal(incremental);
    auto full = sync();
    ASSERT_EQ(full.exit_code, 0) << full.output;
    expect_equal();
}

TEST_F(Mirror, UnchangedFullResyncWritesNoDataRow) {
    start(sim_options("tiny", 9));
    ASSERT_EQ(sync().exit_code, 0);
    const auto before = data_tuple_writes(db_.dsn());
    ASSERT_GT(before, 0);
    auto again = sync();
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(data_tuple_writes(db_.dsn()), before) << again.output;
    expect_equal();
}

TEST_F(Mirror, TenPercentFaultsStillConverge) {
    start(sim_options("tiny", 11,
                      {"--p429", "0.03", "--p500", "0.02", "--p503", "0.02", "--pdrop", "0.02", "--pslow", "0.01"}));
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
}

// A number of the run's summary line (not of a progress line before it, which
// a run longer than ten seconds logs too).
std::int64_t summary_number(const std::string& output, const std::string& what) {
    std::size_t from = 0;
    for (const char* end : {" sync succeeded in ", " sync failed in ", " sync interrupted in "})
        if (const auto at = output.rfind(end); at != std::string::npos) from = std::max(from, at);
    std::smatch m;
    const std::regex re("([0-9]+) " + what);
    const std::string summary = output.substr(from);
    return std::regex_search(summary, m, re) ? std::stoll(m[1]) : -1;
}

TEST_F(Mirror, RunAfterAKillReadsAgainOnlyWhatWasUnfinished) {
    start(sim_options("small", 19));
    auto p = start_sync(env_, {"sync", "--full"});
    // Kill once a good share of listings are checkpointed.
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    for (;;) {
        pqxx::connection c(db_.dsn());
        pqxx::read_transaction tx(c);
        if (tx.exec1("SELECT count(*) FROM marin.sync_listings")[0].as<int>() >= 100) break;
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << p->output();
        ASSERT_TRUE(p->running()) << "finished before it could be killed: " << p->output();
        std::this_thread::sleep_for(20ms);
    }
    p->kill(SIGKILL);
    p->wait();
    auto resumed = sync();
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("resuming run"), std::string::npos) << resumed.output;
    EXPECT_GE(summary_number(resumed.output, "resumed"), 100) << resumed.output;
    expect_equal();
    auto again = sync();
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(again.output.find("resuming run"), std::string::npos) << "a succeeded run is never resumed";
    EXPECT_LT(summary_number(resumed.output, "requests"), summary_number(again.output, "requests"));
}

TEST_F(Mirror, RefusedKeyExitsThreeAndWritesNothing) {
    start(sim_options("tiny", 3));
    ASSERT_EQ(sync().exit_code, 0);
    const auto counts = row_counts(db_.dsn());
    const auto writes = data_tuple_writes(db_.dsn());
    auto bad = env_;
    bad.key = "not-the-key";
    auto r = run_sync(bad, {"sync", "--full"});
    EXPECT_EQ(r.exit_code, 3) << r.output;
    EXPECT_NE(r.output.find("refused"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("not-the-key"), std::string::npos) << "the key leaked into the output";
    EXPECT_EQ(row_counts(db_.dsn()), counts);
    EXPECT_EQ(data_tuple_writes(db_.dsn()), writes);
}

}  // namespace
}  // namespace marin::e2e
