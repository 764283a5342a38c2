// The crawl: walks the object graph and the statistics of every media plan,
// maps each record to a row and hands rows to the sink, with a bounded number
// of listings in progress at once (requests in flight are bounded again, and
// shared, inside ApiClient).
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include <spdlog/logger.h>

#include "marin/model/run_vocabulary.hpp"
#include "marin/model/table_spec.hpp"
#include "marin/sync/api_client.hpp"
#include "marin/sync/crawl_observer.hpp"
#include "marin/sync/row_sink.hpp"

namespace marin::sync {

struct CrawlSettings {
    model::RunMode mode = model::RunMode::full;
    // The statistics this run reads, computed once by the run
    // (model::stats_window) and used by the figures check as well.
    model::StatsWindow stats_window = model::stats_window(std::chrono::system_clock::now(), 90);
    // Incremental runs skip the ad sets and ads of campaigns that are deleted,
    // archived, or ended more than this many days ago (README: "What an
    // incremental run skips").
    unsigned skip_ended_days = 28;
    unsigned concurrent_listings = 16;
    std::size_t batch_rows = 2000;
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    // Listings without children (model::ListingScope::name) that an interrupted
    // run of the same mode completed: this run resumes it and skips them.
    std::unordered_set<std::string> resume_completed;
};

struct CrawlReport {
    // read, rejected and sanitized of each table the crawl read
    std::map<model::TableId, model::TableCounts> tables;
    std::uint64_t listings_completed = 0;
    std::uint64_t listings_failed = 0;
    std::uint64_t listings_skipped = 0;  // by the incremental rule
    std::uint64_t listings_resumed = 0;  // completed by the interrupted run this one resumes
    std::uint64_t parents_gone = 0;      // child listings that answered 404 whose parent's own GET did too
    // Child listings that answered 404 (or 400, where the listing is
    // documented for one network) while their parent's own GET found it: the
    // listing does not apply to that parent (a Twitter campaign's ad sets).
    // Nothing under it is removed.
    std::uint64_t listings_not_applicable = 0;
    std::map<std::string, std::uint64_t> not_applicable_by_listing;  // endpoint label -> count
    std::uint64_t listings_reread = 0;  // read twice: their total fell while they were read
    std::vector<std::string> failures;  // first few failed listings, with why (key masked)
    // A few media plans whose statistics stream was read in full with rows:
    // the sample for the figures check of a full run.
    std::vector<std::string> stats_sample;
    // Statistics rows of days before the window's first day: buckets it may cut
    // (the account's day starts before or after UTC midnight), not stored.
    std::uint64_t stats_rows_before_window = 0;
    bool interrupted = false;   // a stop request ended the crawl early
    bool auth_refused = false;  // 403: the key was refused
    std::string fatal_error;    // set when the crawl could not go on
    [[nodiscard]] bool complete() const {
        return !interrupted && !auth_refused && fatal_error.empty() && listings_failed == 0;
    }
};

class CrawlEngine {
  public:
    CrawlEngine(ApiClient& api, RowSink& sink, CrawlSettings settings, std::shared_ptr<spdlog::logger> logger,
                CrawlObserver* observer);
    ~CrawlEngine();
    CrawlEngine(const CrawlEngine&) = delete;
    CrawlEngine& operator=(const CrawlEngine&) = delete;

    // Runs the crawl to its end (or until stopped or a fatal error) and
    // flushes the sink. Never throws for API or listing errors: they are in
    // the report. A sink failure (the database) ends the crawl as fatal.
    boost::asio::awaitable<CrawlReport> run();

    // Ends the crawl early: callable from any thread, before or during
    // run(). On the crawl's executor it becomes a terminal cancellation of
    // every worker (sync/task_group.hpp): backoff sleeps, waits and requests
    // on the wire end at once; sink calls are shielded and finish whole.
    // The report says interrupted. Destroy the engine on that executor's
    // thread, or after it stopped.
    void request_stop();

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace marin::sync
