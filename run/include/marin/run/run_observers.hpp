// What a run reports to the outside: request counts for sync_runs, the
// Prometheus metrics and the progress board (terminal, status page,
// sd_notify). Both observers are called on the run's Asio thread only;
// Metrics and ProgressBoard are themselves thread-safe for their readers.
#pragma once

#include <map>
#include <mutex>

#include "marin/run/metrics.hpp"
#include "marin/run/progress.hpp"
#include "marin/sync/crawl_observer.hpp"
#include "marin/sync/request_observer.hpp"

namespace marin::run {

class RunRequestObserver final : public sync::RequestObserver {
  public:
    RunRequestObserver(Metrics* metrics, ProgressBoard* board) : metrics_(metrics), board_(board) {}
    void on_response(std::string_view endpoint_label, unsigned status, std::chrono::steady_clock::duration latency,
                     std::size_t body_bytes) override;
    void on_retry(std::string_view endpoint_label, std::string_view reason, std::chrono::milliseconds delay) override;

    std::map<int, std::int64_t> requests_by_status() const { return by_status_; }
    std::int64_t requests() const { return requests_; }
    std::int64_t retries() const { return retries_; }

  private:
    Metrics* metrics_;
    ProgressBoard* board_;
    std::map<int, std::int64_t> by_status_;
    std::int64_t requests_ = 0;
    std::int64_t retries_ = 0;
};

class RunProgressObserver final : public sync::CrawlObserver {
  public:
    RunProgressObserver(ProgressBoard* board, Metrics* metrics) : board_(board), metrics_(metrics) {}
    void on_page(model::ListingKind kind, std::uint64_t rows, bool first_page,
                 std::optional<std::int64_t> listing_pages) override;
    void on_listing_done(model::ListingKind kind, sync::ListingEnd end, bool had_pages) override;
    void on_listing_queued(model::ListingKind kind) override;

  private:
    ProgressBoard* board_;
    Metrics* metrics_;
};

// The object graph as the progress board needs it: per listing kind, its
// stream and the kinds that queue it (as a child of their records, or after
// them). Index = model::ListingKind.
ListingGraph progress_graph();

}  // namespace marin::run
