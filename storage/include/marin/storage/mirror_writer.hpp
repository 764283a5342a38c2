// The writer thread (osm2pgsql db-copy style): one std::thread owns one
// PostgreSQL connection and does all blocking database work, fed by a
// bounded channel of commands. Callers are Asio coroutines on another thread;
// each call sends a command (suspending while the channel is full: that is
// the backpressure that bounds memory to capacity x batch size) and then
// awaits the result, which the writer posts back to the caller's executor.
//
// Commands are executed in the order they were sent, with group commit: the
// rows of enqueue wait in the writer (per table, bounded: see
// WriterSettings::pending_rows/pending_bytes) and are merged many commands at
// a time; merges, removals and checkpoints share one transaction, which is
// committed as soon as the channel is momentarily empty (or before a barrier
// call: flush, totals, ready, begin_run, finish_run; or
// once it is WriterSettings::group_max_delay old). Replies are held until
// that commit, so a call's completion still means its work is committed (and
// everything sent before it too). A removal first merges the pending rows of
// the tables it reads, so it sees every row sent before it; merges of other
// tables may run after it, which commutes. One small listing thus costs a few
// statements (prepared once per session) instead of two commits.
//
// Failure: connect failure, a lost connection, a statement timeout or any SQL
// error fails the call it happened in with a StorageError naming what failed
// (and every call of the same group: their work was rolled back together),
// and every later call with the same error (the writer never reconnects: a
// new connection would have lost the session's staging and seen-key tables).
// RemovalGuardError is the exception: nothing was changed and the writer
// stays usable. The writer never terminates the process.
//
// Behind this face: docs/design.md, "The writer's rooms".
//
// GCC 12: name a call's arguments before co_await (docs/design.md, "GCC 12 and coroutine frames").
#pragma once

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "marin/model/row.hpp"
#include "marin/model/table_spec.hpp"
#include "marin/storage/errors.hpp"
#include "marin/storage/run_lock.hpp"
#include "marin/storage/run_log.hpp"

namespace spdlog {
class logger;
}

namespace marin::storage {

namespace detail {
class WriterThread;
}

struct WriterSettings {
    std::string dsn;  // libpq connection string or URI
    // Commands the channel holds before senders wait. Each holds one batch
    // (e.g. 500 rows of a few kB): 8 keeps the writer busy while fetchers
    // parse the next pages, and bounds queued memory to a few tens of MB.
    std::size_t channel_capacity = 8;
    // Per statement, on the writer's session (0 = none). A merge of one batch
    // takes milliseconds; minutes mean something is wrong (a lock held by an
    // analyst's open transaction, say).
    std::chrono::milliseconds statement_timeout{std::chrono::minutes{5}};
    // Group commit bounds. The writer holds rows received but not merged yet
    // (as COPY text, about the size of the rows' _raw). A table's pending
    // rows are merged once they reach pending_rows; all pending rows once
    // their text passes pending_bytes. So the writer's own memory stays
    // within pending_bytes plus one batch, besides the channel's
    // capacity x batch size.
    std::size_t pending_rows = 2000;
    std::size_t pending_bytes = std::size_t{16} << 20;
    // A group is committed (and its replies sent) at the latest this long
    // after its transaction began, even while commands keep arriving.
    std::chrono::milliseconds group_max_delay{100};
    // A run may mark removed at most this share of a table's live rows (as
    // counted when the run first touched the table) ...
    double removal_guard_ratio = 0.2;
    // ... unless it marks no more than this many rows in that table.
    std::int64_t removal_guard_min_rows = 100;
    // The write lock (run_lock.hpp), taken on the mirror session as it
    // opens (a failure to take it fails ready()). A run's writer takes it;
    // nullopt takes none.
    std::optional<WriteLockPolicy> write_lock;
    // The run's stop request (nullable): the run log's reconnect at
    // finish_run gives up once it is set, rather than trying for its 7.5 s
    // (or 5 connect timeouts). Must outlive the writer.
    const std::atomic<bool>* stop = nullptr;
};

// Which listing a batch belongs to, so that completing the listing can mark
// removed the rows it no longer holds: the crawl's scope (name and parent
// filter, model/run_vocabulary.hpp).
using ListingKey = model::ListingScope;

// What this writer merged and removed so far, per table (read stays 0: the
// writer does not see what the API sent). Keys merged: inserted (new),
// changed (stored with another _hash, or marked removed before), unchanged
// (same _hash: not touched at all); a key sent twice in one merge counts
// once (the last wins). removed: cascades included.
using WriterTotals = std::map<model::TableId, TableCounts>;

class MirrorWriter {
  public:
    // Starts the writer thread, which connects. Does not block; a connect
    // failure surfaces on the first awaited call (ready() is a good one).
    MirrorWriter(WriterSettings settings, std::shared_ptr<spdlog::logger> log);
    // Lets the writer finish what is queued, then joins the thread. Calls
    // still waiting to send when this runs are a bug of the caller.
    ~MirrorWriter();
    MirrorWriter(const MirrorWriter&) = delete;
    MirrorWriter& operator=(const MirrorWriter&) = delete;

