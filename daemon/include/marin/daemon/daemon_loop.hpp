#pragma once
// The daemon's main loop: schedule, signals, sd_notify, one run at a time.
//
// Threads: run() drives the io_context on the calling (main) thread; signals,
// timers, sd_notify and the HTTP listener (if the app put it on the same
// io_context) are handled there. Each run executes on its own std::thread so
// the loop stays responsive; the next run starts only after the previous one
// has returned, so two never overlap.
//
// Signals (asio::signal_set, handled from the event loop, never in a handler):
// - first SIGTERM or SIGINT: no new run is started; the stop flag of the run in
//   progress is set and the loop waits for the run to return (it commits what
//   is in flight and records itself interrupted); STOPPING=1 is sent at once;
//   run() returns exit_ok.
// - a second SIGTERM or SIGINT while waiting: fast exit with status 128 + the
//   signal number (143 for SIGTERM, 130 for SIGINT); the run in progress is
//   abandoned (its open transaction rolls back; the next run resumes).
// - SIGHUP: hooks.reload(); a refused file keeps the running configuration
//   (logged). The new schedule applies at once; a run in progress finishes with
//   the settings it started with.
//
// sd_notify: READY=1 with "STATUS=marin-sync <version> up" when the app calls
// mark_ready() (after the schema check and first database connection);
// STATUS= lines while a run progresses (from the progress board) and while
// idle (next run); WATCHDOG=1 every half watchdog interval from the event loop
// (a stuck loop stops pinging); STOPPING=1 when shutdown begins.
//
// After a failed run the next one waits retry_delay, doubling with each
// consecutive failure up to the incremental interval.
//
// The loop only schedules: a run reports its own start and end to the
// progress board and the metrics, and logs its own summary (run/); the loop
// logs what it decides (a retry's delay) and a run that threw.
//
// Wiring (app/):
//   asio::io_context io;
//   run::ProgressBoard board; run::Metrics metrics; SystemdNotifier notifier;
//   ... set-up: config, schema check, first connection ...
//   DaemonLoop loop(io, hooks, notifier, logger, {.version = ...}, &board);
//   HttpListener http(io, {.version = ..., .metrics = &metrics, .progress = &board,
//                          .last_success = [&] { return loop.last_success(); },
//                          .next_run = [&] { return loop.next_planned(); }}, logger);
//   http.listen(settings.listen);      // "" disables it
//   loop.mark_ready();                 // READY=1
//   return loop.run();                 // 0, or 143/130 after a second signal
// Build the loop after a long set-up rather than before: its signal handlers
// replace the default action, so a SIGTERM during set-up would wait for run().
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include "marin/run/clock.hpp"
#include "marin/daemon/notifier.hpp"
#include "marin/run/progress.hpp"
#include "marin/daemon/schedule.hpp"

namespace marin::daemon {

struct RunResult {
    bool ok = false;
    bool interrupted = false;  // stopped early on request; what was in flight is committed
    std::string summary;       // one line for logs and the status page
};

struct DaemonHooks {
    // One run, blocking, on the run thread. Watch `stop` and return early
    // (interrupted) when it becomes true. An exception counts as a failed run.
    std::function<RunResult(model::RunMode, const std::atomic<bool>& stop)> run;
    // Optional: called on the loop thread right after `stop` is set, so that
    // the run hears of it at once rather than at its next look at the flag.
    std::function<void()> stop_run;
    // End time of the last successful run of a mode, from the database; called
    // once, on the loop thread, when the daemon becomes ready. May throw (the
    // exception leaves run()).
    std::function<std::optional<run::TimePoint>(model::RunMode)> last_success;
    // SIGHUP: re-read the configuration. false keeps the old one; error says why.
    // Called on the loop thread, possibly while a run is in progress.
    std::function<bool(std::string& error)> reload;
    // The schedule of the current configuration; called at ready and after a
    // successful reload.
    std::function<ScheduleConfig()> schedule;
};

struct DaemonOptions {
    std::string version;
    run::NowFn now = run::system_now;
    // Wake at least this often to re-read the clock (suspend, clock steps).
    std::chrono::milliseconds max_sleep{30'000};
    // How often the STATUS= line is refreshed during a run.
    std::chrono::milliseconds status_interval{2'000};
    // First wait after a failed run; doubles per consecutive failure, capped at
    // the incremental interval.
    std::chrono::seconds retry_delay{60};
    // Called for the fast exit with the status to exit with. Default: flush the
    // logger and std::_Exit(status). Tests replace it (run() then returns status).
    std::function<void(int status)> fast_exit;
};

class DaemonLoop {
  public:
    static constexpr int exit_ok = 0;

    // progress may be null; when given, the STATUS= lines say what the run
    // in progress does (the run itself reports to it). The signal handlers are
    // installed here, so a signal arriving before run() is not lost.
    DaemonLoop(boost::asio::io_context& io, DaemonHooks hooks, Notifier& notifier,
               std::shared_ptr<spdlog::logger> logger, DaemonOptions options = {},
               const run::ProgressBoard* progress = nullptr);
    // Sets the stop flag and joins a run still in progress.
    ~DaemonLoop();
    DaemonLoop(const DaemonLoop&) = delete;
    DaemonLoop& operator=(const DaemonLoop&) = delete;

    // Set-up is done: send READY=1 and start scheduling. Thread-safe; may be
    // called before run(). No run starts before it.
    void mark_ready();
    // Runs the io_context until shutdown; returns the exit status. Stops the
    // io_context on the way out (other work on it, e.g. the listener, ends).
    int run();
    // Same as a first SIGTERM. Thread-safe.
    void request_stop();

    // Thread-safe observers (for the status page and /healthz).
    std::optional<PlannedRun> next_planned() const;
    std::optional<run::TimePoint> last_success() const;  // any mode
    bool run_in_progress() const;

  private:
    void on_signal(int signal_number);
    void on_ready();
    void begin_shutdown(std::string_view why);
    void plan();
    void arm_wake_timer();
    void on_wake();
    void start_run(model::RunMode mode);
    void on_run_finished(model::RunMode mode, RunResult result);
    void arm_watchdog();
    void arm_status_timer();
    void send_status();
    void do_reload();
    void finish(int status);
    void wait_for_signal();

    boost::asio::io_context& io_;
    DaemonHooks hooks_;
    Notifier& notifier_;
    std::shared_ptr<spdlog::logger> logger_;
    DaemonOptions options_;
    const run::ProgressBoard* progress_;

    boost::asio::signal_set signals_;
    boost::asio::steady_timer wake_timer_;
    boost::asio::steady_timer watchdog_timer_;
    boost::asio::steady_timer status_timer_;

    // Loop-thread state.
    bool ready_ = false;
    bool stopping_ = false;
    bool finished_ = false;
    int exit_status_ = exit_ok;
    ScheduleConfig schedule_;
    int consecutive_failures_ = 0;
    std::optional<run::TimePoint> retry_not_before_;
    std::string last_status_sent_;
    std::thread run_thread_;
    model::RunMode running_mode_ = model::RunMode::incremental;
    std::atomic<bool> stop_run_{false};

    // Shared with observers on other threads.
    mutable std::mutex observed_mutex_;
    std::optional<run::TimePoint> last_incremental_;
    std::optional<run::TimePoint> last_full_;
    std::optional<PlannedRun> planned_;
    bool running_ = false;
};

}  // namespace marin::daemon
