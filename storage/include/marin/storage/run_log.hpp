// marin.sync_runs: one row per run (mode, start, end, outcome, what it read
// and wrote). Rows are written through MirrorWriter::begin_run/finish_run;
// this header holds the shapes and RunLog, the one session a run keeps for
// the rest of its bookkeeping (and the one-shot readers of `marin-sync
// status` and start-up).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marin/model/run_vocabulary.hpp"
#include "marin/model/table_spec.hpp"

namespace spdlog {
class logger;
}

namespace marin::storage {

// The run vocabulary is model's (model/run_vocabulary.hpp); these names
// keep the writer's and its tests' spelling.
using model::RunOutcome;
using model::TableCounts;

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
    std::string mode;  // to_string(model::RunMode) (whatever begin_run was given)
    std::chrono::system_clock::time_point started_at;
    std::optional<std::chrono::system_clock::time_point> finished_at;
    RunOutcome outcome = RunOutcome::running;
    RunTotals totals;
    std::string error;  // empty when none
    std::string host;   // host name of the process that ran it
    std::int64_t process_id = 0;
};

// Statement timeout of the bookkeeping statements below: they are small, so
// waiting longer means a lock held elsewhere (an ALTER or a LOCK on
// marin.sync_runs, say). A run passes
// bookkeeping_timeout(database.statement_timeout_s), so that the setting
// bounds these statements as it bounds the writer's.
inline constexpr std::chrono::milliseconds default_bookkeeping_timeout{60'000};
// The configured statement timeout, capped at the default (0, no limit, gets
// the default: bookkeeping never needs more).
std::chrono::milliseconds bookkeeping_timeout(std::chrono::milliseconds configured);

// Sums of one media plan's ad-level daily statistics, as exact decimal text.
struct StatsSums {
    std::string impressions = "0", clicks = "0", spent = "0";
};

// The listings a run could not read (sync_runs.listings_failed and
// failed_listings; sql/009_run_failures.sql).
struct RunFailures {
    std::int64_t listings_failed = 0;
    std::vector<std::string> first;  // "<listing>: <why>", key masked by the caller
};

// One session for a run's bookkeeping (everything but the rows, which the
// writer's own sessions write): a run used to open a connection per helper,
// about a dozen in all. Connects at the first call; a session that broke
// meanwhile (a server restart during the crawl) is opened again once for
// the statement at hand, so the end of a run is recorded as before. Every
// call is blocking: use it off the Asio thread, from one thread at a time.
// Errors throw StorageError naming what failed.
class RunLog {
  public:
    RunLog(std::string dsn, std::chrono::milliseconds timeout = default_bookkeeping_timeout,
           std::string application_name = "marin-sync");
    ~RunLog();
    RunLog(const RunLog&) = delete;
    RunLog& operator=(const RunLog&) = delete;

    // The newest `limit` runs, newest first.
    std::vector<RunSummary> recent_runs(int limit);

    // Turns 'running' rows whose process is gone into 'interrupted'. A live
    // run holds a session advisory lock keyed by its run_id on the writer's
    // run-log connection; a row whose lock can be taken has no live owner.
    // Returns the run ids it changed.
    std::vector<std::int64_t> mark_abandoned_runs(const std::shared_ptr<spdlog::logger>& log);

    // Scopes (model::ListingScope::name) that run `run_id` recorded as done with
    // MirrorWriter::enqueue_listing_done, so that the run after an interrupted
    // one can skip them.
    std::vector<std::string> completed_listings(std::int64_t run_id);
    // Drops the checkpoints of run `run_id` and every earlier run: once a run
    // has succeeded, nothing will resume them.
    void forget_completed_listings(std::int64_t run_id);

    // Sums of one media plan's ad-level daily statistics over [from, to]
    // (YYYY-MM-DD).
    StatsSums media_plan_stats_sums(const std::string& media_plan_id, const std::string& from, const std::string& to);
    // Stores the figures check of a run (JSON text) in sync_runs.stats_check.
    void record_stats_check(std::int64_t run_id, const std::string& check_json);

    // The failed listings of run `run_id` (the first few of `failures`;
    // run_failures.cpp).
    void record_run_failures(std::int64_t run_id, const RunFailures& failures);
    // Those of the runs with run_id >= `oldest_run_id` that had any, by run id.
    std::map<std::int64_t, RunFailures> run_failures_since(std::int64_t oldest_run_id);

    // Sessions opened so far: 1 after any call, unless one broke.
    int sessions_opened() const;

    struct Impl;  // run_log_impl.hpp

  private:
    std::unique_ptr<Impl> impl_;
};

// One-shot readers, each on a session of its own (`marin-sync status`, the
// daemon's start-up, tests): a RunLog for a single call.
std::vector<RunSummary> recent_runs(const std::string& dsn, int limit,
                                    std::chrono::milliseconds timeout = default_bookkeeping_timeout);
std::vector<std::int64_t> mark_abandoned_runs(const std::string& dsn, const std::shared_ptr<spdlog::logger>& log,
                                              std::chrono::milliseconds timeout = default_bookkeeping_timeout);
std::vector<std::string> completed_listings(const std::string& dsn, std::int64_t run_id,
                                            std::chrono::milliseconds timeout = default_bookkeeping_timeout);

}  // namespace marin::storage
