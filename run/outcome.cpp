// How a run ended: its outcome, exit code and error from the crawl's report, and its summary line.
#include <fmt/format.h>

#include "marin/run/exit_codes.hpp"
#include "phases.hpp"

namespace marin::run {

model::RunOutcome settle_outcome(const sync::CrawlReport& crawl, const std::optional<std::string>& lost_lock,
                                 RunReport& report) {
    if (lost_lock) {
        report.exit_code = exit_run_failed;
        report.error = *lost_lock + "; the run stopped so that no two runs write at once (the next run resumes)";
        if (!crawl.fatal_error.empty()) report.error += "; also: " + crawl.fatal_error;
        return model::RunOutcome::failed;
    }
    if (crawl.auth_refused) {
        report.exit_code = exit_key_refused;
        report.error = crawl.fatal_error;
        return model::RunOutcome::failed;
    }
    if (!crawl.fatal_error.empty()) {
        report.exit_code = exit_run_failed;
        report.error = crawl.fatal_error;
        return model::RunOutcome::failed;
    }
    if (crawl.interrupted) {
        report.exit_code = exit_run_failed;
        report.interrupted = true;
        report.error = "interrupted by a stop request; the next run resumes";
        return model::RunOutcome::interrupted;
    }
    if (crawl.listings_failed > 0) {
        report.exit_code = exit_run_failed;
        report.error =
            fmt::format("{} listings failed (their removals were not reconciled); first: {}", crawl.listings_failed,
                        crawl.failures.empty() ? std::string("?") : crawl.failures.front());
        return model::RunOutcome::failed;
    }
    report.exit_code = exit_success;
    return model::RunOutcome::succeeded;
}

void record_failure(RunReport& report, std::string_view what) {
    report.exit_code = report.exit_code == exit_key_refused ? exit_key_refused : exit_run_failed;
    if (report.error.empty())
        report.error = what;
    else
        report.error += std::string("; then: ") + std::string(what);
}

std::string summarize(model::RunMode mode, const RunReport& r, std::int64_t requests) {
    model::TableCounts sum;
    for (const auto& [table, c] : r.totals.tables) sum += c;
    const double secs = std::chrono::duration<double>(r.wall).count();
    std::string outcome = r.exit_code == exit_success ? "succeeded" : (r.interrupted ? "interrupted" : "failed");
    auto line = fmt::format(
        "{} sync {} in {:.1f}s: {} requests ({} retries), {} rows read, {} inserted, {} changed, {} unchanged, "
        "{} removed, {} values sanitized, {} listings skipped, {} resumed",
        to_string(mode), outcome, secs, requests, r.totals.retries, sum.read, sum.inserted, sum.changed, sum.unchanged,
        sum.removed, r.totals.sanitized_values, r.crawl.listings_skipped, r.crawl.listings_resumed);
    if (r.crawl.listings_not_applicable > 0)
        line += fmt::format("; {} listings did not apply to their parent (nothing removed under them)",
                            r.crawl.listings_not_applicable);
    if (r.crawl.listings_reread > 0)
        line += fmt::format("; {} listings read twice (their total fell while read)", r.crawl.listings_reread);
    if (!r.error.empty()) line += "; " + r.error;
    return line;
}

}  // namespace marin::run
