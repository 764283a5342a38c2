// `marin-sync daemon`: wires the daemon loop, its listener and the run's observers.
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <mutex>

#include "command_support.hpp"
#include "marin/config/load.hpp"
#include "marin/daemon/daemon_loop.hpp"
#include "marin/daemon/http_listener.hpp"
#include "marin/daemon/notifier.hpp"
#include "marin/run/exit_codes.hpp"
#include "marin/run/metrics.hpp"
#include "marin/run/progress.hpp"
#include "marin/run/recorded_runs.hpp"
#include "marin/run/run_observers.hpp"
#include "marin/run/run_once.hpp"
#include "marin/run/stop_relay.hpp"
#include "marin/storage/migrator.hpp"
#include "marin/storage/run_log.hpp"
#include "settings_bridge.hpp"

namespace marin::app {

namespace {

// The settings in force; SIGHUP swaps them for a new, valid set. A run keeps
// the set it started with.
class SettingsHolder {
  public:
    explicit SettingsHolder(config::Settings s) : current_(std::make_shared<const config::Settings>(std::move(s))) {}
    std::shared_ptr<const config::Settings> get() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    void set(config::Settings s) {
        std::lock_guard lock(mutex_);
        current_ = std::make_shared<const config::Settings>(std::move(s));
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const config::Settings> current_;
};

// database.statement_timeout_s bounds the read (capped at a minute), as it
// bounds a run's bookkeeping: the daemon loop waits for it.
std::optional<run::TimePoint> last_success_of(const config::Settings& settings, model::RunMode mode) {
    const auto timeout = storage::bookkeeping_timeout(settings.database.statement_timeout);
    for (const auto& r : storage::recent_runs(settings.database.connection_string(), 500, timeout)) {
        if (r.outcome != model::RunOutcome::succeeded || !r.finished_at) continue;
        if (r.mode == to_string(mode)) return r.finished_at;
    }
    return std::nullopt;
}

// SIGHUP: a new, valid set of settings replaces the one in force; a bad
// file keeps the old one and says why.
std::function<bool(std::string&)> settings_reloader(const CommonOptions& common, SettingsHolder& settings,
                                                    const std::shared_ptr<spdlog::logger>& log) {
    return [&common, &settings, log](std::string& error) {
        try {
            auto fresh = config::load_settings(
                common.config_file ? std::optional<std::filesystem::path>(*common.config_file) : std::nullopt,
                config::Environment::from_process());
            config::require_api_key(fresh);
            (void)schedule_config(fresh);
            settings.set(std::move(fresh));
            log->info("configuration reloaded: {}", config::describe(*settings.get()));
            return true;
        } catch (const std::exception& e) {
            error = e.what();
            return false;
        }
    };
}

// The metrics and status page listener, when metrics.listen asks for one.
// False (logged) when it cannot listen.
bool start_listener(const config::Settings& s, boost::asio::io_context& io, run::Metrics& metrics,
                    run::ProgressBoard& board, daemon::DaemonLoop& loop, const std::shared_ptr<spdlog::logger>& log,
                    std::unique_ptr<daemon::HttpListener>& listener) {
    if (!s.metrics.enabled()) return true;
    daemon::StatusSources sources;
    sources.version = version_string();
    sources.metrics = &metrics;
    sources.progress = &board;
    sources.last_success = [&loop] { return loop.last_success(); };
    sources.health_max_age = std::chrono::duration_cast<std::chrono::seconds>(s.daemon.health_max_age);
    sources.next_run = [&loop] { return loop.next_planned(); };
    listener = std::make_unique<daemon::HttpListener>(io, sources, log);
    if (listener->listen(s.metrics.listen)) return true;
    log->error("cannot listen for metrics on {}", s.metrics.listen);
    return false;
}

}  // namespace

int command_daemon(const CommonOptions& common) {
    const auto env = config::Environment::from_process();
    auto loaded = load_or_report(common, env);
    if (!loaded) return run::exit_bad_usage;
    try {
        config::require_api_key(*loaded);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "marin-sync: %s\n", e.what());
        return run::exit_bad_usage;
    }
    SettingsHolder settings(std::move(*loaded));
    auto log = make_run_logger(*settings.get());
    log->info("marin-sync {} daemon starting: {}", version_string(), config::describe(*settings.get()));

    run::Metrics metrics;
    metrics.set_build_info(version_string());
    metrics.set_run_in_progress(model::RunMode::full, false);  // both modes present from the first scrape
    run::ProgressBoard board;
    board.set_graph(run::progress_graph());
    // The last runs as sync_runs has them, so that the status page shows
    // them after a restart; read again after every run (off the Asio thread).
    const auto load_recorded_runs = [&] {
        try {
            const auto s = settings.get();
            storage::RunLog runs(s->database.connection_string(),
                                 storage::bookkeeping_timeout(s->database.statement_timeout), "marin-sync status");
            board.set_recorded_runs(run::recorded_runs(runs, 20));
        } catch (const std::exception& e) {
            log->warn("could not read the last runs for the status page: {}", e.what());
        }
    };
    daemon::SystemdNotifier notifier;
    boost::asio::io_context io;

    daemon::DaemonHooks hooks;
    // The run reports its start and end to the board and the metrics, and
    // logs its summary, itself: the loop only schedules.
    // A stop reaches the run's lock watch at once (the flag alone is read at
    // each lock check, once a second).
    run::StopRelay stop_relay;
    hooks.stop_run = [&] { stop_relay.request(); };
    hooks.run = [&](model::RunMode mode, const std::atomic<bool>& stop) {
        stop_relay.reset();
        const auto s = settings.get();
        const auto report = run::run_once(run_settings(*s, mode), mode, run::RunObservers{&metrics, &board, nullptr},
                                          log, stop, &stop_relay);
        load_recorded_runs();
        return daemon::RunResult{report.exit_code == 0, report.interrupted, report.summary};
    };
    hooks.last_success = [&](model::RunMode mode) {
        try {
            return last_success_of(*settings.get(), mode);
        } catch (const std::exception& e) {
            log->warn("could not read the last runs: {}", e.what());
            return std::optional<run::TimePoint>{};
        }
    };
    hooks.reload = settings_reloader(common, settings, log);
    hooks.schedule = [&] { return schedule_config(*settings.get()); };

    daemon::DaemonOptions options;
    options.version = version_string();
    options.retry_delay = settings.get()->daemon.retry_delay;
    daemon::DaemonLoop loop(io, hooks, notifier, log, options, &board);

    std::unique_ptr<daemon::HttpListener> listener;
    const auto s = settings.get();
    if (!start_listener(*s, io, metrics, board, loop, log, listener)) return run::exit_run_failed;
    if (!schema_ready(*s, *log)) return run::exit_run_failed;
    load_recorded_runs();
    loop.mark_ready();
    return loop.run();
}

}  // namespace marin::app
