// Hardening (issue 17), through the real binaries: the run lock stays real
// for the whole run (its session killed, idle_session_timeout on the
// database), idle clients never take the health check away, a stop request
// cuts the run log's reconnect short, start-up follows
// database.statement_timeout_s, and listings read twice are counted in
// sync_runs, /metrics and `marin-sync status`.
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <signal.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <regex>
#include <thread>

#include "harness.hpp"
#include "support/pg_private_cluster.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

long long ms_since(Clock::time_point t0) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

std::int64_t scalar(const std::string& dsn, const std::string& sql) {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<std::int64_t>();
}

std::string text(const std::string& dsn, const std::string& sql) {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<std::string>();
}

template <class F>
bool eventually(F f, Clock::duration limit, Clock::duration step = 50ms) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (f()) return true;
        std::this_thread::sleep_for(step);
    }
    return f();
}

// Waits for the process to end, at most `limit`; one still going is killed
// and the test fails.
ProcessResult wait_bounded(Process& p, Clock::duration limit, const std::string& what) {
    if (!eventually([&] { return !p.running(); }, limit, 20ms)) {
        p.kill(SIGKILL);
        auto r = p.wait();
        ADD_FAILURE() << what << ": still going after "
                      << std::chrono::duration_cast<std::chrono::seconds>(limit).count() << " s:\n"
                      << r.output;
        return r;
    }
    return p.wait();
}

// Two runs whose spans overlap, among those that recorded a row (a run
// refused before it wrote has none).
std::int64_t overlapping_runs(const std::string& dsn) {
    return scalar(dsn,
                  "SELECT count(*) FROM marin.sync_runs a JOIN marin.sync_runs b ON a.run_id < b.run_id "
                  "WHERE b.started_at < coalesce(a.finished_at, 'infinity')");
}

// Ends the backends of sessions named `application_name` in the database.
int terminate(const std::string& dsn, const std::string& application_name) {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    return tx
        .exec_params1(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()",
            application_name)[0]
        .as<int>();
}

// Scale small, every answer 15 ms late: a first load lasts well over ten
// seconds, long enough to hit it in the middle.
Simulator::Options long_run() { return sim_options("small", 43, {"--latency-ms", "15"}); }

class Hardening : public ::testing::Test {
  protected:
    // `toml`: the whole configuration file; `admin_dsn` empty: the shared
    // test cluster.
    void start(Simulator::Options sim, const std::string& toml, const std::string& admin_dsn = "") {
        db_ = admin_dsn.empty() ? std::make_unique<test::TestDatabase>("hard")
                                : std::make_unique<test::TestDatabase>("hard", admin_dsn);
        sim_ = std::make_unique<Simulator>(std::move(sim));
        env_.api_url = sim_->url();
        env_.key = sim_->key();
        env_.dsn = db_->dsn();
        env_.config_file = write_config(toml);
        auto migrate = run_sync(env_, {"migrate"});
        ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
    }

    // A full run, once it has checkpointed `listings` listings.
    std::unique_ptr<Process> start_run_and_wait_for(std::int64_t listings, std::vector<std::string> args = {}) {
        if (args.empty()) args = {"sync", "--full"};
        auto p = start_sync(env_, args);
        pqxx::connection c(db_->dsn());
        const bool reached = eventually(
            [&] {
                pqxx::nontransaction tx(c);
                return !p->running() ||
                       tx.exec1(
                             "SELECT count(*) FROM marin.sync_listings l JOIN marin.sync_runs r USING (run_id) "
                             "WHERE r.outcome = 'running'")[0]
                               .as<std::int64_t>() >= listings;
            },
            3min, 5ms);
        EXPECT_TRUE(reached && p->running()) << "the run ended before the fault:\n" << p->output();
        return p;
    }

