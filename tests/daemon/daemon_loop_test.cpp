// Daemon: the loop's signals (SIGTERM, a second SIGTERM, SIGHUP reload),
// runs that never overlap, retries after a failed run.
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "marin/daemon/daemon_loop.hpp"
#include "marin/daemon/logging.hpp"

namespace {

using namespace std::chrono_literals;
using namespace marin::daemon;
using namespace marin::run;
using marin::model::RunMode;

struct FakeClock {
    std::atomic<TimePoint::rep> ticks{TimePoint{std::chrono::seconds(1'700'000'000)}.time_since_epoch().count()};
    TimePoint now() const { return TimePoint{TimePoint::duration{ticks.load()}}; }
    void advance(std::chrono::nanoseconds d) { ticks += std::chrono::duration_cast<TimePoint::duration>(d).count(); }
};

// Polls (without sleeping long) until pred holds or 5 s pass.
template <typename Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 5000; ++i) {
        if (pred()) return true;
        std::this_thread::sleep_for(1ms);
    }
    return pred();
}

bool contains(const std::vector<std::string>& messages, std::string_view needle) {
    for (const auto& m : messages) {
        if (m.find(needle) != std::string::npos) return true;
    }
    return false;
}

class DaemonLoopTest : public ::testing::Test {
  protected:
    DaemonLoopTest()
        : logger(make_logger("daemon", spdlog::level::debug, LogFormat::text,
                             std::make_shared<spdlog::sinks::ostream_sink_mt>(log))) {
        hooks.last_success = [](RunMode) { return std::optional<TimePoint>{}; };
        hooks.reload = [](std::string&) { return true; };
        hooks.schedule = [] {
            ScheduleConfig c;
            c.incremental_interval = 60min;
            return c;
        };
        options.version = "0.0.test";
        options.now = [this] { return clock.now(); };
        options.max_sleep = 2ms;
        options.status_interval = 5ms;
        options.retry_delay = 60s;
    }

    std::string log_text() {
        logger->flush();
        return log.str();
    }

