// Crashes (issue 7, item 1): `marin-sync sync --full` killed with SIGKILL at
// points spread over a run, by time and by progress (checkpointed listings,
// rows in the mirror), each followed by a normal run; after each, the mirror
// must equal the simulator's expected state (no row missing, no duplicate,
// no wrong removal) and its version history must still chain. The simulator
// moves on an epoch before each killed run, so every killed run has changes,
// removals and restated statistics to write when it dies.
#include <gtest/gtest.h>
#include <pqxx/pqxx>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "harness.hpp"
#include "marin/model/table_spec.hpp"

namespace marin::e2e {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Watches a run from outside through its own session: what it checkpointed
// and what the mirror holds.
class Probe {
  public:
    explicit Probe(const std::string& dsn) : conn_(dsn) {
        for (const auto& t : model::all_tables())
            rows_sql_ += (rows_sql_.empty() ? "SELECT " : " + ") + std::string("(SELECT count(*) FROM marin.") +
                         std::string(t.name) + ")";
    }
    // Listings checkpointed by the run in progress (carried-over ones included).
    std::int64_t listings() {
        return scalar(
            "SELECT count(*) FROM marin.sync_listings l JOIN marin.sync_runs r "
            "USING (run_id) WHERE r.outcome = 'running'");
    }
    std::int64_t listings_of(std::int64_t run_id) {
        pqxx::nontransaction tx(conn_);
        return tx.exec_params1("SELECT count(*) FROM marin.sync_listings WHERE run_id = $1", run_id)[0]
            .as<std::int64_t>();
    }
    std::int64_t rows() { return scalar(rows_sql_); }
    std::int64_t last_run_id() { return scalar("SELECT coalesce(max(run_id), 0) FROM marin.sync_runs"); }
    std::string outcome_of(std::int64_t run_id) {
        pqxx::nontransaction tx(conn_);
        const auto r = tx.exec_params("SELECT outcome FROM marin.sync_runs WHERE run_id = $1", run_id);
        return r.empty() ? std::string("(no row)") : r[0][0].as<std::string>();
    }
    std::int64_t scalar(const std::string& sql) {
        pqxx::nontransaction tx(conn_);
        return tx.exec1(sql)[0].as<std::int64_t>();
    }
    // Back to a freshly migrated database: every marin table but the
    // migrations' record emptied.
    void empty_mirror() {
        pqxx::work tx(conn_);
        std::string list;
        for (const auto& r : tx.exec("SELECT format('marin.%I', tablename) FROM pg_tables WHERE schemaname = 'marin' "
                                     "AND tablename <> 'schema_migrations'"))
            list += (list.empty() ? "" : ", ") + std::string(r[0].c_str());
        tx.exec0("TRUNCATE " + list);
        tx.commit();
    }

  private:
    pqxx::connection conn_;
    std::string rows_sql_;
};

struct KillPoint {
    enum class By { time, listings, rows } by;
    double fraction;  // of the reference run's duration, listings or rows
};

const char* name_of(KillPoint::By by) {
    switch (by) {
        case KillPoint::By::time:
            return "time";
        case KillPoint::By::listings:
            return "listings";
        case KillPoint::By::rows:
            return "rows";
    }
    return "?";
}

// What a complete full run of this simulator takes, measured by the test.
struct Reference {
    Clock::duration wall{};
    std::int64_t listings = 0;  // checkpoints a full run records
    std::int64_t rows = 0;      // live rows of a complete mirror
};

class Crash : public ::testing::Test {
  protected:
    void SetUp() override {
        // Each epoch moves the simulator's today a day on; starting 25 days
        // back keeps its statistics inside the window a full run reads
        // (by the real clock) for all the epochs below.
        sim_ = std::make_unique<Simulator>(sim_options("tiny", 31, {"--today", days_ago(25)}));
        env_.api_url = sim_->url();
        env_.key = sim_->key();
        env_.dsn = db_.dsn();
        env_.config_file = write_config(fast_retries_toml);
        auto migrate = run_sync(env_, {"migrate"});
        ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
        probe_ = std::make_unique<Probe>(db_.dsn());
    }

    ProcessResult sync() { return run_sync(env_, {"sync", "--full"}); }

    // The mirror equals the simulator's state, history included, and no run
    // is left 'running'.
    void expect_converged(const std::string& after) {
        const auto diff = compare_mirror(db_.dsn(), *sim_);
        EXPECT_EQ(diff.problem_count, 0u) << after << ": " << describe(diff);
        EXPECT_GT(diff.rows_compared, 0u) << after;
        rows_compared_ += diff.rows_compared;
        const auto history = check_history(db_.dsn());
        EXPECT_EQ(history.problem_count, 0u) << after << ": " << describe(history);
        EXPECT_EQ(probe_->scalar("SELECT count(*) FROM marin.sync_runs WHERE outcome = 'running'"), 0) << after;
    }

