// Run bookkeeping helpers shared by the writer (begin/finish) and the
// blocking readers of run_log.cpp.
#pragma once

#include <pqxx/pqxx>

#include <cstdint>
#include <string>

#include "marin/storage/run_log.hpp"

namespace marin::storage::detail {

// Records resume checkpoints: $1 the run id, $2 the scopes as a text[]
// literal (text_array in copy_text.hpp).
inline constexpr const char* record_listings_done =
    "INSERT INTO marin.sync_listings (run_id, scope) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING";

// JSON for sync_runs.rows and sync_runs.requests (names come from the spec).
std::string rows_json(const RunTotals& totals);
std::string requests_json(const RunTotals& totals);

// Inserts a 'running' row and takes its liveness lock on `conn` (a session
// lock: it lives as long as the connection). Returns the run id.
std::int64_t insert_run(pqxx::connection& conn, const std::string& mode);
// Records the end of a run; throws when the run does not exist.
void update_run(pqxx::connection& conn, std::int64_t run_id, RunOutcome outcome, const RunTotals& totals,
                const std::string& error);

}  // namespace marin::storage::detail
