// The runs marin.sync_runs recorded, as the progress board shows them.
#include "marin/run/recorded_runs.hpp"

namespace marin::run {

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

std::vector<FinishedRun> recorded_runs(storage::RunLog& log, int limit) {
    const auto runs = log.recent_runs(limit);
    std::vector<FinishedRun> out;
    if (runs.empty()) return out;
    const auto failures = log.run_failures_since(runs.back().run_id);
    for (const auto& r : runs) {
        FinishedRun f;
        f.run_id = r.run_id;
        f.mode = model::run_mode_from_string(r.mode).value_or(model::RunMode::incremental);
        f.started_at = r.started_at;
        f.ended_at = r.finished_at.value_or(r.started_at);
        f.running = r.outcome == model::RunOutcome::running;
        f.ok = r.outcome == model::RunOutcome::succeeded;
        f.interrupted = r.outcome == model::RunOutcome::interrupted;
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

std::optional<RunBaseline> previous_run_baseline(storage::RunLog& log, model::RunMode mode) {
    for (const auto& r : log.recent_runs(50)) {
        if (r.mode != to_string(mode) || r.outcome != model::RunOutcome::succeeded || !r.finished_at) continue;
        return RunBaseline{requests_of(r), rows_read_of(r),
                           std::chrono::duration_cast<std::chrono::seconds>(*r.finished_at - r.started_at)};
    }
    return std::nullopt;
}

}  // namespace marin::run
