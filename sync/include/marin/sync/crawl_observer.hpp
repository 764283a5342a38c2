// What the crawl reports while it runs: progress per listing kind, for the
// terminal display, the status page and sd_notify STATUS= lines. By kind, not
// by stream name, so that the reader can tell from the object graph when no
// more listings of a stream can come.
#pragma once

#include <cstdint>
#include <optional>

#include "marin/model/object_graph.hpp"

namespace marin::sync {

// How a listing ended: read (to its end, or it did not apply, or its parent
// is gone), failed (counted in listings_failed), or unfinished (the crawl
// stopped or aborted first).
enum class ListingEnd { read, failed, unfinished };

class CrawlObserver {
  public:
    virtual ~CrawlObserver() = default;
    virtual void on_listing_queued(model::ListingKind kind) = 0;
    // One page of a listing was read: `rows` records; `listing_pages` is the
    // listing's nb_pages when the API said it on its first page.
    virtual void on_page(model::ListingKind kind, std::uint64_t rows, bool first_page,
                         std::optional<std::int64_t> listing_pages) = 0;
    // Called after the listings it starts were queued. had_pages: a page of
    // it was read (and reported through on_page).
    virtual void on_listing_done(model::ListingKind kind, ListingEnd end, bool had_pages) = 0;
};

}  // namespace marin::sync
