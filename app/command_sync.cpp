#include <unistd.h>

#include <cstdio>

#include "command_support.hpp"
#include "exit_codes.hpp"
#include "marin/config/load.hpp"
#include "marin/daemon/progress.hpp"
#include "marin/daemon/terminal_progress.hpp"
#include "marin/storage/migrator.hpp"
#include "run_once.hpp"
#include "run_observers.hpp"
#include "stop_signals.hpp"

namespace marin::app {

int command_sync(const CommonOptions& common, bool full, std::optional<bool> wait_for_lock) {
    StopSignals signals;
    auto settings = load_or_report(common, config::Environment::from_process());
    if (!settings) return exit_bad_usage;
    if (wait_for_lock)
        settings->sync.lock_wait = *wait_for_lock ? config::SyncSection::LockWait::wait
                                                  : config::SyncSection::LockWait::fail;
    try {
        config::require_api_key(*settings);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "marin-sync: %s\n", e.what());
        return exit_bad_usage;
    }
    auto log = make_run_logger(*settings);
    log->info("marin-sync {}: {} sync of {} into {}", version_string(), full ? "full" : "incremental",
              settings->api.base_url, config::mask_dsn(settings->database.dsn));
    log->debug("settings: {}", config::describe(*settings));
    try {
        storage::Migrator::check_schema(settings->database.connection_string(),
                                        storage::bookkeeping_timeout(settings->database.statement_timeout));
    } catch (const std::exception& e) {
        log->error("cannot start: {}", e.what());
        return exit_run_failed;
    }

    daemon::ProgressBoard board;
    board.set_graph(progress_graph());
    daemon::TerminalProgress display(board, log);
    display.start();
    const auto report =
        run_once(RunContext{*settings, log, nullptr, &board, true, &signals}, full ? sync::CrawlMode::full : sync::CrawlMode::incremental,
                 signals.stop_flag());
    display.stop();

    if (report.exit_code == exit_success)
        log->info("{}", report.summary);
    else
        log->error("{}", report.summary);
    // The summary table once, below the run's last log line (the live
    // table was erased when the run ended).
    if (display.effective_display() == daemon::ProgressDisplay::table) {
        const auto snap = board.snapshot();
        if (!snap.recent_runs.empty())
            for (const auto& line : daemon::render_summary_table(snap.recent_runs.front()))
                std::fprintf(stderr, "%s\n", line.c_str());
    }
    return report.exit_code;
}

}  // namespace marin::app
