#include <gtest/gtest.h>

#include <thread>

#include <pqxx/pqxx>

#include "marin/storage/run_lock.hpp"
#include "storage_test_util.hpp"

using namespace marin;
using storage::LockMode;
using storage::RunLock;

TEST(RunLock, SecondRunFailsFastOrWaitsAcrossSessions) {
    test::TestDatabase db("lock");
    auto first = RunLock::acquire(db.dsn(), LockMode::fail_fast);
    EXPECT_TRUE(first->held());
    try {
        RunLock::acquire(db.dsn(), LockMode::fail_fast);
        FAIL() << "second lock acquired";
    } catch (const storage::RunLockBusy& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("backend pid " + std::to_string(first->backend_pid())), std::string::npos) << msg;
        EXPECT_NE(msg.find("marin-sync run lock"), std::string::npos) << msg;
    }
    const auto started = std::chrono::steady_clock::now();
    try {
        RunLock::acquire(db.dsn(), LockMode::wait, std::chrono::milliseconds{300});
        FAIL() << "second lock acquired while waiting";
    } catch (const storage::RunLockBusy& e) {
        EXPECT_NE(std::string(e.what()).find("waited 300 ms"), std::string::npos) << e.what();
    }
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds{300});
    // A waiter gets the lock once the holder lets go.
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds{200});
        first.reset();
    });
    auto second = RunLock::acquire(db.dsn(), LockMode::wait, std::chrono::seconds{10});
    release.join();
    EXPECT_TRUE(second->held());
}

// The lock's session ended from outside (a DBA's idle-connection killer):
// lost() says so, naming the session, instead of the run going on unaware.
TEST(RunLock, LossOfItsSessionIsReported) {
    test::TestDatabase db("lost");
    auto lock = RunLock::acquire(db.dsn(), LockMode::fail_fast);
    EXPECT_FALSE(lock->lost());
    {
        pqxx::connection admin(db.dsn());
        pqxx::nontransaction tx(admin);
        ASSERT_TRUE(tx.exec_params1("SELECT pg_terminate_backend($1)", lock->backend_pid())[0].as<bool>());
    }
    std::optional<std::string> lost;
    for (int i = 0; i < 100 && !lost; ++i) {
        lost = lock->lost();
        if (!lost) std::this_thread::sleep_for(std::chrono::milliseconds{20});
    }
    ASSERT_TRUE(lost);
    EXPECT_EQ(
        lost->rfind("lost the run lock: its session (backend pid " + std::to_string(lock->backend_pid()) + ")", 0), 0u)
        << *lost;
    EXPECT_FALSE(lock->held());
    // And the lock is free for another run.
    EXPECT_NO_THROW(RunLock::acquire(db.dsn(), LockMode::fail_fast));
}

// Our sessions ignore idle timeouts set on the database for people's.
TEST(RunLock, SessionOutlivesTheDatabasesIdleSessionTimeout) {
    test::TestDatabase db("idle");
    {
        pqxx::connection admin(db.dsn());
        pqxx::nontransaction tx(admin);
        tx.exec0("ALTER DATABASE \"" + db.name() + "\" SET idle_session_timeout = '500ms'");
        tx.exec0("ALTER DATABASE \"" + db.name() + "\" SET idle_in_transaction_session_timeout = '500ms'");
    }
    auto lock = RunLock::acquire(db.dsn(), LockMode::fail_fast);
    std::this_thread::sleep_for(std::chrono::milliseconds{1500});
    const auto lost = lock->lost();
    EXPECT_FALSE(lost) << lost.value_or("");
}