    // Completes once connected and the session is set up (staging tables,
    // settings); throws StorageError when that failed.
    boost::asio::awaitable<void> ready();

    // Hands over one batch of rows of `table` (the rows' values follow
    // TableSpec::sent_columns()) and completes as soon as it is queued
    // (suspending while the channel is full): the fetcher goes on while the
    // writer merges, and queued memory stays within capacity x batch size
    // (plus the writer's pending rows, see WriterSettings). New keys are
    // inserted, rows whose _hash differs (or that were marked removed) are
    // updated with their previous version copied to <table>_history,
    // unchanged rows are not touched. The keys are recorded as seen by
    // `listing` (unless its scope is empty). The rows may be merged together
    // with other commands' rows of the table: a key sent again by a later
    // command counts once (the last wins). The counts go to totals(); a
    // failure fails the next awaited call (flush, ...) and every enqueue
    // after it (StorageError). Commands keep their order, so a completion
    // sent after a listing's enqueues sees all of them.
    boost::asio::awaitable<void> enqueue(model::TableId table, std::vector<model::Row> rows, ListingKey listing);

    // Call only after the listing was read to its end. Marks removed the
    // stored rows matching listing.parent_filter, not yet removed, that no
    // batch of this listing held in this run; cascades to their children
    // (media plan -> campaigns, ad sets, ads, media_plan_users; campaign ->
    // ad sets, ads; account -> funding_instruments,
    // publisher_objects, lead_forms, audiences, targeting_clusters); then
    // forgets the listing's keys. Atomic (in the writer's group
    // transaction). ad_stats_daily: never removes. Completes once queued;
    // completions wait for the group's commit and are processed then, after
    // the group's rows are merged. When the removal guard trips nothing is
    // marked, and the next flush() reports it (a StorageError carrying the
    // RemovalGuardError's message).
    boost::asio::awaitable<void> enqueue_complete_listing(model::TableId table, ListingKey listing);

    // A child listing answered 404: its parent is gone. Marks the parent row
    // (key values in TableSpec::key_columns() order) removed, with cascade
    // and the same guard (RemovalGuardError, nothing marked). A key not
    // stored or already removed: no-op. Completes once committed.
    boost::asio::awaitable<void> mark_gone(model::TableId table, std::vector<std::string> key_values);

    // Completes when everything sent before it is committed.
    boost::asio::awaitable<void> flush();

    // Run bookkeeping (marin.sync_runs). It goes through a second connection
    // owned by the writer thread, so that a run whose mirror connection broke
    // can still record how it ended; it is ordered with the other commands
    // (finish_run completes after every write sent before it). begin_run
    // also takes the run's liveness lock (see mark_abandoned_runs).
    boost::asio::awaitable<std::int64_t> begin_run(std::string mode);
    boost::asio::awaitable<void> finish_run(std::int64_t run_id, RunOutcome outcome, RunTotals totals,
                                            std::string error);

    // Resume checkpoint (marin.sync_listings): records `scope` as done for
    // the run, on the mirror connection in the group of everything sent
    // before it, so a recorded listing's rows are committed with it (read
    // back with storage::completed_listings). Completes once queued. A
    // listing whose completion the guard refused in the same group is not
    // recorded.
    boost::asio::awaitable<void> enqueue_listing_done(std::int64_t run_id, std::string scope);

    // Counts merged and removed by this writer so far.
    boost::asio::awaitable<WriterTotals> totals();

  private:
    std::unique_ptr<detail::WriterThread> thread_;
};

}  // namespace marin::storage
