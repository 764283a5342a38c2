// Database faults (issue 7, item 2), through the real binaries: PostgreSQL
// restarted in the middle of a run (on a private cluster: the shared one must
// never be restarted), the writer's session killed from the server side, and
// a statement that hangs on a lock. Each time the run either completes or
// fails with exit 1 and a message that says what happened, within a bounded
// time; it writes nothing wrong; and the next run completes and converges.
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <regex>
#include <thread>

#include "harness.hpp"
#include "support/pg_private_cluster.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::int64_t scalar(const std::string& dsn, const std::string& sql) {
    pqxx::connection c(dsn);
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<std::int64_t>();
}

// Listings checkpointed by the run in progress.
std::int64_t running_listings(pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    return tx
        .exec1(
            "SELECT count(*) FROM marin.sync_listings l JOIN marin.sync_runs r USING (run_id) "
            "WHERE r.outcome = 'running'")[0]
        .as<std::int64_t>();
}

// Waits for the run to end, at most `limit`; a run still going then has hung:
// it is killed and the test fails.
ProcessResult wait_bounded(Process& p, Clock::duration limit, const std::string& what) {
    const auto deadline = Clock::now() + limit;
    while (p.running() && Clock::now() < deadline) std::this_thread::sleep_for(20ms);
    if (p.running()) {
        p.kill(SIGKILL);
        auto r = p.wait();
        ADD_FAILURE() << what << ": the run was still going after "
                      << std::chrono::duration_cast<std::chrono::seconds>(limit).count() << " s (hung):\n"
                      << r.output;
        return r;
    }
    return p.wait();
}

// The last line of the run's output: its one-line summary.
std::string summary_of(const std::string& output) {
    const auto end = output.find_last_not_of('\n');
    if (end == std::string::npos) return {};
    const auto start = output.rfind('\n', end);
    return output.substr(start == std::string::npos ? 0 : start + 1,
                         end - (start == std::string::npos ? 0 : start + 1) + 1);
}

class DatabaseFaults : public ::testing::Test {
  protected:
    // `admin_dsn` empty: the shared test cluster.
    void start(const std::string& admin_dsn, const std::string& extra_toml = "", int seed = 41) {
        db_ = admin_dsn.empty() ? std::make_unique<test::TestDatabase>("dbfault")
                                : std::make_unique<test::TestDatabase>("dbfault", admin_dsn);
        // Ten days back: the epochs below move the simulator's today on, and
        // its statistics must stay inside the window a full run reads. 5 ms
        // more per answer: a run must still be going when its fault comes.
        sim_ = std::make_unique<Simulator>(sim_options("tiny", seed, {"--today", days_ago(10), "--latency-ms", "5"}));
        env_.api_url = sim_->url();
        env_.key = sim_->key();
        env_.dsn = db_->dsn();
        env_.config_file = write_config(std::string(fast_retries_toml) + extra_toml);
        auto migrate = run_sync(env_, {"migrate"});
        ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
        auto first = run_sync(env_, {"sync", "--full"});
        ASSERT_EQ(first.exit_code, 0) << first.output;
        expect_converged("first run");
    }

    void expect_converged(const std::string& after) {
        const auto diff = compare_mirror(db_->dsn(), *sim_);
        EXPECT_EQ(diff.problem_count, 0u) << after << ": " << describe(diff);
        EXPECT_GT(diff.rows_compared, 0u) << after;
        rows_compared_ += diff.rows_compared;
        const auto history = check_history(db_->dsn());
        EXPECT_EQ(history.problem_count, 0u) << after << ": " << describe(history);
    }

    // What a failed or interrupted run left must not be wrong, only behind:
    // with the simulator moved on, rows may be missing or stale, never
    // removed when the simulator still lists them, duplicated, or unknown.
    void expect_nothing_wrong(const std::string& after) {
        CompareOptions all;
        all.keep_problems = 1'000'000;
        const auto diff = compare_mirror(db_->dsn(), *sim_, all);
        std::size_t wrong = 0;
        std::string first;
        for (const auto& p : diff.problems) {
            const bool bad = p.find("removed is true, expected false") != std::string::npos ||
                             p.find("duplicate key") != std::string::npos ||
                             p.find("in the mirror but not expected") != std::string::npos;
            if (bad && wrong++ < 10) first += "\n  " + p;
        }
        EXPECT_EQ(wrong, 0u) << after << ": rows written wrong:" << first;
        const auto history = check_history(db_->dsn());
        EXPECT_EQ(history.problem_count, 0u) << after << ": " << describe(history);
    }