// The writer's session holds the write lock: a second writer cannot start
// while the first lives, whatever happened to the run lock.
TEST(WriteLock, SecondWriterIsRefusedOrWaits) {
    test::MigratedDatabase db("wlock");
    auto s = test::settings_for(db.dsn());
    s.write_lock = storage::WriteLockPolicy{LockMode::fail_fast, {}};
    auto first = std::make_unique<storage::MirrorWriter>(s, test::quiet_logger());
    test::run(first->ready());
    {
        storage::MirrorWriter second(s, test::quiet_logger());
        try {
            test::run(second.ready());
            FAIL() << "a second writer started";
        } catch (const storage::StorageError& e) {
            EXPECT_NE(std::string(e.what()).find("another marin-sync run is still writing"), std::string::npos)
                << e.what();
            EXPECT_NE(std::string(e.what()).find("marin-sync writer"), std::string::npos) << e.what();
        }
    }
    auto waiting = s;
    waiting.write_lock = storage::WriteLockPolicy{LockMode::wait, std::chrono::milliseconds{10'000}};
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds{300});
        first.reset();
    });
    storage::MirrorWriter third(waiting, test::quiet_logger());
    EXPECT_NO_THROW(test::run(third.ready()));
    release.join();
}

TEST(RunLog, BeginFinishAndRecentRuns) {
    test::MigratedDatabase db("runs");
    storage::MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    const auto run_id = test::run(w.begin_run("full"));
    auto runs = storage::recent_runs(db.dsn(), 10);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].outcome, storage::RunOutcome::running);
    EXPECT_FALSE(runs[0].finished_at);
    // A live run is not abandoned.
    EXPECT_TRUE(storage::mark_abandoned_runs(db.dsn(), test::quiet_logger()).empty());

    storage::RunTotals totals;
    totals.tables[model::TableId::ads] = {10, 3, 2, 5, 1};
    totals.requests_by_status = {{200, 42}, {429, 3}, {0, 1}};
    totals.retries = 4;
    totals.sanitized_values = 2;
    totals.listings_reread = 3;
    test::run(w.finish_run(run_id, storage::RunOutcome::succeeded, totals, ""));
    runs = storage::recent_runs(db.dsn(), 10);
    ASSERT_EQ(runs.size(), 1u);
    const auto& r = runs[0];
    EXPECT_EQ(r.run_id, run_id);
    EXPECT_EQ(r.mode, "full");
    EXPECT_EQ(r.outcome, storage::RunOutcome::succeeded);
    ASSERT_TRUE(r.finished_at);
    EXPECT_GE(*r.finished_at, r.started_at);
    EXPECT_EQ(r.totals.tables.at(model::TableId::ads).unchanged, 5);
    EXPECT_EQ(r.totals.tables.at(model::TableId::ads).removed, 1);
    EXPECT_EQ(r.totals.requests_by_status, totals.requests_by_status);
    EXPECT_EQ(r.totals.retries, 4);
    EXPECT_EQ(r.totals.sanitized_values, 2);
    EXPECT_EQ(r.totals.listings_reread, 3);
    EXPECT_EQ(db.value("SELECT listings_reread FROM marin.sync_runs"), "3");
    EXPECT_EQ(r.error, "");
    EXPECT_GT(r.process_id, 0);
    EXPECT_EQ(db.value("SELECT rows->'ads'->>'inserted' FROM marin.sync_runs"), "3");
}

TEST(RunLog, ARunWhoseProcessIsGoneBecomesInterrupted) {
    test::MigratedDatabase db("abandoned");
    std::int64_t run_id = 0;
    {
        storage::MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
        run_id = test::run(w.begin_run("incremental"));
    }  // gone without finish_run, as a killed process would be
    const auto changed = storage::mark_abandoned_runs(db.dsn(), test::quiet_logger());
    EXPECT_EQ(changed, std::vector<std::int64_t>{run_id});
    const auto runs = storage::recent_runs(db.dsn(), 5);
    EXPECT_EQ(runs.at(0).outcome, storage::RunOutcome::interrupted);
    EXPECT_NE(runs.at(0).error.find("abandoned"), std::string::npos);
    // a failed run keeps its error
    storage::MirrorWriter w(test::settings_for(db.dsn()), test::quiet_logger());
    const auto second = test::run(w.begin_run("full"));
    test::run(w.finish_run(second, storage::RunOutcome::failed, storage::RunTotals{}, "API refused the key"));
    EXPECT_EQ(storage::recent_runs(db.dsn(), 1).at(0).error, "API refused the key");
}