    void expect_next_run_converges(const std::string& after) {
        auto next = run_sync(env_, {"sync", "--full"});
        ASSERT_EQ(next.exit_code, 0) << after << ": the next run failed:\n" << next.output;
        EXPECT_EQ(scalar(db_->dsn(), "SELECT count(*) FROM marin.sync_runs WHERE outcome = 'running'"), 0) << after;
        const auto diff = compare_mirror(db_->dsn(), *sim_);
        EXPECT_EQ(diff.problem_count, 0u) << after << ": " << describe(diff);
        const auto history = check_history(db_->dsn());
        EXPECT_EQ(history.problem_count, 0u) << after << ": " << describe(history);
    }

    std::unique_ptr<test::PrivateCluster> cluster_;  // before db_: outlives it
    std::unique_ptr<test::TestDatabase> db_;
    std::unique_ptr<Simulator> sim_;
    SyncEnv env_;
};

TEST_F(Hardening, RunLockSessionKilledStopsTheRunAndASecondRunNeverWritesBesideIt) {
    start(long_run(), fast_retries_toml);
    if (HasFatalFailure()) return;
    auto first = start_run_and_wait_for(3);
    ASSERT_TRUE(first->running());
    // The first run's writer is kept from finishing its work (its next
    // checkpoint, a few milliseconds away, waits for this lock), so that
    // the second run certainly comes while the first still writes. (One
    // table: locking several would deadlock with the writer.)
    auto holder = std::make_unique<pqxx::connection>(db_->dsn());
    auto tables_locked = std::make_unique<pqxx::work>(*holder);
    tables_locked->exec0("LOCK TABLE marin.sync_listings IN ACCESS EXCLUSIVE MODE");
    // What a DBA's idle-connection killer, a pooler or a failover does.
    ASSERT_EQ(terminate(db_->dsn(), "marin-sync run lock"), 1) << "no run-lock session found";
    const auto t0 = Clock::now();
    auto second = start_sync(env_, {"sync", "--full", "--no-wait"});
    const bool noticed =
        eventually([&] { return first->output().find("lost the run lock") != std::string::npos; }, 30s, 20ms);
    const auto noticed_ms = ms_since(t0);
    const auto second_result = wait_bounded(*second, 60s, "the second --no-wait run");
    std::printf("  the first run noticed its lost lock after %lld ms; the second --no-wait run: exit %d\n", noticed_ms,
                second_result.exit_code);
    EXPECT_TRUE(noticed) << first->output();
    EXPECT_LT(noticed_ms, 5000) << "a check a second";
    // The second run took the free run lock, but the first run's writer
    // still held the write lock: refused before writing anything.
    EXPECT_EQ(second_result.exit_code, 1) << second_result.output;
    EXPECT_NE(second_result.output.find("another marin-sync run is still writing"), std::string::npos)
        << second_result.output;
    EXPECT_EQ(scalar(db_->dsn(), "SELECT count(*) FROM marin.sync_runs"), 1) << "the second run began a run";

    tables_locked->abort();
    const auto t1 = Clock::now();
    const auto r = wait_bounded(*first, 60s, "the run whose lock was lost");
    std::printf("  the first run: exit %d, %lld ms after its writer could go on\n", r.exit_code, ms_since(t1));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("lost the run lock"), std::string::npos) << r.output;
    EXPECT_EQ(text(db_->dsn(),
                   "SELECT outcome || ': ' || coalesce(error, '') FROM marin.sync_runs ORDER BY run_id "
                   "LIMIT 1")
                  .rfind("failed: lost the run lock", 0),
              0u);
    EXPECT_EQ(overlapping_runs(db_->dsn()), 0);
    expect_next_run_converges("a lost run lock");
}