    // Starts a full run and kills it at `point`. Returns true when the kill
    // landed (the run was still going), false when the run ended first.
    struct Kill {
        bool landed = false;
        std::int64_t run_id = 0;  // the killed run's row, 0 if it died before writing one
        std::int64_t listings = 0;
        std::int64_t rows = 0;
        Clock::duration after{};
        std::string output;
    };
    Kill start_and_kill(const KillPoint& point, const Reference& ref) {
        const auto before = probe_->last_run_id();
        const auto started = Clock::now();
        auto p = start_sync(env_, {"sync", "--full"});
        const auto deadline = started + 5min;
        const auto threshold = [&](std::int64_t total) {
            return std::max<std::int64_t>(1, static_cast<std::int64_t>(point.fraction * static_cast<double>(total)));
        };
        while (p->running() && Clock::now() < deadline) {
            bool reached = false;
            switch (point.by) {
                case KillPoint::By::time:
                    reached = Clock::now() - started >=
                              std::chrono::duration_cast<Clock::duration>(ref.wall * point.fraction);
                    break;
                case KillPoint::By::listings:
                    reached = probe_->listings() >= threshold(ref.listings);
                    break;
                case KillPoint::By::rows:
                    reached = probe_->rows() >= threshold(ref.rows);
                    break;
            }
            if (reached) break;
            std::this_thread::sleep_for(point.by == KillPoint::By::time ? 2ms : 5ms);
        }
        Kill k;
        k.after = Clock::now() - started;
        p->kill(SIGKILL);
        const auto r = p->wait();
        k.landed = r.exit_code == -SIGKILL;
        k.output = r.output;
        const auto last = probe_->last_run_id();
        k.run_id = last > before ? last : 0;
        k.listings = k.run_id ? probe_->listings_of(k.run_id) : 0;
        k.rows = probe_->rows();
        return k;
    }

    // A kill, then a normal run that must succeed, resume what the killed
    // run checkpointed, and leave the mirror equal to the expected state.
    void kill_then_recover(const KillPoint& point, const Reference& ref, int index, int& landed) {
        const auto label = "kill " + std::to_string(index) + " by " + name_of(point.by) + " at " +
                           std::to_string(static_cast<int>(point.fraction * 100)) + "%";
        const auto k = start_and_kill(point, ref);
        if (k.landed) ++landed;
        // 'running', or 'succeeded' when the kill came after the run had
        // recorded its end (its last steps: figures check, pruning).
        const auto killed_outcome = k.run_id ? probe_->outcome_of(k.run_id) : std::string("(no row)");
        if (k.run_id) {
            EXPECT_TRUE(killed_outcome == "running" || (killed_outcome == "succeeded" && point.fraction > 0.5))
                << label << ": the killed run's row says " << killed_outcome;
        }
        auto r = sync();
        ASSERT_EQ(r.exit_code, 0) << label << ": the run after the kill failed:\n" << r.output;
        if (killed_outcome == "running") {
            // Found abandoned, marked so, and resumed from its checkpoints.
            EXPECT_EQ(probe_->outcome_of(k.run_id), "interrupted") << label << ": the killed run's row";
            if (k.listings > 0) {
                EXPECT_NE(r.output.find("resuming run " + std::to_string(k.run_id)), std::string::npos)
                    << label << ": " << k.listings << " listings were checkpointed, the next run did not resume them\n"
                    << r.output;
            }
        } else {
            // A run that succeeded is never resumed, even with its checkpoints left.
            EXPECT_EQ(r.output.find("resuming run"), std::string::npos) << label << "\n" << r.output;
        }
        expect_converged(label);
        std::printf("  %-28s %s after %5lld ms: run %lld (%s) had %3lld listings checkpointed, mirror %5lld rows\n",
                    label.c_str(), k.landed ? "killed " : "ENDED  ",
                    static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(k.after).count()),
                    static_cast<long long>(k.run_id), killed_outcome.c_str(), static_cast<long long>(k.listings),
                    static_cast<long long>(k.rows));
        std::fflush(stdout);
    }

    test::TestDatabase db_{"crash"};
    std::unique_ptr<Simulator> sim_;
    std::unique_ptr<Probe> probe_;
    SyncEnv env_;
    std::size_t rows_compared_ = 0;
};

