// marin.sync_runs as the progress board needs it: the last runs for the
// status page (so a daemon restart loses nothing) and the previous run of a
// mode, whose requests and rows the ETA of the next one starts from.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "marin/daemon/progress.hpp"

namespace marin::app {

// The newest `limit` runs, newest first, with their failed listings.
// Blocking (off the Asio thread); throws storage::StorageError.
std::vector<daemon::FinishedRun> recorded_runs(const std::string& dsn, int limit, std::chrono::milliseconds timeout);

// What the newest succeeded run of `mode` took, if there is one among the
// last 50 runs. Blocking; throws storage::StorageError.
std::optional<daemon::RunBaseline> previous_run_baseline(const std::string& dsn, std::string_view mode,
                                                         std::chrono::milliseconds timeout);

}  // namespace marin::app
