// The crawl's request and listing events passed on to the progress board and the metrics.
#include "marin/run/run_observers.hpp"

#include <algorithm>

#include "marin/model/object_graph.hpp"

namespace marin::run {

void RunRequestObserver::on_response(std::string_view endpoint_label, unsigned status,
                                     std::chrono::steady_clock::duration latency, std::size_t body_bytes) {
    ++requests_;
    if (board_) board_->add_requests(1);
    ++by_status_[static_cast<int>(status)];
    if (metrics_)
        metrics_->record_request(endpoint_label, static_cast<int>(status), std::chrono::duration<double>(latency),
                                 body_bytes);
}

void RunRequestObserver::on_retry(std::string_view endpoint_label, std::string_view reason, std::chrono::milliseconds) {
    ++retries_;
    if (metrics_) metrics_->record_retry(endpoint_label, reason);
}

void RunProgressObserver::on_listing_queued(model::ListingKind kind) {
    if (board_) board_->listing_queued(static_cast<std::size_t>(kind));
}

void RunProgressObserver::on_page(model::ListingKind kind, std::uint64_t rows, bool first_page,
                                  std::optional<std::int64_t> listing_pages) {
    const auto& spec = model::listing_spec(kind);
    if (metrics_) metrics_->add_rows_read(model::table_spec(spec.table).name, rows);
    if (!board_) return;
    std::optional<std::uint64_t> pages;
    if (first_page) pages = listing_pages && *listing_pages > 0 ? static_cast<std::uint64_t>(*listing_pages) : 1;
    board_->listing_page(static_cast<std::size_t>(kind), rows, pages);
}

void RunProgressObserver::on_listing_done(model::ListingKind kind, sync::ListingEnd end, bool had_pages) {
    if (!board_) return;
    const auto how = end == sync::ListingEnd::read     ? ListingEnd::read
                     : end == sync::ListingEnd::failed ? ListingEnd::failed
                                                       : ListingEnd::unfinished;
    board_->listing_ended(static_cast<std::size_t>(kind), how, had_pages);
}

namespace {
// `kind` and every listing kind it starts, transitively (children only).
void add_subtree(model::ListingKind kind, std::vector<std::size_t>& out) {
    out.push_back(static_cast<std::size_t>(kind));
    for (auto child : model::listing_spec(kind).children) add_subtree(child, out);
}
}  // namespace

ListingGraph progress_graph() {
    const auto listings = model::all_listings();
    ListingGraph graph(listings.size());
    for (const auto& l : listings) {
        auto& node = graph[static_cast<std::size_t>(l.kind)];
        node.stream = std::string(l.stream);
        node.statistics = l.statistics;
        for (const auto& other : listings) {
            const auto starts = [&](std::span<const model::ListingKind> kinds) {
                return std::find(kinds.begin(), kinds.end(), l.kind) != kinds.end();
            };
            if (starts(other.children)) node.starters.push_back(static_cast<std::size_t>(other.kind));
            // A follower starts once its root and every listing the root
            // started are done: all of them are its starters.
            if (starts(other.then)) add_subtree(other.kind, node.starters);
        }
    }
    return graph;
}

}  // namespace marin::run
