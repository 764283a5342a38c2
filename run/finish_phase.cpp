// The finish phase: a run's bookkeeping after the crawl, on its one session.
#include "marin/run/exit_codes.hpp"
#include "phases.hpp"

namespace marin::run {

std::size_t finish_phase(storage::RunLog& runs, const RunReport& report, const std::vector<PeriodTotals>& api_totals,
                         const model::StatsWindow& window, const std::shared_ptr<spdlog::logger>& log) {
    if (report.crawl.listings_failed > 0 && report.run_id > 0) {
        try {
            runs.record_run_failures(report.run_id,
                                     {static_cast<std::int64_t>(report.crawl.listings_failed), report.crawl.failures});
        } catch (const std::exception& e) {
            log->warn("{}", e.what());
        }
    }
    const std::size_t disagreeing =
        api_totals.empty() ? 0 : check_figures(runs, report.run_id, window, api_totals, log);
    if (report.exit_code == exit_success && report.run_id > 0) {
        try {
            runs.forget_completed_listings(report.run_id);
        } catch (const std::exception& e) {
            log->warn("{}", e.what());
        }
    }
    return disagreeing;
}

}  // namespace marin::run
