// The crawl's working state, shared by the files of the crawl engine
// (private to marin_sync): the queue of listings, the report, the task group
// of workers, and the steps of reading one listing.
#pragma once

#include <atomic>
#include <bitset>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>

#include "marin/sync/crawl_engine.hpp"
#include "marin/sync/listing.hpp"
#include "marin/sync/page_reader.hpp"
#include "task_group.hpp"

namespace marin::sync {

namespace asio = boost::asio;

// The listings under one that has followers (model::ListingSpec::then): a
// campaign's ad-set listing and the ads listings of its ad sets. When the
// last of them is done, the followers start (the campaign's ads listing).
struct SubtreeJoin {
    Listing root;              // the listing with followers, as it was queued
    unsigned open = 0;         // listings of the subtree queued and not done yet
    bool all_complete = true;  // every one done so far was read to its end
    bool root_went = false;    // the root's parent is gone: no followers
};

namespace detail {

// What a listing's error meant (handle_api_error).
enum class ErrorOutcome { failed, not_applicable, parent_gone, stopped };

struct ReadOutcome {
    bool complete = false;
    ErrorOutcome outcome = ErrorOutcome::failed;               // when not complete
    sync::ListingEnd observed = sync::ListingEnd::unfinished;  // for the observer
    bool had_pages = false;
};

// One listing being read: what it is, and what its pages gave so far.
struct ListingRead {
    ListingRead(const Listing& listing, model::TableCounts& table_counts);

    const Listing& l;
    const model::ListingSpec& lspec;
    model::TableId table;
    const model::TableSpec& spec;
    RecordContext context;
    model::ListingScope scope;
    // The rows count as seen by the listing that decides their removals
    // (an ad set's ads: by their campaign's ads listing).
    model::ListingScope write_scope;
    std::size_t date_position;  // of the statistics date among the sent columns
    model::TableCounts& counts;
    // Whether its rows count for removals (its own, or its decider's): then
    // a read whose total fell is read again. Whether it completes a scope
    // itself (an ad set's ads listing never does).
    bool counts_for_removals;
    bool removes;

    std::optional<PageReader> reader;
    std::vector<model::Row> batch;
    std::vector<Listing> children;  // found on the current page
    std::unordered_set<std::string> child_ids;
    std::string refused;  // the first record that could not be keyed, and why
    bool complete = false;
};

}  // namespace detail

struct CrawlEngine::State {
    State(ApiClient& a, RowSink& s, CrawlSettings cs, std::shared_ptr<spdlog::logger> l, CrawlObserver* o);

    ApiClient& api;
    RowSink& sink;
    CrawlSettings settings;
    std::shared_ptr<spdlog::logger> log;
    CrawlObserver* observer;

    CrawlReport report;
    std::vector<Listing> pending;  // a stack: children first keeps it short
    unsigned busy = 0;
    bool aborted = false;  // fatal error or refused key: no new listing starts
    // Set by request_stop() from any thread; the cancellation follows on
    // the executor (stop()).
    std::atomic<bool> stop_requested{false};
    std::mutex executor_mutex;                      // guards `executor` against request_stop()
    std::optional<asio::any_io_executor> executor;  // while run() runs
    std::unique_ptr<detail::TaskGroup> workers;
    std::unique_ptr<asio::steady_timer> wakeup;  // idle workers wait on it; cancelled when work comes

    std::string skip_cutoff_date;  // campaigns that ended before this day are skipped (incremental)
    std::bitset<model::listing_kind_count> not_applicable_logged;

    bool should_stop() const { return aborted || stop_requested.load(std::memory_order_relaxed); }
    // On the executor: the stop reaches every worker's waits and requests.
    void stop();
    void abort(std::string why);
    void notify();
    void enqueue(Listing l);

    // crawl_state.cpp
    std::string quote_record(const boost::json::value& record) const;
    void fail_listing(const Listing& l, const std::string& why);
    void note_shrunk(const std::string& scope, std::pair<std::int64_t, std::int64_t> totals, int read);
    bool incremental_skips(const boost::json::object& campaign) const;
    Listing make_listing(ListingKind kind, const Listing& from) const;
    void collect_children(const Listing& l, const boost::json::object& record, std::vector<Listing>& out,
                          std::unordered_set<std::string>& seen_ids);
    void leave_subtree(const Listing& l, bool complete, bool parent_gone);
    bool before_window(const Listing& l, const model::Row& row, std::size_t date_position) const;
    asio::awaitable<void> process(Listing l);
    asio::awaitable<void> worker();

    // listing_read.cpp
    asio::awaitable<detail::ReadOutcome> read_listing(const Listing& l);
    asio::awaitable<void> read_pages(detail::ListingRead& r);
    asio::awaitable<void> take_page(detail::ListingRead& r, Page& page, int read);
    bool take_record(detail::ListingRead& r, const boost::json::value& value);
    asio::awaitable<detail::ReadOutcome> settle(detail::ListingRead& r, std::optional<ApiError> api_failure,
                                                bool store_failed);
    asio::awaitable<void> write_batch(detail::ListingRead& r);

    // api_error_handling.cpp
    asio::awaitable<detail::ErrorOutcome> handle_api_error(const Listing& l, const ApiError& e);
    asio::awaitable<detail::ErrorOutcome> check_parent(const Listing& l, const ParentRef& parent, const ApiError& e);
    void note_not_applicable(const Listing& l, const ParentRef& parent, const ApiError& e);
};

}  // namespace marin::sync
