// Reports a run's start and end to its observers (board, metrics, display) and logs its summary, once.
#include "run_reporting.hpp"

#include "marin/run/exit_codes.hpp"

namespace marin::run {

namespace {

void publish_row_metrics(Metrics& metrics, const RunReport& report) {
    for (const auto& [table, c] : report.totals.tables) {
        const auto name = model::table_spec(table).name;
        metrics.add_rows(name, RowKind::inserted, static_cast<std::uint64_t>(c.inserted));
        metrics.add_rows(name, RowKind::changed, static_cast<std::uint64_t>(c.changed));
        metrics.add_rows(name, RowKind::unchanged, static_cast<std::uint64_t>(c.unchanged));
        metrics.add_rows(name, RowKind::removed, static_cast<std::uint64_t>(c.removed));
    }
    metrics.add_listings_reread(static_cast<std::uint64_t>(report.totals.listings_reread));
    for (const auto& [endpoint, n] : report.crawl.not_applicable_by_listing)
        metrics.add_listings_not_applicable(endpoint, n);
}

}  // namespace

RunReporting::RunReporting(RunObservers observers, model::RunMode mode, std::shared_ptr<spdlog::logger> log)
    : observers_(observers), mode_(mode), log_(std::move(log)) {}

void RunReporting::begin() {
    started_ = std::chrono::system_clock::now();
    if (observers_.progress) observers_.progress->begin_run(mode_);
    if (observers_.metrics) observers_.metrics->set_run_in_progress(mode_, true);
}

void RunReporting::end(const RunReport& report, bool stop_requested) {
    const bool ok = report.exit_code == exit_success;
    const bool interrupted = report.interrupted || (!ok && stop_requested);
    const auto ended = std::chrono::system_clock::now();
    if (auto* metrics = observers_.metrics) {
        publish_row_metrics(*metrics, report);
        metrics->set_run_in_progress(mode_, false);
        if (report.exit_code == exit_key_refused) metrics->add_key_refused_run();
        // The writer's RemovalGuardError ends the run with this text (see removal_guard_text).
        if (report.error.find("removal guard:") != std::string::npos) metrics->add_removal_guard_trip();
        metrics->add_figures_check_disagreements(report.figures_disagreeing);
        metrics->record_run(mode_,
                            ok ? model::RunOutcome::succeeded
                               : (interrupted ? model::RunOutcome::interrupted : model::RunOutcome::failed),
                            started_, ended);
        if (ok) {
            metrics->set_last_success(mode_, ended);
            // Per stream: a table's last success is the end of the last run
            // that read all its listings.
            for (const auto& [table, counts] : report.crawl.tables)
                metrics->set_table_last_success(model::table_spec(table).name, ended);
        }
    }
    if (auto* board = observers_.progress) {
        FinishedRun details;
        details.run_id = report.run_id;
        details.error = report.error;
        details.listings_failed = report.crawl.listings_failed;
        details.failed_listings = report.crawl.failures;
        board->set_run_details(std::move(details));
        board->end_run(ok, interrupted, report.summary);
    }
    if (observers_.display) observers_.display->stop();
    if (ok)
        log_->info("{}", report.summary);
    else
        log_->error("{}", report.summary);
}

}  // namespace marin::run
