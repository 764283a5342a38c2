// What the crawl reports while it runs: progress per stream, for the
// terminal display, the status page and sd_notify STATUS= lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace marin::sync {

class CrawlObserver {
public:
    virtual ~CrawlObserver() = default;
    // One page of `stream` was read: `rows` records; `listing_pages` is the
    // listing's nb_pages when the API said it on its first page.
    virtual void on_page(std::string_view stream, std::uint64_t rows, bool first_page,
                         std::optional<std::int64_t> listing_pages) = 0;
    virtual void on_listing_done(std::string_view stream, bool complete) = 0;
    virtual void on_listing_queued(std::string_view stream) = 0;
};

}  // namespace marin::sync