    std::ostringstream log;
    std::shared_ptr<spdlog::logger> logger;
    FakeClock clock;
    DaemonHooks hooks;
    DaemonOptions options;
    RecordingNotifier notifier{40ms};
    ProgressBoard board{[this] { return clock.now(); }};
    boost::asio::io_context io;
};

TEST_F(DaemonLoopTest, SigtermDuringRunSetsStopAndExitsAfterTheRun) {
    std::atomic<int> calls{0};
    std::atomic<bool> saw_stop{false};
    std::atomic<int> told{0};
    // The run hears of the stop at once, not only at its next look at the flag.
    hooks.stop_run = [&] { ++told; };
    hooks.run = [&](RunMode mode, const std::atomic<bool>& stop) {
        ++calls;
        EXPECT_EQ(mode, RunMode::full);  // nothing recorded: a full run first
        board.begin_run(mode);           // as run::run_once reports itself
        ::kill(::getpid(), SIGTERM);
        saw_stop = eventually([&] { return stop.load(); });
        std::this_thread::sleep_for(20ms);  // "commit what is in flight"
        board.end_run(false, true, "interrupted after 3 pages");
        return RunResult{false, true, "interrupted after 3 pages"};
    };
    DaemonLoop loop(io, hooks, notifier, logger, options, &board);
    loop.mark_ready();
    EXPECT_EQ(loop.run(), DaemonLoop::exit_ok);
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(saw_stop);
    EXPECT_EQ(told, 1);
    const auto messages = notifier.messages();
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(messages.front(), "READY=1\nSTATUS=marin-sync 0.0.test up");
    EXPECT_TRUE(contains(messages, "STOPPING=1"));
    EXPECT_TRUE(contains(messages, "STATUS=full sync"));
    // The run reports its own end (run/run_reporting.cpp); the loop adds
    // nothing to the board, so the run is there once.
    const auto runs = board.snapshot().recent_runs;
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_TRUE(runs[0].interrupted);
}

TEST_F(DaemonLoopTest, SecondSigtermExitsFast) {
    std::atomic<bool> release{false};
    std::atomic<int> fast_status{-1};
    options.fast_exit = [&](int status) { fast_status = status; };
    hooks.run = [&](RunMode, const std::atomic<bool>& stop) {
        ::kill(::getpid(), SIGTERM);
        eventually([&] { return stop.load(); });
        ::kill(::getpid(), SIGTERM);  // the operator insists
        eventually([&] { return release.load(); });
        return RunResult{false, true, ""};
    };
    {
        DaemonLoop loop(io, hooks, notifier, logger, options, &board);
        loop.mark_ready();
        EXPECT_EQ(loop.run(), 128 + SIGTERM);
        EXPECT_EQ(fast_status, 143);
        release = true;
    }  // the destructor joins the abandoned run
    EXPECT_NE(log_text().find("second SIGTERM"), std::string::npos);
}

TEST_F(DaemonLoopTest, SigtermWhileIdleExitsAtOnce) {
    hooks.last_success = [this](RunMode) { return std::optional<TimePoint>(clock.now()); };
    hooks.run = [](RunMode, const std::atomic<bool>&) {
        ADD_FAILURE() << "nothing is due";
        return RunResult{};
    };
    DaemonLoop loop(io, hooks, notifier, logger, options, &board);
    loop.mark_ready();
    std::thread signaller([&] {
        eventually([&] { return contains(notifier.messages(), "READY=1"); });
        ::kill(::getpid(), SIGINT);
    });
    EXPECT_EQ(loop.run(), DaemonLoop::exit_ok);
    signaller.join();
    EXPECT_TRUE(contains(notifier.messages(), "STOPPING=1"));
    ASSERT_TRUE(loop.next_planned());  // it had planned the next incremental
    EXPECT_EQ(loop.next_planned()->mode, RunMode::incremental);
}

TEST_F(DaemonLoopTest, SighupReloadsAndARefusedFileKeepsGoing) {
    hooks.last_success = [this](RunMode) { return std::optional<TimePoint>(clock.now()); };
    hooks.run = [](RunMode, const std::atomic<bool>&) {
        ADD_FAILURE() << "nothing is due";
        return RunResult{};
    };
    std::atomic<int> reloads{0}, schedules{0};
    hooks.reload = [&](std::string& error) {
        if (++reloads == 1) {
            error = "marin-sync.toml:3: expected a value";
            return false;
        }
        return true;
    };
    hooks.schedule = [&] {
        ++schedules;
        ScheduleConfig c;
        c.incremental_interval = 60min;
        return c;
    };
    DaemonLoop loop(io, hooks, notifier, logger, options, &board);
    loop.mark_ready();
    std::thread signaller([&] {
        eventually([&] { return contains(notifier.messages(), "READY=1"); });
        ::kill(::getpid(), SIGHUP);
        eventually([&] { return reloads == 1; });
        ::kill(::getpid(), SIGHUP);
        eventually([&] { return reloads == 2; });
        std::this_thread::sleep_for(100ms);  // a few watchdog periods
        loop.request_stop();
    });
    EXPECT_EQ(loop.run(), DaemonLoop::exit_ok);
    signaller.join();
    EXPECT_EQ(reloads, 2);
    EXPECT_EQ(schedules, 2);  // at ready, and after the accepted reload only
    const std::string text = log_text();
    EXPECT_NE(text.find("reload refused, keeping the running configuration: marin-sync.toml:3: expected a value"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("configuration reloaded"), std::string::npos);
    const auto messages = notifier.messages();
    EXPECT_TRUE(contains(messages, "RELOADING=1"));
    int watchdogs = 0;
    for (const auto& m : messages) watchdogs += m == "WATCHDOG=1";
    EXPECT_GE(watchdogs, 2);
}

TEST_F(DaemonLoopTest, RunsNeverOverlap) {
    std::atomic<int> active{0}, max_active{0}, calls{0};
    std::mutex mutex;
    std::vector<std::pair<TimePoint, TimePoint>> spans;
    std::atomic<bool> done{false};
    DaemonLoop* loop_ptr = nullptr;
    hooks.run = [&](RunMode, const std::atomic<bool>&) {
        const int now_active = ++active;
        int seen = max_active.load();
        while (now_active > seen && !max_active.compare_exchange_weak(seen, now_active)) {}
        const TimePoint start = clock.now();
        std::this_thread::sleep_for(3ms);
        clock.advance(5min);
        const TimePoint end = clock.now();
        {
            std::lock_guard lock(mutex);
            spans.emplace_back(start, end);
        }
        --active;
        if (++calls == 6) loop_ptr->request_stop();
        return RunResult{true, false, "ok"};
    };
    DaemonLoop loop(io, hooks, notifier, logger, options, &board);
    loop_ptr = &loop;
    // Time runs fast: every incremental is due a few milliseconds after the last.
    std::thread ticker([&] {
        while (!done) {
            clock.advance(7min);
            std::this_thread::sleep_for(1ms);
        }
    });
    loop.mark_ready();
    EXPECT_EQ(loop.run(), DaemonLoop::exit_ok);
    done = true;
    ticker.join();
    EXPECT_EQ(calls, 6);
    EXPECT_EQ(max_active, 1);
    for (std::size_t i = 1; i < spans.size(); ++i) EXPECT_GE(spans[i].first, spans[i - 1].second);
    EXPECT_TRUE(board.snapshot().recent_runs.empty());  // the runs report themselves
    ASSERT_TRUE(loop.last_success());
}

TEST_F(DaemonLoopTest, FailedRunWaitsBeforeRetrying) {
    std::atomic<int> calls{0};
    std::vector<TimePoint> starts;
    std::mutex mutex;
    DaemonLoop* loop_ptr = nullptr;
    hooks.run = [&](RunMode mode, const std::atomic<bool>&) -> RunResult {
        {
            std::lock_guard lock(mutex);
            starts.push_back(clock.now());
        }
        if (++calls == 1) throw std::runtime_error("database went away");
        EXPECT_EQ(mode, RunMode::full);  // the full run is still owed
        loop_ptr->request_stop();
        return RunResult{true, false, ""};
    };
    DaemonLoop loop(io, hooks, notifier, logger, options, &board);
    loop_ptr = &loop;
    std::atomic<bool> done{false};
    std::thread ticker([&] {
        while (!done) {
            clock.advance(5s);
            std::this_thread::sleep_for(1ms);
        }
    });
    loop.mark_ready();
    EXPECT_EQ(loop.run(), DaemonLoop::exit_ok);
    done = true;
    ticker.join();
    ASSERT_EQ(starts.size(), 2u);
    EXPECT_GE(starts[1] - starts[0], 60s);  // retry_delay
    EXPECT_NE(log_text().find("run failed: database went away"), std::string::npos) << log_text();
}

// The run logs its own summary (run/run_reporting.cpp); the loop must not
// log it again, for a run that succeeded or one that failed.
TEST_F(DaemonLoopTest, TheLoopNeverLogsARunsSummary) {
    std::atomic<int> calls{0};
    DaemonLoop* loop_ptr = nullptr;
    hooks.run = [&](RunMode, const std::atomic<bool>&) {
        if (++calls == 1) return RunResult{false, false, "full sync failed in 1.0s: SUMMARY-OF-RUN-1"};
        loop_ptr->request_stop();
        return RunResult{true, false, "full sync succeeded in 1.0s: SUMMARY-OF-RUN-2"};
    };
    options.retry_delay = 1s;
    DaemonLoop loop(io, hooks, notifier, logger, options, &board);
    loop_ptr = &loop;
    std::atomic<bool> done{false};
    std::thread ticker([&] {
        while (!done) {
            clock.advance(1s);
            std::this_thread::sleep_for(1ms);
        }
    });
    loop.mark_ready();
    EXPECT_EQ(loop.run(), DaemonLoop::exit_ok);
    done = true;
    ticker.join();
    ASSERT_EQ(calls, 2);
    const std::string text = log_text();
    EXPECT_EQ(text.find("SUMMARY-OF-RUN"), std::string::npos) << text;
    EXPECT_NE(text.find("full run failed (1 in a row); next attempt in 1s"), std::string::npos) << text;
}

}  // namespace
