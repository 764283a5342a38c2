#include "recorded_runs.hpp"

#include "marin/storage/run_failures.hpp"
#include "marin/storage/run_log.hpp"

namespace marin::app {

namespace {

std::uint64_t requests_of(const storage::RunSummary& run) {
    std::uint64_t n = 0;
    for (const auto& [status, count] : run.totals.requests_by_status) n += static_cast<std::uint64_t>(count);
    return n;
}

std::uint64_t rows_read_of(const storage::RunSummary& run) {
    std::uint64_t n = 0;
    for (const auto& [table, c] : run.totals.tables) n += static_cast<std::uint64_t>(c.read);
    return n;
}

}  // namespace

std::vector<daemon::FinishedRun> recorded_runs(const std::string& dsn, int limit, std::chrono::milliseconds timeout) {
    const auto runs = storage::recent_runs(dsn, limit, timeout);
    std::vector<daemon::FinishedRun> out;
    if (runs.empty()) return out;
    const auto failures = storage::run_failures_since(dsn, runs.back().run_id, timeout);
    for (const auto& r : runs) {
        daemon::FinishedRun f;
        f.run_id = r.run_id;
        f.mode = r.mode == "full" ? daemon::RunMode::full : daemon::RunMode::incremental;
        f.started_at = r.started_at;
        f.ended_at = r.finished_at.value_or(r.started_at);
        f.running = r.outcome == storage::RunOutcome::running;
        f.ok = r.outcome == storage::RunOutcome::succeeded;
        f.interrupted = r.outcome == storage::RunOutcome::interrupted;
        f.rows = rows_read_of(r);
        f.requests = requests_of(r);
        f.error = r.error;
        if (const auto it = failures.find(r.run_id); it != failures.end()) {
            f.listings_failed = static_cast<std::uint64_t>(it->second.listings_failed);
            f.failed_listings = it->second.first;
        }
        out.push_back(std::move(f));
    }
    return out;
}

std::optional<daemon::RunBaseline> previous_run_baseline(const std::string& dsn, std::string_view mode,
                                                         std::chrono::milliseconds timeout) {
    for (const auto& r : storage::recent_runs(dsn, 50, timeout)) {
        if (r.mode != mode || r.outcome != storage::RunOutcome::succeeded || !r.finished_at) continue;
        return daemon::RunBaseline{requests_of(r), rows_read_of(r),
                                   std::chrono::duration_cast<std::chrono::seconds>(*r.finished_at - r.started_at)};
    }
    return std::nullopt;
}

}  // namespace marin::app
