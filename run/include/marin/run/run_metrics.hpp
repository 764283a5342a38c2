#pragma once
// The run-level progress figures as Prometheus gauges, from the same
// snapshot the status page and the sd_notify STATUS line read, appended to
// /metrics (so the three never disagree).
#include <string>

#include "marin/run/progress.hpp"

namespace marin::run {

// marin_run_listings_done, marin_run_listings_known, marin_run_listings_failed,
// marin_run_requests, marin_run_rows_read, marin_run_rows_per_second,
// marin_run_eta_seconds (-1: no estimate yet), marin_run_phase{phase=...};
// all 0 (phase "idle") between runs.
std::string render_run_metrics(const ProgressSnapshot& snapshot);

}  // namespace marin::run
