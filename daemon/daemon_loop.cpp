// The daemon's loop: schedule, signals and sd_notify around one run at a time.
#include "marin/daemon/daemon_loop.hpp"

#include <csignal>
#include <cstdlib>
#include <exception>

#include <boost/asio/post.hpp>
#include <date/date.h>
#include <fmt/format.h>

namespace marin::daemon {

namespace asio = boost::asio;

namespace {

std::string describe(const PlannedRun& run, run::TimePoint now) {
    if (run.at <= now) return fmt::format("{} run now", to_string(run.mode));
    return fmt::format("next: {} run at {}", to_string(run.mode),
                       date::format("%F %T UTC", date::floor<std::chrono::seconds>(run.at)));
}

}  // namespace

DaemonLoop::DaemonLoop(asio::io_context& io, DaemonHooks hooks, Notifier& notifier,
                       std::shared_ptr<spdlog::logger> logger, DaemonOptions options,
                       const run::ProgressBoard* progress)
    : io_(io),
      hooks_(std::move(hooks)),
      notifier_(notifier),
      logger_(std::move(logger)),
      options_(std::move(options)),
      progress_(progress),
      signals_(io, SIGTERM, SIGINT, SIGHUP),
      wake_timer_(io),
      watchdog_timer_(io),
      status_timer_(io) {
    if (!hooks_.run || !hooks_.last_success || !hooks_.reload || !hooks_.schedule) {
        throw std::invalid_argument("DaemonLoop: every hook (run, last_success, reload, schedule) is required");
    }
    if (!options_.fast_exit) {
        options_.fast_exit = [logger = logger_](int status) {
            logger->flush();
            std::_Exit(status);
        };
    }
    wait_for_signal();
}

DaemonLoop::~DaemonLoop() {
    stop_run_ = true;
    if (run_thread_.joinable()) run_thread_.join();
}

void DaemonLoop::wait_for_signal() {
    signals_.async_wait([this](const boost::system::error_code& error, int signal_number) {
        if (error) return;  // cancelled: the loop is going away
        on_signal(signal_number);
        if (!finished_) wait_for_signal();
    });
}

void DaemonLoop::mark_ready() {
    asio::post(io_, [this] { on_ready(); });
}

int DaemonLoop::run() {
    io_.run();
    return exit_status_;
}

void DaemonLoop::request_stop() {
    asio::post(io_, [this] { begin_shutdown("stop requested"); });
}

std::optional<PlannedRun> DaemonLoop::next_planned() const {
    std::lock_guard lock(observed_mutex_);
    if (running_) return std::nullopt;
    return planned_;
}

std::optional<run::TimePoint> DaemonLoop::last_success() const {
    std::lock_guard lock(observed_mutex_);
    if (last_incremental_ && last_full_) return std::max(*last_incremental_, *last_full_);
    return last_incremental_ ? last_incremental_ : last_full_;
}

bool DaemonLoop::run_in_progress() const {
    std::lock_guard lock(observed_mutex_);
    return running_;
}

void DaemonLoop::on_signal(int signal_number) {
    if (signal_number == SIGHUP) {
        do_reload();
        return;
    }
    const char* name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
    if (!stopping_) {
        begin_shutdown(name);
        return;
    }
    // Second request: the operator does not want to wait for the run.
    const int status = 128 + signal_number;
    logger_->warn("second {}: exiting at once with status {}; the run in progress is abandoned", name, status);
    options_.fast_exit(status);
    finish(status);  // reached only when fast_exit returns (tests)
}

void DaemonLoop::on_ready() {
    if (ready_ || stopping_) return;
    ready_ = true;
    schedule_ = hooks_.schedule();
    {
        const auto incremental = hooks_.last_success(model::RunMode::incremental);
        const auto full = hooks_.last_success(model::RunMode::full);
        std::lock_guard lock(observed_mutex_);
        last_incremental_ = incremental;
        last_full_ = full;
    }
    notifier_.notify(ready_message(options_.version));
    logger_->info("marin-sync {} up", options_.version);
    arm_watchdog();
    plan();
}

void DaemonLoop::begin_shutdown(std::string_view why) {
    if (stopping_) return;
    stopping_ = true;
    wake_timer_.cancel();
    // STOPPING=1 at the start of shutdown, as sd_notify(3) defines it: systemctl
    // shows "deactivating" while the run commits what it has in flight.
    if (run_thread_.joinable()) {
        stop_run_ = true;
        if (hooks_.stop_run) hooks_.stop_run();
        logger_->info("{}: stopping after the run in progress commits (send it again to exit at once)", why);
        notifier_.notify(fmt::format("{}\n{}", stopping_message,
                                     status_message("stopping: waiting for the run in progress to commit")));
    } else {
        logger_->info("{}: stopping", why);
        notifier_.notify(fmt::format("{}\n{}", stopping_message, status_message("stopping")));
        finish(exit_ok);
    }
}

void DaemonLoop::plan() {
    if (stopping_ || !ready_ || run_thread_.joinable()) return;
    const run::TimePoint now = options_.now();
    std::optional<run::TimePoint> incremental, full;
    {
        std::lock_guard lock(observed_mutex_);
        incremental = last_incremental_;
        full = last_full_;
    }
    PlannedRun planned = next_run(now, incremental, full, schedule_);
    if (retry_not_before_ && planned.at < *retry_not_before_) planned.at = *retry_not_before_;
    {
        std::lock_guard lock(observed_mutex_);
        planned_ = planned;
    }
    if (planned.at > now) {
        const std::string line = describe(planned, now);
        logger_->debug("schedule: {}", line);
        send_status();
    }
    arm_wake_timer();
}

void DaemonLoop::arm_wake_timer() {
    std::optional<PlannedRun> planned;
    {
        std::lock_guard lock(observed_mutex_);
        planned = planned_;
    }
    if (!planned) return;
    const auto until = planned->at - options_.now();
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(until);
    if (wait < std::chrono::milliseconds::zero()) wait = std::chrono::milliseconds::zero();
    if (wait > options_.max_sleep) wait = options_.max_sleep;
    wake_timer_.expires_after(wait);
    wake_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) on_wake();
    });
}

