// The listings a run could not read, in marin.sync_runs (listings_failed,
// failed_listings; sql/009_run_failures.sql): RunFailures and the RunLog
// calls that write and read them are in run_log.hpp; this header is kept
// for the callers that name it.
#pragma once

#include "marin/storage/run_log.hpp"
