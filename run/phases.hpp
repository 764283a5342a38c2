// The phases of a run, in the order run_once.cpp calls them, each in a file
// of its own: lock, resume, crawl, finish; outcome.cpp maps what the crawl
// found to how the run ended.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <spdlog/logger.h>

#include "figures_check.hpp"
#include "marin/run/run_once.hpp"
#include "marin/storage/run_lock.hpp"
#include "marin/storage/run_log.hpp"

namespace marin::run {

// lock_phase.cpp: takes the run lock (waiting or failing fast, as set), then
// marks the runs whose process is gone as interrupted. Throws when the lock
// cannot be taken.
std::unique_ptr<storage::RunLock> take_run_lock(const RunSettings& settings, storage::RunLog& runs,
                                                const std::shared_ptr<spdlog::logger>& log);

// resume_phase.cpp: the listings the last run of this mode completed, when
// that run was interrupted or failed within the resume window: this run skips
// them (a crash costs a re-read of the unfinished listings only).
std::unordered_set<std::string> resumable_listings(storage::RunLog& runs, model::RunMode mode,
                                                   const std::shared_ptr<spdlog::logger>& log);

// crawl_phase.cpp: the writer, the API client and the crawl on one Asio
// thread, from begin_run to finish_run in marin.sync_runs. Fills the report
// (run id, crawl, totals, exit code, error; an exception on the way is in
// the error) and returns the API's figures for the figures check (a complete
// full run only).
struct CrawlPhase {
    std::vector<PeriodTotals> api_totals;
    std::int64_t requests = 0;
};
CrawlPhase crawl_phase(const RunSettings& settings, sync::CrawlSettings crawl, model::RunMode mode,
                       RunObservers observers, storage::RunLock& lock, const std::shared_ptr<spdlog::logger>& log,
                       const std::atomic<bool>& stop, StopNotice* stop_notice, RunReport& report);

// outcome.cpp: how the run ended (its row's outcome, the exit code and the
// error in the report), from the crawl's report and the run lock's fate.
model::RunOutcome settle_outcome(const sync::CrawlReport& crawl, const std::optional<std::string>& lost_lock,
                                 RunReport& report);
// A failure that ended the run: exit 1 unless the key was refused (3), the
// message added to an error already recorded.
void record_failure(RunReport& report, std::string_view what);
// The run's one-line summary.
std::string summarize(model::RunMode mode, const RunReport& report, std::int64_t requests);

// finish_phase.cpp: the bookkeeping after the crawl, on the run's session:
// the failed listings, the figures check, and the checkpoints a succeeded
// run makes useless. Logs what fails; never throws. Returns the media plans
// whose figures disagreed.
std::size_t finish_phase(storage::RunLog& runs, const RunReport& report, const std::vector<PeriodTotals>& api_totals,
                         const model::StatsWindow& window, const std::shared_ptr<spdlog::logger>& log);

}  // namespace marin::run
