// The service end to end: `marin-sync daemon` against the simulator (metrics,
// health, SIGTERM in the middle of a run, resume), and two runs that must
// never overlap.
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <signal.h>
#include <unistd.h>

#include <regex>
#include <sstream>
#include <thread>

#include "harness.hpp"

namespace marin::e2e {
namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

template <class F>
bool eventually(F f, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (f()) return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

std::vector<std::string> run_outcomes(const std::string& dsn) {
    pqxx::connection c(dsn);
    pqxx::read_transaction tx(c);
    std::vector<std::string> out;
    for (const auto& r : tx.exec("SELECT outcome FROM marin.sync_runs ORDER BY run_id")) out.emplace_back(r[0].c_str());
    return out;
}

class Service : public ::testing::Test {
  protected:
    void SetUp() override {
        // Slow enough answers that a run lasts a few seconds.
        sim_ = std::make_unique<Simulator>(sim_options("small", 17, {"--latency-ms", "3"}));
        port_ = free_port();
        env_.api_url = sim_->url();
        env_.key = sim_->key();
        env_.dsn = db_.dsn();
        env_.config_file = write_config(
            "[api]\nbackoff_initial_ms = 20\nbackoff_max_ms = 200\n"
            "[daemon]\nincremental_interval_min = 5\nhealth_max_age_min = 5\n"
            "[metrics]\nlisten = \"127.0.0.1:" +
            std::to_string(port_) + "\"\n");
        auto migrate = run_sync(env_, {"migrate"});
        ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
    }
    HttpAnswer get(const std::string& path) { return http_get("http://127.0.0.1:" + std::to_string(port_) + path); }

    test::TestDatabase db_{"svc"};
    std::unique_ptr<Simulator> sim_;
    SyncEnv env_;
    int port_ = 0;
};

TEST_F(Service, DaemonServesMetricsAndHealthStopsOnSigtermAndResumes) {
    auto daemon = start_sync(env_, {"daemon"});
    // Not healthy until a run has succeeded.
    ASSERT_TRUE(eventually([&] { return get("/healthz").status == 503; }, 30s)) << daemon->output();
    // The catch-up run starts at once; stop it in the middle.
    ASSERT_TRUE(eventually(
        [&] { return get("/metrics").body.find("marin_run_in_progress{mode=\"full\"} 1") != std::string::npos; }, 30s))
        << get("/metrics").body << daemon->output();
    std::this_thread::sleep_for(1500ms);
    const auto t0 = Clock::now();
    daemon->kill(SIGTERM);
    const auto stopped = daemon->wait();
    const auto stop_time = Clock::now() - t0;
    EXPECT_EQ(stopped.exit_code, 0) << stopped.output;
    EXPECT_LT(stop_time, 30s) << "TimeoutStopSec is 60 s";
    ASSERT_FALSE(run_outcomes(db_.dsn()).empty());
    EXPECT_EQ(run_outcomes(db_.dsn()).back(), "interrupted") << stopped.output;
    // A run's start and summary are logged once (by the run; the loop only
    // schedules).
    EXPECT_EQ(occurrences(stopped.output, "sync started (run"), 1u) << stopped.output;
    EXPECT_EQ(occurrences(stopped.output, "full sync interrupted in"), 1u) << stopped.output;
    EXPECT_EQ(occurrences(stopped.output, "run interrupted"), 0u) << stopped.output;

    // A new daemon resumes: its catch-up run completes the mirror.
    auto again = start_sync(env_, {"daemon"});
    ASSERT_TRUE(eventually([&] { return get("/healthz").status == 200; }, 300s)) << again->output();
    const auto metrics = get("/metrics");
    ASSERT_EQ(metrics.status, 200);
    // Every sample line parses as the Prometheus text format.
    static const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (-?[0-9.eE+-]+|[+-]Inf|NaN)$)");
    std::istringstream lines(metrics.body);
    std::string line;
    int samples = 0;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        EXPECT_TRUE(std::regex_match(line, sample)) << line;
        ++samples;
    }
    EXPECT_GT(samples, 10);
    EXPECT_NE(metrics.body.find("marin_runs_total{mode=\"full\",outcome=\"success\"} 1"), std::string::npos)
        << metrics.body;
    EXPECT_NE(metrics.body.find("marin_requests_total"), std::string::npos);
    EXPECT_EQ(metrics.body.find(sim_->key()), std::string::npos) << "the key leaked into /metrics";
    const auto page = get("/");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("<html"), std::string::npos);
    again->kill(SIGTERM);
    EXPECT_EQ(again->wait().exit_code, 0);
    EXPECT_EQ(again->output().find(sim_->key()), std::string::npos) << "the key leaked into the log";
    EXPECT_EQ(occurrences(again->output(), "sync started (run"), 1u) << again->output();
    EXPECT_EQ(occurrences(again->output(), "full sync succeeded in"), 1u) << again->output();
    EXPECT_EQ(occurrences(again->output(), "run succeeded"), 0u) << again->output();

    const auto diff = compare_mirror(db_.dsn(), *sim_);
    EXPECT_EQ(diff.problem_count, 0u) << (diff.problems.empty() ? "" : diff.problems.front());
}

TEST_F(Service, TwoRunsNeverOverlap) {
    auto first = start_sync(env_, {"sync", "--full"});
    ASSERT_TRUE(eventually(
        [&] {
            auto o = run_outcomes(db_.dsn());
            return !o.empty() && o.back() == "running";
        },
        60s))
        << first->output();
    // --no-wait: exits at once with a clear message.
    auto busy = run_sync(env_, {"sync", "--no-wait"});
    EXPECT_EQ(busy.exit_code, 1) << busy.output;
    EXPECT_NE(busy.output.find("lock"), std::string::npos) << busy.output;
    // --wait: runs after the first one ended.
    auto second = start_sync(env_, {"sync", "--wait"});
    EXPECT_EQ(first->wait().exit_code, 0);
    EXPECT_EQ(second->wait().exit_code, 0) << second->output();
    pqxx::connection c(db_.dsn());
    pqxx::read_transaction tx(c);
    const auto overlaps = tx.exec1(
                                "SELECT count(*) FROM marin.sync_runs a JOIN marin.sync_runs b ON a.run_id < b.run_id "
                                "WHERE b.started_at < a.finished_at")[0]
                              .as<int>();
    EXPECT_EQ(overlaps, 0);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM marin.sync_runs WHERE outcome = 'succeeded'")[0].as<int>(), 2);
}

}  // namespace
}  // namespace marin::e2e
