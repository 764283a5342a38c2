#include "run_observers.hpp"

namespace marin::app {

void RunRequestObserver::on_response(std::string_view endpoint_label, unsigned status,
                                     std::chrono::steady_clock::duration latency, std::size_t body_bytes) {
    ++requests_;
    ++by_status_[static_cast<int>(status)];
    if (metrics_)
        metrics_->record_request(endpoint_label, static_cast<int>(status),
                                 std::chrono::duration<double>(latency), body_bytes);
}

void RunRequestObserver::on_retry(std::string_view endpoint_label, std::string_view reason,
                                  std::chrono::milliseconds) {
    ++retries_;
    if (metrics_) metrics_->record_retry(endpoint_label, reason);
}

void RunProgressObserver::on_listing_queued(std::string_view stream) {
    if (!board_) return;
    if (auto [it, inserted] = started_.try_emplace(std::string(stream), true); inserted) board_->stream_started(stream);
    board_->add_listings_known(1);
}

void RunProgressObserver::on_page(std::string_view stream, std::uint64_t rows, bool first_page,
                                  std::optional<std::int64_t> listing_pages) {
    if (metrics_) metrics_->add_rows(stream == "statistics" ? "ad_stats_daily" : stream, daemon::RowKind::read, rows);
    if (!board_) return;
    if (first_page) board_->add_pages_total(stream, listing_pages && *listing_pages > 0 ? *listing_pages : 1);
    board_->add_pages(stream, 1);
    board_->add_rows(stream, rows);
}

void RunProgressObserver::on_listing_done(std::string_view, bool) {
    if (board_) board_->add_listings_done(1);
}

}  // namespace marin::app