    // The next run completes; no run is left 'running'; the mirror converges.
    void expect_next_run_converges(const std::string& after) {
        auto next = run_sync(env_, {"sync", "--full"});
        ASSERT_EQ(next.exit_code, 0) << after << ": the next run failed:\n" << next.output;
        EXPECT_EQ(scalar(db_->dsn(), "SELECT count(*) FROM marin.sync_runs WHERE outcome = 'running'"), 0) << after;
        expect_converged("the run after " + after);
    }

    // A run after an epoch, to be hit once it checkpointed `listings`.
    std::unique_ptr<Process> start_run_and_wait_for(std::int64_t listings) {
        sim_->epoch();
        auto p = start_sync(env_, {"sync", "--full"});
        pqxx::connection c(db_->dsn());
        const auto deadline = Clock::now() + 3min;
        while (p->running() && running_listings(c) < listings && Clock::now() < deadline)
            std::this_thread::sleep_for(5ms);
        EXPECT_TRUE(p->running()) << "the run ended before the fault could be injected:\n" << p->output();
        return p;
    }

    // Before db_: a private cluster outlives the database made on it.
    std::unique_ptr<test::PrivateCluster> cluster_;
    std::unique_ptr<test::TestDatabase> db_;
    std::unique_ptr<Simulator> sim_;
    SyncEnv env_;
    std::size_t rows_compared_ = 0;
};

// What a message about a lost session says (ours, or the server's).
const std::regex lost_database(
    "lost the connection to PostgreSQL|the server ended the session|terminating connection due to administrator "
    "command|the database system is (shutting down|starting up)");

// A run that lost its database ends with exit 1 and says so (or, if the
// fault missed everything it still had to write, succeeds).
void expect_clear_database_failure(const ProcessResult& r, const std::string& what) {
    EXPECT_TRUE(r.exit_code == 1 || r.exit_code == 0) << what << ": exit " << r.exit_code << "\n" << r.output;
    if (r.exit_code != 1) return;
    EXPECT_TRUE(std::regex_search(r.output, lost_database)) << what << ": no clear message about the database:\n"
                                                            << r.output;
    EXPECT_NE(summary_of(r.output).find("full sync failed"), std::string::npos) << what << ": the run's summary line:\n"
                                                                                << r.output;
    EXPECT_EQ(r.output.find("AddressSanitizer"), std::string::npos) << r.output;
}

TEST_F(DatabaseFaults, ServerRestartedInTheMiddleOfARunThenTheNextRunConverges) {
    cluster_ = std::make_unique<test::PrivateCluster>();
    auto& cluster = *cluster_;
    start(cluster.admin_dsn());
    if (HasFatalFailure()) return;
    // Early (parents being read), in the middle, and late (most leaf
    // listings done; a tiny run checkpoints about 35).
    int restarts = 0;
    for (const std::int64_t at : {1, 8, 16}) {
        const auto what = "restart after " + std::to_string(at) + " listings";
        auto p = start_run_and_wait_for(at);
        if (!p->running()) continue;
        const auto t0 = Clock::now();
        cluster.restart();
        ++restarts;
        const auto r = wait_bounded(*p, 2min, what);
        std::printf(
            "  %s: exit %d, %lld ms after the restart began; %s\n", what.c_str(), r.exit_code,
            static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count()),
            summary_of(r.output).c_str());
        expect_clear_database_failure(r, what);
        if (r.exit_code == 1) {
            // The run-log session died with the restart: the run's end is
            // recorded on a new one once the server is back, cause included
            // (not left 'running' to be found abandoned later).
            pqxx::connection c(db_->dsn());
            pqxx::read_transaction tx(c);
            const auto row =
                tx.exec1("SELECT outcome, coalesce(error, '') FROM marin.sync_runs ORDER BY run_id DESC LIMIT 1");
            EXPECT_EQ(row[0].as<std::string>(), "failed") << what << "\n" << r.output;
            EXPECT_TRUE(std::regex_search(row[1].as<std::string>(), lost_database)) << what << ": " << row[1].c_str();
        }
        expect_nothing_wrong(what);
        expect_next_run_converges(what);
        if (HasFatalFailure()) {
            std::fprintf(stderr, "server log:\n%s\n", cluster.server_log_tail().c_str());
            return;
        }
    }
    EXPECT_EQ(restarts, 3);
    std::printf("%d restarts, %zu rows compared\n", restarts, rows_compared_);
}

// Terminates the backends of marin-sync sessions named `application_name`
// in the test database; returns how many.
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

