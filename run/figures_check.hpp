// The figures check of a full run (analysts rely on sums adding up): for a
// sample of media plans, the API's own period totals against the sum of the
// mirrored ad-level days over the same window, recorded in
// sync_runs.stats_check.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "marin/storage/run_log.hpp"
#include "marin/sync/api_client.hpp"
#include "marin/model/run_vocabulary.hpp"

namespace marin::run {

struct PeriodTotals {
    std::string media_plan_id;
    std::int64_t impressions = 0, clicks = 0;
    long double spent = 0;
    std::string spent_text;
};

// The API's own media-plan figures (level=client, one row per day) over the
// crawl's window, every page, summed over the days the mirror keeps. A media
// plan that cannot be read is left out (logged).
// `sample`: media plans whose statistics the crawl read in full.
boost::asio::awaitable<std::vector<PeriodTotals>> fetch_period_totals(sync::ApiClient& api,
                                                                      std::vector<std::string> sample,
                                                                      model::StatsWindow window,
                                                                      std::shared_ptr<spdlog::logger> log);

// Compares them with the mirror, logs each disagreement and records the
// check for run `run_id`. Logs what fails; never throws. Returns the media
// plans that disagree.
std::size_t check_figures(storage::RunLog& runs, std::int64_t run_id, const model::StatsWindow& window,
                          const std::vector<PeriodTotals>& api_totals, const std::shared_ptr<spdlog::logger>& log);

}  // namespace marin::run
