// marin.sync_runs: one row per run (mode, start, end, outcome, what it read
// and wrote). Rows are written through MirrorWriter::begin_run/finish_run;
// this header holds the shapes and the blocking readers used by
// `marin-sync status` and at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marin/model/table_spec.hpp"

namespace spdlog {
class logger;
}

namespace marin::storage {

enum class RunOutcome : std::uint8_t {
    running,      // begun, not finished (or its process died: see mark_abandoned_runs)
    succeeded,
    failed,       // ended by an error; what was written stays written
    interrupted,  // stopped by SIGTERM, or found abandoned by a later process
};
std::string_view to_string(RunOutcome outcome);
std::optional<RunOutcome> run_outcome_from_string(std::string_view text);

// What one run did to one table. read = records received from the API;
// inserted + changed + unchanged = distinct keys merged; removed = rows marked
// _removed_at (cascades included).
struct TableCounts {
    std::int64_t read = 0;
    std::int64_t inserted = 0;
    std::int64_t changed = 0;
    std::int64_t unchanged = 0;
    std::int64_t removed = 0;

    TableCounts& operator+=(const TableCounts& other);
};

struct RunTotals {
    std::map<model::TableId, TableCounts> tables;
    // HTTP status -> responses received; 0 counts requests that got no
    // response (transport error, timeout).
    std::map<int, std::int64_t> requests_by_status;
    std::int64_t retries = 0;
    // Values in records that PostgreSQL could not store as sent (NUL bytes,
    // lone surrogates, ...) and that the mapper made safe in _raw.
    std::int64_t sanitized_values = 0;
    // Child listings that did not apply to their parent (the API answered
    // 404 or 400 while the parent itself is served): nothing was removed.
    std::int64_t listings_not_applicable = 0;
    // Listings read a second time because their range.total fell while they
    // were read (records may have moved past the reader).
    std::int64_t listings_reread = 0;
};

struct RunSummary {
    std::int64_t run_id = 0;
    std::string mode;  // "full" or "incremental" (whatever begin_run was given)
    std::chrono::system_clock::time_point started_at;
    std::optional<std::chrono::system_clock::time_point> finished_at;
    RunOutcome outcome = RunOutcome::running;
    RunTotals totals;
    std::string error;     // empty when none
    std::string host;      // host name of the process that ran it
    std::int64_t process_id = 0;
};

// Statement timeout of the blocking helpers below, each on a session of its
// own: their statements are small, so waiting longer means a lock held
// elsewhere (an ALTER or a LOCK on marin.sync_runs, say). A run passes
// bookkeeping_timeout(database.statement_timeout_s), so that the setting
// bounds these statements as it bounds the writer's.
inline constexpr std::chrono::milliseconds default_bookkeeping_timeout{60'000};
// The configured statement timeout, capped at the default (0, no limit, gets
// the default: bookkeeping never needs more).
std::chrono::milliseconds bookkeeping_timeout(std::chrono::milliseconds configured);

// The newest `limit` runs, newest first. Blocking: call off the Asio thread.
std::vector<RunSummary> recent_runs(const std::string& dsn, int limit,
                                    std::chrono::milliseconds timeout = default_bookkeeping_timeout);

// Turns 'running' rows whose process is gone into 'interrupted'. A live run
// holds a session advisory lock keyed by its run_id on the writer's run-log
// connection; a row whose lock can be taken has no live owner. Returns the
// run ids it changed. Blocking.
std::vector<std::int64_t> mark_abandoned_runs(const std::string& dsn, const std::shared_ptr<spdlog::logger>& log,
                                              std::chrono::milliseconds timeout = default_bookkeeping_timeout);

// Scopes (ListingKey::scope) that run `run_id` recorded as done with
// MirrorWriter::mark_listing_done, so that the run after an interrupted one
// can skip them. Blocking.
std::vector<std::string> completed_listings(const std::string& dsn, std::int64_t run_id,
                                            std::chrono::milliseconds timeout = default_bookkeeping_timeout);

// Drops the checkpoints of run `run_id` and every earlier run: once a run has
// succeeded, nothing will resume them. Blocking.
void forget_completed_listings(const std::string& dsn, std::int64_t run_id,
                               std::chrono::milliseconds timeout = default_bookkeeping_timeout);

// Sums of one media plan's ad-level daily statistics over [from, to]
// (YYYY-MM-DD), as exact decimal text. Blocking.
struct StatsSums {
    std::string impressions = "0", clicks = "0", spent = "0";
};
StatsSums media_plan_stats_sums(const std::string& dsn, const std::string& media_plan_id, const std::string& from,
                                const std::string& to,
                                std::chrono::milliseconds timeout = default_bookkeeping_timeout);

// Stores the figures check of a run (JSON text) in sync_runs.stats_check. Blocking.
void record_stats_check(const std::string& dsn, std::int64_t run_id, const std::string& check_json,
                        std::chrono::milliseconds timeout = default_bookkeeping_timeout);

}  // namespace marin::storage