void DaemonLoop::on_wake() {
    if (stopping_ || run_thread_.joinable()) return;
    std::optional<PlannedRun> planned;
    {
        std::lock_guard lock(observed_mutex_);
        planned = planned_;
    }
    if (planned && planned->at <= options_.now()) {
        start_run(planned->mode);
    } else {
        plan();  // woke early (max_sleep) or the clock moved: plan again
    }
}

void DaemonLoop::start_run(model::RunMode mode) {
    stop_run_ = false;
    running_mode_ = mode;
    {
        std::lock_guard lock(observed_mutex_);
        running_ = true;
        planned_.reset();
    }
    logger_->debug("schedule: the {} run is due", to_string(mode));
    last_status_sent_.clear();
    send_status();
    arm_status_timer();
    run_thread_ = std::thread([this, mode] {
        RunResult result;
        try {
            result = hooks_.run(mode, stop_run_);
        } catch (const std::exception& e) {
            // The run could not report its own end: this is its summary.
            result = RunResult{false, false, fmt::format("run failed: {}", e.what())};
            logger_->error("{} {}", to_string(mode), result.summary);
        }
        asio::post(io_,
                   [this, mode, result = std::move(result)]() mutable { on_run_finished(mode, std::move(result)); });
    });
}

void DaemonLoop::on_run_finished(model::RunMode mode, RunResult result) {
    if (run_thread_.joinable()) run_thread_.join();  // it has posted this and is returning
    status_timer_.cancel();
    const run::TimePoint ended = options_.now();
    const bool interrupted = result.interrupted || (!result.ok && stop_run_);
    {
        std::lock_guard lock(observed_mutex_);
        running_ = false;
        if (result.ok) (mode == model::RunMode::full ? last_full_ : last_incremental_) = ended;
    }
    // The summary was logged by the run (or above, for a run that threw).
    if (result.ok) {
        consecutive_failures_ = 0;
        retry_not_before_.reset();
    } else if (!interrupted) {
        ++consecutive_failures_;
        auto delay = std::chrono::duration_cast<std::chrono::seconds>(options_.retry_delay);
        for (int i = 1; i < consecutive_failures_ && delay < schedule_.incremental_interval; ++i) delay *= 2;
        if (delay > schedule_.incremental_interval) delay = schedule_.incremental_interval;
        retry_not_before_ = ended + delay;
        logger_->warn("{} run failed ({} in a row); next attempt in {}s at the earliest", to_string(mode),
                      consecutive_failures_, delay.count());
    }
    if (stopping_) {
        notifier_.notify(status_message("stopped"));
        finish(exit_ok);
        return;
    }
    last_status_sent_.clear();
    plan();
}

void DaemonLoop::arm_watchdog() {
    const auto interval = notifier_.watchdog_interval();
    if (!interval) return;
    const auto half = *interval / 2;
    notifier_.notify(watchdog_message);
    watchdog_timer_.expires_after(half);
    watchdog_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error && !finished_) arm_watchdog();
    });
}

void DaemonLoop::arm_status_timer() {
    status_timer_.expires_after(options_.status_interval);
    status_timer_.async_wait([this](const boost::system::error_code& error) {
        if (error || finished_ || !run_thread_.joinable()) return;
        send_status();
        arm_status_timer();
    });
}

void DaemonLoop::send_status() {
    std::string line;
    if (stopping_) {
        line = "stopping: waiting for the run in progress to commit";
    } else if (run_thread_.joinable() || running_) {
        const auto snapshot = progress_ ? std::optional(progress_->snapshot()) : std::nullopt;
        // Until the run has reported its start to the board (on its thread).
        line = snapshot && snapshot->current ? run::status_line(*snapshot)
                                             : fmt::format("{} sync, starting", to_string(running_mode_));
    } else {
        std::optional<PlannedRun> planned;
        {
            std::lock_guard lock(observed_mutex_);
            planned = planned_;
        }
        line = "idle";
        if (progress_) line = run::status_line(progress_->snapshot());
        if (planned) line += "; " + describe(*planned, options_.now());
    }
    if (line == last_status_sent_) return;
    last_status_sent_ = line;
    notifier_.notify(status_message(line));
}

void DaemonLoop::do_reload() {
    logger_->info("SIGHUP: reloading the configuration");
    notifier_.notify(fmt::format("RELOADING=1\n{}", status_message("reloading the configuration")));
    std::string error;
    bool ok = false;
    try {
        ok = hooks_.reload(error);
    } catch (const std::exception& e) {
        error = e.what();
    }
    if (ok) {
        schedule_ = hooks_.schedule();
        logger_->info("configuration reloaded");
    } else {
        logger_->error("configuration reload refused, keeping the running configuration: {}", error);
    }
    notifier_.notify("READY=1");
    last_status_sent_.clear();
    if (ok && ready_ && !stopping_ && !run_thread_.joinable()) {
        wake_timer_.cancel();
        plan();
    } else {
        send_status();
    }
}

void DaemonLoop::finish(int status) {
    if (finished_) return;
    finished_ = true;
    exit_status_ = status;
    wake_timer_.cancel();
    watchdog_timer_.cancel();
    status_timer_.cancel();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    io_.stop();
}

}  // namespace marin::daemon
