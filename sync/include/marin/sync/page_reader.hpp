// Pages of a list endpoint: {"data": [...], "range": {...}}, read to the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "marin/sync/api_client.hpp"
#include "marin/sync/page_parser.hpp"

namespace marin::sync {

// Reads one listing page by page. Ends only when the listing does: `next`
// null/absent, `page >= nb_pages`, or an empty `data`; every error
// propagates (a listing that threw is not complete). Not reusable.
class PageReader {
  public:
    static constexpr std::size_t max_pages = 100000;

    PageReader(ApiClient& client, std::string path, QueryParams extra_query, std::string endpoint_label);

    // The next page, or nullopt once the listing has ended. A final empty
    // page is not returned.
    asio::awaitable<std::optional<Page>> next();

    std::size_t pages_read() const noexcept { return pages_read_; }
    // nb_pages of the latest page that said it.
    std::optional<std::int64_t> nb_pages() const noexcept { return nb_pages_; }
    // Whether range.total fell from one page to the next. Pages are offsets:
    // records deleted behind the reader shift the later ones back, and some
    // of those are then on no page it reads. The listing still ends, but its
    // absences prove nothing.
    bool shrank_while_read() const noexcept { return shrink_.has_value(); }
    // The totals of the two pages where it first fell (when it did).
    std::pair<std::int64_t, std::int64_t> shrink() const noexcept {
        return shrink_.value_or(std::pair<std::int64_t, std::int64_t>{});
    }

  private:
    void follow(const std::string& next, unsigned status);

    ApiClient& client_;
    std::string path_;
    QueryParams extra_query_;
    std::string label_;
    std::optional<std::string> next_url_;  // nullopt before page 1
    bool done_ = false;
    std::size_t pages_read_ = 0;
    std::optional<std::int64_t> nb_pages_;
    std::optional<std::int64_t> total_;
    std::optional<std::pair<std::int64_t, std::int64_t>> shrink_;
    std::set<std::string> requested_;  // normalised request targets (no key)
    std::set<std::int64_t> pages_seen_;
};

}  // namespace marin::sync