TEST_F(DatabaseFaults, WritersSessionKilledFromTheServerSideFailsClearlyThenTheNextRunConverges) {
    start("");
    if (HasFatalFailure()) return;
    const auto what = "pg_terminate_backend of the writer";
    auto p = start_run_and_wait_for(10);
    ASSERT_TRUE(p->running());
    ASSERT_EQ(terminate(db_->dsn(), "marin-sync writer"), 1) << "no writer session found";
    const auto r = wait_bounded(*p, 2min, what);
    std::printf("  %s: exit %d; %s\n", what, r.exit_code, summary_of(r.output).c_str());
    EXPECT_EQ(r.exit_code, 1) << r.output;
    expect_clear_database_failure(r, what);
    // The run log has its own session: the failure is recorded with its cause.
    pqxx::connection c(db_->dsn());
    pqxx::read_transaction tx(c);
    const auto row = tx.exec1("SELECT outcome, coalesce(error, '') FROM marin.sync_runs ORDER BY run_id DESC LIMIT 1");
    EXPECT_EQ(row[0].as<std::string>(), "failed");
    EXPECT_TRUE(std::regex_search(row[1].as<std::string>(), lost_database)) << row[1].c_str();
    EXPECT_EQ(row[1].as<std::string>().find('\n'), std::string::npos) << "one line: " << row[1].c_str();
    expect_nothing_wrong(what);
    expect_next_run_converges(what);
}

TEST_F(DatabaseFaults, RunLogSessionKilledTheRunStillRecordsItsEnd) {
    start("");
    if (HasFatalFailure()) return;
    const auto what = "pg_terminate_backend of the run log";
    auto p = start_run_and_wait_for(10);
    ASSERT_TRUE(p->running());
    ASSERT_EQ(terminate(db_->dsn(), "marin-sync run log"), 1) << "no run-log session found";
    const auto r = wait_bounded(*p, 2min, what);
    std::printf("  %s: exit %d; %s\n", what, r.exit_code, summary_of(r.output).c_str());
    // The mirror's session is intact: the run completes and records its end
    // on a new session.
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(scalar(db_->dsn(), "SELECT count(*) FROM marin.sync_runs WHERE outcome = 'running'"), 0);
    expect_converged(what);
    expect_next_run_converges(what);
}

TEST_F(DatabaseFaults, StatementBlockedByALockFailsAfterStatementTimeoutAndWritesNothing) {
    start("", "[database]\nstatement_timeout_s = 2\n");
    if (HasFatalFailure()) return;
    // No epoch: the run has nothing to change, so after it the mirror must
    // equal the expected state exactly, whatever it did before it failed.
    const auto writes = data_tuple_writes(db_->dsn());
    // A mirror table (the writer's merge waits), the checkpoints (the
    // writer's group commit waits) and the run log (the run's bookkeeping
    // waits, before it starts).
    for (const std::string table : {"marin.campaigns", "marin.sync_listings", "marin.sync_runs"}) {
        const auto what = "ACCESS EXCLUSIVE lock on " + table;
        {
            pqxx::connection holder(db_->dsn());
            pqxx::work lock(holder);
            lock.exec0("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
            const auto t0 = Clock::now();
            auto p = start_sync(env_, {"sync", "--full"});
            const auto r = wait_bounded(*p, 90s, what);
            const auto took = Clock::now() - t0;
            std::printf("  %s: exit %d after %lld ms; %s\n", what.c_str(), r.exit_code,
                        static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()),
                        summary_of(r.output).c_str());
            EXPECT_EQ(r.exit_code, 1) << what << "\n" << r.output;
            EXPECT_NE(r.output.find("statement_timeout"), std::string::npos) << what << ": no mention of the timeout\n"
                                                                             << r.output;
            static const std::regex failed_summary("full sync (failed|not started)");
            EXPECT_TRUE(std::regex_search(summary_of(r.output), failed_summary)) << r.output;
            // 2 s of statement timeout, plus start-up and the crawl until it
            // reaches the table, under ASan on a loaded machine.
            EXPECT_LT(took, 45s) << what;
            lock.abort();
        }
        expect_converged(what + " (after the failed run)");
        EXPECT_EQ(data_tuple_writes(db_->dsn()), writes) << what << ": the failed run wrote data rows";
        expect_next_run_converges(what);
        EXPECT_EQ(data_tuple_writes(db_->dsn()), writes) << "an unchanged mirror costs no writes";
    }
}

}  // namespace
}  // namespace marin::e2e