TEST_F(Crash, KillNineAtTwentyTwoPointsByTimeAndProgressEachFollowedByANormalRun) {
    // The first run fills the mirror and is the reference: how long a full
    // run lasts and how many listings it checkpoints (polled while it runs:
    // they are pruned once it succeeded).
    Reference ref;
    {
        const auto started = Clock::now();
        auto p = start_sync(env_, {"sync", "--full"});
        while (p->running()) {
            ref.listings = std::max(ref.listings, probe_->listings());
            std::this_thread::sleep_for(5ms);
        }
        ref.wall = Clock::now() - started;
        const auto r = p->wait();
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    expect_converged("first run");
    ASSERT_GE(ref.listings, 20) << "too few listings to spread kill points over";
    std::printf("reference full run: %lld ms, %lld listings checkpointed\n",
                static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(ref.wall).count()),
                static_cast<long long>(ref.listings));

    int landed = 0, index = 0;
    // By time: from just after start-up to the very end (the figures check
    // and the run's last record).
    for (double f : {0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 0.98}) {
        sim_->epoch();
        kill_then_recover({KillPoint::By::time, f}, ref, ++index, landed);
        if (HasFatalFailure()) return;
    }
    // By checkpointed listings: the first one, spread over the run, and all
    // of them (the kill then lands in the run's final steps).
    for (double f : {0.0, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 1.0}) {
        sim_->epoch();
        kill_then_recover({KillPoint::By::listings, f}, ref, ++index, landed);
        if (HasFatalFailure()) return;
    }
    // By rows in the mirror, during a first load into an empty mirror (no
    // earlier version of any row; the parents' listings are being read).
    // Another world, fresh (at its first epoch nothing was ever removed, so
    // a first load must hold exactly what it expects).
    sim_ = std::make_unique<Simulator>(sim_options("tiny", 37, {"--today", days_ago(2)}));
    env_.api_url = sim_->url();
    probe_->empty_mirror();
    {
        // What a complete first load holds: every expected row.
        CompareOptions count_only;
        count_only.keep_problems = 0;
        ref.rows = static_cast<std::int64_t>(compare_mirror(db_.dsn(), *sim_, count_only).rows_compared);
    }
    for (double f : {0.02, 0.2, 0.4, 0.6, 0.8, 0.97}) {
        probe_->empty_mirror();
        kill_then_recover({KillPoint::By::rows, f}, ref, ++index, landed);
        if (HasFatalFailure()) return;
    }
    std::printf("%d of %d kills landed in a running sync; %zu rows compared\n", landed, index, rows_compared_);
    EXPECT_GE(landed, 20) << "kill points must land in a running sync: the machine may be much faster than the "
                             "reference run suggested";
}

TEST_F(Crash, KillDuringAResumedRunThenTheNextRunResumesBothAndConverges) {
    // Answers 10 ms slower: the resumed run has a third of a tiny run to do,
    // and must still be going when it is killed.
    sim_ = std::make_unique<Simulator>(sim_options("tiny", 31, {"--today", days_ago(25), "--latency-ms", "10"}));
    env_.api_url = sim_->url();
    auto first = sync();
    ASSERT_EQ(first.exit_code, 0) << first.output;
    sim_->epoch();

    // Run A: killed once it checkpointed 10 listings (of about 35).
    auto a = start_sync(env_, {"sync", "--full"});
    const auto deadline = Clock::now() + 3min;
    while (a->running() && probe_->listings() < 10 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    a->kill(SIGKILL);
    ASSERT_EQ(a->wait().exit_code, -SIGKILL) << "run A ended before it could be killed: " << a->output();
    const auto run_a = probe_->last_run_id();
    const auto done_a = probe_->listings_of(run_a);
    ASSERT_GE(done_a, 10);

    // Run B resumes A (carries A's checkpoints over) and is killed once it
    // checkpointed 5 listings of its own.
    auto b = start_sync(env_, {"sync", "--full"});
    while (b->running() && probe_->listings() < done_a + 5 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    b->kill(SIGKILL);
    const auto b_result = b->wait();
    ASSERT_EQ(b_result.exit_code, -SIGKILL) << "run B ended before it could be killed: " << b_result.output;
    EXPECT_NE(b_result.output.find("resuming run " + std::to_string(run_a)), std::string::npos) << b_result.output;
    const auto run_b = probe_->last_run_id();
    ASSERT_GT(run_b, run_a);
    const auto done_b = probe_->listings_of(run_b);
    EXPECT_GE(done_b, done_a + 5) << "run B carries run A's checkpoints over";

    // Run C resumes B: everything A and B completed is not read again.
    auto c = sync();
    ASSERT_EQ(c.exit_code, 0) << c.output;
    EXPECT_NE(c.output.find("resuming run " + std::to_string(run_b)), std::string::npos) << c.output;
    EXPECT_NE(c.output.find(std::to_string(done_b) + " resumed"), std::string::npos) << c.output;
    EXPECT_EQ(probe_->outcome_of(run_a), "interrupted");
    EXPECT_EQ(probe_->outcome_of(run_b), "interrupted");
    expect_converged("after A and B were killed");
}

}  // namespace
}  // namespace marin::e2e
