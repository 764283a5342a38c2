// The listings a run could not read, in marin.sync_runs (listings_failed,
// failed_listings; sql/009_run_failures.sql). Blocking helpers, each on a
// session of its own, like those of run_log.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "marin/storage/run_log.hpp"

namespace marin::storage {

struct RunFailures {
    std::int64_t listings_failed = 0;
    std::vector<std::string> first;  // "<listing>: <why>", key masked by the caller
};

// Records them for run `run_id` (the first `keep` of `failures`).
void record_run_failures(const std::string& dsn, std::int64_t run_id, const RunFailures& failures,
                         std::chrono::milliseconds timeout = default_bookkeeping_timeout);

// Those of the runs with run_id >= `oldest_run_id` that had any, by run id.
std::map<std::int64_t, RunFailures> run_failures_since(const std::string& dsn, std::int64_t oldest_run_id,
                                                       std::chrono::milliseconds timeout = default_bookkeeping_timeout);

}  // namespace marin::storage