TEST_F(Hardening, IdleSessionTimeoutOnTheDatabaseEndsNoneOfOurSessions) {
    start(long_run(), fast_retries_toml);
    if (HasFatalFailure()) return;
    {
        pqxx::connection c(db_->dsn());
        pqxx::nontransaction tx(c);
        tx.exec0(
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET idle_session_timeout = ''1s''', "
            "current_database()); END $$");
    }
    auto first = start_run_and_wait_for(3);
    ASSERT_TRUE(first->running());
    // The lock session has been idle for well over a second by now.
    std::this_thread::sleep_for(2500ms);
    ASSERT_TRUE(first->running()) << "the run ended too soon to prove anything:\n" << first->output();
    auto second = run_sync(env_, {"sync", "--full", "--no-wait"});
    EXPECT_EQ(second.exit_code, 1) << second.output;
    EXPECT_NE(second.output.find("another marin-sync run holds the run lock"), std::string::npos) << second.output;
    const auto r = wait_bounded(*first, 3min, "the run under idle_session_timeout");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find("no new session yet"), std::string::npos) << "the run-log session was ended:\n" << r.output;
    EXPECT_EQ(overlapping_runs(db_->dsn()), 0);
    {
        // The test's own checks below hold sessions idle for a while.
        pqxx::connection c(db_->dsn());
        pqxx::nontransaction tx(c);
        tx.exec0(
            "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET idle_session_timeout', current_database()); "
            "END $$");
    }
    expect_next_run_converges("idle_session_timeout = 1s");
}

TEST_F(Hardening, StopRequestCutsTheRunLogReconnectShort) {
    cluster_ = std::make_unique<test::PrivateCluster>();
    start(long_run(), fast_retries_toml, cluster_->admin_dsn());
    if (HasFatalFailure()) return;
    auto p = start_run_and_wait_for(3);
    ASSERT_TRUE(p->running());
    // The server goes away: the run fails and, to record how it ended, asks
    // for a new run-log session 5 times over 7.5 s.
    cluster_->stop_server();
    ASSERT_TRUE(
        eventually([&] { return p->output().find("no new session yet") != std::string::npos || !p->running(); }, 60s))
        << p->output();
    ASSERT_TRUE(p->running()) << "the run ended before its reconnect:\n" << p->output();
    const auto t0 = Clock::now();
    p->kill(SIGTERM);
    const auto r = wait_bounded(*p, 60s, "a stop during the reconnect");
    const auto took = ms_since(t0);
    std::printf("  exit %d, %lld ms after SIGTERM (the reconnect alone takes up to 7.5 s)\n", r.exit_code, took);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_LT(took, 3000) << r.output;
    EXPECT_NE(r.output.find("a stop was requested"), std::string::npos) << r.output;
    cluster_->start_server();
    // The next run finds the row 'running' with no live owner: interrupted.
    expect_next_run_converges("a stop during the reconnect");
    EXPECT_EQ(text(db_->dsn(), "SELECT outcome FROM marin.sync_runs ORDER BY run_id LIMIT 1"), "interrupted");
}

TEST_F(Hardening, StartUpFollowsTheStatementTimeout) {
    start(sim_options("tiny", 43),
          std::string(fast_retries_toml) + "[database]\nstatement_timeout_s = 2\n[metrics]\nlisten = \"\"\n");
    if (HasFatalFailure()) return;
    {
        // A lock on the schema's version table: `sync` and `daemon` give up
        // after the setting's 2 s, not a fixed minute.
        pqxx::connection holder(db_->dsn());
        pqxx::work lock(holder);
        lock.exec0("LOCK TABLE marin.schema_migrations IN ACCESS EXCLUSIVE MODE");
        for (const auto& args : {std::vector<std::string>{"sync", "--full"}, std::vector<std::string>{"daemon"}}) {
            const auto t0 = Clock::now();
            auto p = start_sync(env_, args);
            const auto r = wait_bounded(*p, 90s, args[0] + " with marin.schema_migrations locked");
            const auto took = ms_since(t0);
            std::printf("  %s: exit %d after %lld ms\n", args[0].c_str(), r.exit_code, took);
            EXPECT_EQ(r.exit_code, 1) << r.output;
            EXPECT_NE(r.output.find("statement_timeout"), std::string::npos) << r.output;
            EXPECT_LT(took, 20'000) << args[0];
        }
    }
    {
        // The daemon's read of the last runs, before its first run.
        pqxx::connection holder(db_->dsn());
        pqxx::work lock(holder);
        lock.exec0("LOCK TABLE marin.sync_runs IN ACCESS EXCLUSIVE MODE");
        const auto t0 = Clock::now();
        auto daemon = start_sync(env_, {"daemon"});
        const bool said =
            eventually([&] { return daemon->output().find("could not read the last runs") != std::string::npos; }, 40s);
        const auto took = ms_since(t0);
        daemon->kill(SIGKILL);
        const auto r = daemon->wait();
        std::printf("  daemon: gave up reading the last runs after %lld ms\n", took);
        EXPECT_TRUE(said) << r.output;
        EXPECT_LT(took, 20'000);
        EXPECT_NE(r.output.find("statement_timeout"), std::string::npos) << r.output;
    }
}

TEST_F(Hardening, DaemonAnswersHealthBesideIdleClientsAndCountsListingsReadTwice) {
    const int port = free_port();
    // Totals that drift on every page (some fall): listings are read twice.
    start(sim_options("tiny", 43, {"--ptotal-drift", "1"}),
          "[api]\npage_limit = 3\nbackoff_initial_ms = 20\nbackoff_max_ms = 200\n"
          "[daemon]\nincremental_interval_min = 60\n[metrics]\nlisten = \"127.0.0.1:" +
              std::to_string(port) + "\"\n");
    if (HasFatalFailure()) return;
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    auto daemon = start_sync(env_, {"daemon"});
    ASSERT_TRUE(eventually([&] { return http_get(base + "/healthz").status != 0; }, 30s)) << daemon->output();

    // 40 clients that connect and never send a request (a stuck scraper, a
    // port scan): more than the listener's 32 slots.
    std::vector<int> idle;
    for (int i = 0; i < 40; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        ASSERT_GE(fd, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0) << "idle client " << i;
        idle.push_back(fd);
    }
    struct CloseAll {
        std::vector<int>& fds;
        ~CloseAll() {
            for (int fd : fds) ::close(fd);
        }
    } close_all{idle};
    std::this_thread::sleep_for(200ms);
    long long slowest = 0;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = Clock::now();
        const auto answer = http_get(base + "/healthz");
        const auto took = ms_since(t0);
        slowest = std::max(slowest, took);
        EXPECT_TRUE(answer.status == 200 || answer.status == 503) << "health check " << i << ": " << answer.status;
        EXPECT_LT(took, 2000) << "health check " << i;
        std::this_thread::sleep_for(300ms);
    }
    std::printf("  /healthz beside 40 idle clients: slowest answer %lld ms\n", slowest);

    // The catch-up run completes (the drift is harmless) and says how many
    // listings it read twice: in its row, in /metrics, in `status`.
    ASSERT_TRUE(eventually([&] { return http_get(base + "/healthz").status == 200; }, 5min, 200ms)) << daemon->output();
    const auto reread = scalar(db_->dsn(), "SELECT listings_reread FROM marin.sync_runs ORDER BY run_id LIMIT 1");
    EXPECT_GT(reread, 0) << daemon->output();
    std::smatch m;
    const auto out = daemon->output();
    ASSERT_TRUE(std::regex_search(out, m, std::regex("([0-9]+) listings read twice"))) << out;
    EXPECT_EQ(std::stoll(m[1]), reread);
    const auto metrics = http_get(base + "/metrics").body;
    EXPECT_NE(metrics.find("marin_listings_reread_total " + std::to_string(reread) + "\n"), std::string::npos)
        << metrics;
    daemon->kill(SIGTERM);
    EXPECT_EQ(daemon->wait().exit_code, 0);

    auto status = run_sync(env_, {"status", "--limit", "1"});
    ASSERT_EQ(status.exit_code, 0) << status.output;
    EXPECT_NE(status.output.find("reread"), std::string::npos) << status.output;
    EXPECT_TRUE(std::regex_search(status.output, std::regex(" " + std::to_string(reread) + "  "))) << status.output;
}

}  // namespace
}  // namespace marin::e2e
