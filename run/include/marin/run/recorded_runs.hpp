// marin.sync_runs as the progress board needs it: the last runs for the
// status page (so a daemon restart loses nothing) and the previous run of a
// mode, whose requests and rows the ETA of the next one starts from.
#pragma once

#include <optional>
#include <vector>

#include "marin/model/run_vocabulary.hpp"
#include "marin/run/progress.hpp"
#include "marin/storage/run_log.hpp"

namespace marin::run {

// The newest `limit` runs, newest first, with their failed listings.
// Blocking (off the Asio thread); throws storage::StorageError.
std::vector<FinishedRun> recorded_runs(storage::RunLog& runs, int limit);

// What the newest succeeded run of `mode` took, if there is one among the
// last 50 runs. Blocking; throws storage::StorageError.
std::optional<RunBaseline> previous_run_baseline(storage::RunLog& runs, model::RunMode mode);

}  // namespace marin::run
