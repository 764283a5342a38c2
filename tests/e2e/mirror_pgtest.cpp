// The sync engine end to end (issue "The sync engine"): the real marin-sync
// against the real marin-sim over loopback and a database of the test
// cluster, compared with the simulator's expected state.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "harness.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;

// Quick retries so that fault tests do not wait out production backoffs.
const char* fast_retries = R"(
[api]
max_attempts = 10
backoff_initial_ms = 20
backoff_max_ms = 200
connect_timeout_s = 5
read_timeout_s = 5
request_timeout_s = 30
)";

std::string describe(const MirrorDiff& d) {
    std::string s = std::to_string(d.problem_count) + " problems in " + std::to_string(d.rows_compared) + " rows";
    for (const auto& p : d.problems) s += "\n  " + p;
    return s;
}

class Mirror : public ::testing::Test {
protected:
    void start(Simulator::Options options) {
        sim_ = std::make_unique<Simulator>(std::move(options));
        env_.api_url = sim_->url();
        env_.key = sim_->key();
        env_.dsn = db_.dsn();
        env_.config_file = write_config(fast_retries);
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
    start({.scale = "small", .seed = 42});
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
}

TEST_F(Mirror, EpochThenIncrementalThenFullEqualsExpectedState) {
    start({.scale = "tiny", .seed = 5});
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
    start({.scale = "tiny", .seed = 9});
    ASSERT_EQ(sync().exit_code, 0);
    const auto before = data_tuple_writes(db_.dsn());
    ASSERT_GT(before, 0);
    auto again = sync();
    ASSERT_EQ(again.exit_code, 0) << again.output;
    EXPECT_EQ(data_tuple_writes(db_.dsn()), before) << again.output;
    expect_equal();
}

TEST_F(Mirror, TenPercentFaultsStillConverge) {
    start({.scale = "tiny",
           .seed = 11,
           .extra_args = {"--p429", "0.03", "--p500", "0.02", "--p503", "0.02", "--pdrop", "0.02", "--pslow",
                          "0.01"}});
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
}

TEST_F(Mirror, KillNineAtSeveralPointsThenFullSyncConverges) {
    start({.scale = "small", .seed = 13});
    for (auto delay : {150ms, 400ms, 900ms, 1600ms}) {
        auto p = start_sync(env_, {"sync", "--full"});
        std::this_thread::sleep_for(delay);
        p->kill(SIGKILL);
        p->wait();
    }
    auto r = sync();
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_equal();
}

TEST_F(Mirror, RefusedKeyExitsThreeAndWritesNothing) {
    start({.scale = "tiny", .seed = 3});
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
