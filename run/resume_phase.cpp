// The resume phase: which listings an interrupted run of this mode already completed.
#include <chrono>

#include "phases.hpp"

namespace marin::run {

namespace {
// How long an interrupted run stays worth resuming: past this, what it read
// may have changed, and the next run reads everything again.
constexpr auto resume_window = std::chrono::hours(12);
}  // namespace

std::unordered_set<std::string> resumable_listings(storage::RunLog& runs, model::RunMode mode,
                                                   const std::shared_ptr<spdlog::logger>& log) {
    for (const auto& run : runs.recent_runs(20)) {
        if (run.mode != to_string(mode)) continue;
        if (run.outcome != model::RunOutcome::interrupted && run.outcome != model::RunOutcome::failed) return {};
        if (std::chrono::system_clock::now() - run.started_at > resume_window) return {};
        const auto done = runs.completed_listings(run.run_id);
        if (!done.empty())
            log->info("resuming run {} ({}): {} listings it completed are not read again", run.run_id,
                      model::to_string(run.outcome), done.size());
        return {done.begin(), done.end()};
    }
    return {};
}

}  // namespace marin::run
