// A run from start to end: its phases in order, and its start and end reported once.
#include "marin/run/run_once.hpp"

#include <fmt/format.h>

#include "marin/run/exit_codes.hpp"
#include "marin/run/recorded_runs.hpp"
#include "phases.hpp"
#include "run_reporting.hpp"

namespace marin::run {

namespace {

// The phases after the lock; an exception on the way (a TLS set-up, a
// writer that cannot start) fails the run.
// Returns the requests made.
std::int64_t locked_run(const RunSettings& settings, model::RunMode mode, RunObservers observers, storage::RunLog& runs,
                        storage::RunLock& lock, const std::shared_ptr<spdlog::logger>& log,
                        const std::atomic<bool>& stop, StopNotice* stop_notice,
                        std::chrono::steady_clock::time_point started, RunReport& report) {
    auto crawl = settings.crawl;
    try {
        crawl.resume_completed = resumable_listings(runs, mode, log);
    } catch (const std::exception& e) {
        log->warn("cannot read the checkpoints of the last run, reading everything: {}", e.what());
    }
    if (observers.progress) {
        try {
            observers.progress->set_baseline(previous_run_baseline(runs, mode));
        } catch (const std::exception& e) {
            log->warn("cannot read the previous run for the ETA: {}", e.what());
        }
    }
    const auto crawled = crawl_phase(settings, std::move(crawl), mode, observers, lock, log, stop, stop_notice, report);
    report.wall = std::chrono::steady_clock::now() - started;
    report.figures_disagreeing = finish_phase(runs, report, crawled.api_totals, settings.crawl.stats_window, log);
    return crawled.requests;
}

}  // namespace

RunReport run_once(const RunSettings& settings, model::RunMode mode, RunObservers observers,
                   const std::shared_ptr<spdlog::logger>& log, const std::atomic<bool>& stop, StopNotice* stop_notice) {
    RunReport report;
    const auto started = std::chrono::steady_clock::now();
    RunReporting reporting(observers, mode, log);
    reporting.begin();
    for (const auto& warning : settings.warnings) log->warn("{}", warning);
    // The run's bookkeeping, on one session: database.statement_timeout_s
    // bounds its statements as it bounds the writer's (capped at a minute), so
    // a lock held on marin.sync_runs fails the run within the setting instead
    // of stalling it.
    storage::RunLog runs(settings.dsn, settings.bookkeeping_timeout);

    std::unique_ptr<storage::RunLock> lock;
    try {
        lock = take_run_lock(settings, runs, log);
    } catch (const std::exception& e) {
        report.exit_code = exit_run_failed;
        report.error = e.what();
        report.summary = fmt::format("{} sync not started: {}", to_string(mode), e.what());
        reporting.end(report, stop.load());
        return report;
    }
    report.started = true;
    std::int64_t requests = 0;
    try {
        requests = locked_run(settings, mode, observers, runs, *lock, log, stop, stop_notice, started, report);
    } catch (const std::exception& e) {
        record_failure(report, e.what());
        report.wall = std::chrono::steady_clock::now() - started;
    }
    report.summary = summarize(mode, report, requests);
    reporting.end(report, stop.load());
    return report;
}

}  // namespace marin::run
