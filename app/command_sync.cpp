// `marin-sync sync`: one run, then exit, with the progress on the terminal.
#include <unistd.h>

#include <cstdio>

#include "command_support.hpp"
#include "marin/config/load.hpp"
#include "marin/run/exit_codes.hpp"
#include "marin/run/progress.hpp"
#include "marin/run/run_observers.hpp"
#include "marin/run/run_once.hpp"
#include "marin/run/terminal_progress.hpp"
#include "marin/storage/migrator.hpp"
#include "settings_bridge.hpp"
#include "stop_signals.hpp"

namespace marin::app {

int command_sync(const CommonOptions& common, bool full, std::optional<bool> wait_for_lock) {
    StopSignals signals;
    auto settings = load_or_report(common, config::Environment::from_process());
    if (!settings) return run::exit_bad_usage;
    if (wait_for_lock)
        settings->sync.lock_wait =
            *wait_for_lock ? config::SyncSection::LockWait::wait : config::SyncSection::LockWait::fail;
    try {
        config::require_api_key(*settings);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "marin-sync: %s\n", e.what());
        return run::exit_bad_usage;
    }
    auto log = make_run_logger(*settings);
    const auto mode = full ? model::RunMode::full : model::RunMode::incremental;
    log->info("marin-sync {}: {} sync of {} into {}", version_string(), to_string(mode), settings->api.base_url,
              config::mask_dsn(settings->database.dsn));
    log->debug("settings: {}", config::describe(*settings));
    if (!schema_ready(*settings, *log)) return run::exit_run_failed;

    run::ProgressBoard board;
    board.set_graph(run::progress_graph());
    run::TerminalProgress display(board, log);
    display.start();
    // The run stops the display and logs its summary.
    const auto report = run::run_once(run_settings(*settings, mode), mode, run::RunObservers{nullptr, &board, &display},
                                      log, signals.stop_flag(), &signals);
    // The summary table once, below the run's last log line (the live
    // table was erased when the run ended).
    if (report.started && display.effective_display() == run::ProgressDisplay::table) {
        const auto snap = board.snapshot();
        if (!snap.recent_runs.empty())
            for (const auto& line : run::render_summary_table(snap.recent_runs.front()))
                std::fprintf(stderr, "%s\n", line.c_str());
    }
    return report.exit_code;
}

}  // namespace marin::app
