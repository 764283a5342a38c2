// Pages of one listing in order, guarded against pagination loops and endless listings.
#include "marin/sync/page_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <fmt/format.h>
#include <spdlog/logger.h>

namespace marin::sync {

namespace json = boost::json;

namespace {

// The query of a URL without `key`, sorted: two URLs asking for the same page
// compare equal.
std::string normalised(std::string_view path, std::vector<std::pair<std::string, std::string>> params) {
    std::erase_if(params, [](const auto& p) { return p.first == "key"; });
    std::sort(params.begin(), params.end());
    std::string out(path);
    for (const auto& [k, v] : params) out += fmt::format("&{}={}", k, v);
    return out;
}

}  // namespace

PageReader::PageReader(ApiClient& client, std::string path, QueryParams extra_query, std::string endpoint_label)
    : client_(client), path_(std::move(path)), extra_query_(std::move(extra_query)), label_(std::move(endpoint_label)) {
    std::erase_if(extra_query_,
                  [](const auto& p) { return p.first == "key" || p.first == "limit" || p.first == "page"; });
}

asio::awaitable<std::optional<Page>> PageReader::next() {
    if (done_) co_return std::nullopt;
    const auto& log = client_.logger();
    PageResponse response;
    std::string shown;
    std::optional<std::int64_t> asked_page;
    if (!next_url_) {
        auto query = extra_query_;
        query.emplace_back("limit", std::to_string(client_.settings().page_limit));
        query.emplace_back("page", "1");
        requested_.insert(normalised(path_, query));
        asked_page = 1;
        shown = client_.masked(path_);
        response = co_await client_.get_page(path_, std::move(query), label_, pages_read_ + 1);
    } else {
        shown = client_.masked(*next_url_);
        response = co_await client_.get_page_url(*next_url_, label_, pages_read_ + 1);
    }
    Page page = std::move(response.page);
    ++pages_read_;
    if (pages_read_ > max_pages) {
        done_ = true;
        throw ApiError(ApiError::Kind::protocol, response.status, label_,
                       fmt::format("{} ({}): more than {} pages, giving up", client_.masked(path_), label_, max_pages));
    }
    const auto& range = page.range;
    if (range.nb_pages) nb_pages_ = range.nb_pages;
    if (range.total && total_ && *range.total != *total_) {
        log->debug("{} ({}): total changed from {} to {} while reading", client_.masked(path_), label_, *total_,
                   *range.total);
        if (*range.total < *total_ && !shrink_) shrink_.emplace(*total_, *range.total);
    }
    if (range.total) total_ = range.total;

    const auto page_no = range.page ? range.page : asked_page;
    if (page_no && !pages_seen_.insert(*page_no).second) {
        done_ = true;
        throw ApiError(ApiError::Kind::protocol, response.status, label_,
                       fmt::format("{} ({}): pagination loop: page {} answered twice (last asked: {})",
                                   client_.masked(path_), label_, *page_no, shown));
    }

    if (page.data.empty()) {
        done_ = true;
        co_return std::nullopt;
    }
    if (!range.next) {
        if (range.page && range.nb_pages && *range.page < *range.nb_pages) {
            log->debug("{} ({}): no next URL on page {} of {}; the listing ends here", client_.masked(path_), label_,
                       *range.page, *range.nb_pages);
        }
        done_ = true;
    } else if (range.page && range.nb_pages && *range.page >= *range.nb_pages) {
        done_ = true;
    } else {
        follow(*range.next, response.status);
    }
    co_return page;
}

// Takes `next` as the URL of the next page, with our parameters, unless it
// leads back to a page already read.
void PageReader::follow(const std::string& next, unsigned status) {
    auto parsed = boost::urls::parse_uri_reference(next);
    if (!parsed) {
        done_ = true;
        throw ApiError(
            ApiError::Kind::protocol, status, label_,
            fmt::format("{} ({}): next URL '{}' is not a URL", client_.masked(path_), label_, client_.masked(next)));
    }
    // The reference's next links mostly drop `limit` (and sometimes the
    // request's other parameters): followed as written, the next pages
    // would be read at the default 100 and overlap the first, or ask for
    // another thing altogether (a statistics stream without its level).
    // So `next` gives the page and the place; the parameters are ours.
    boost::urls::url own(*parsed);
    own.params().set("limit", std::to_string(client_.settings().page_limit));
    for (const auto& [k, v] : extra_query_) own.params().set(k, v);
    std::vector<std::pair<std::string, std::string>> params;
    std::optional<std::int64_t> next_page;
    for (const auto& p : own.params()) {
        params.emplace_back(p.key, p.value);
        if (p.key == "page") {
            std::int64_t n = 0;
            const auto [ptr, ec] = std::from_chars(p.value.data(), p.value.data() + p.value.size(), n);
            if (ec == std::errc() && ptr == p.value.data() + p.value.size()) next_page = n;
        }
    }
    // Compare paths without the base URL's prefix, as page 1 was asked.
    std::string next_path(parsed->path());
    const auto base = boost::urls::parse_uri(client_.settings().base_url);
    if (base) {
        std::string prefix(base->path());
        while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
        if (!prefix.empty() && next_path.starts_with(prefix)) next_path.erase(0, prefix.size());
    }
    const bool seen_page = next_page && pages_seen_.contains(*next_page);
    if (seen_page || !requested_.insert(normalised(next_path, std::move(params))).second) {
        done_ = true;
        throw ApiError(ApiError::Kind::protocol, status, label_,
                       fmt::format("{} ({}): pagination loop: next URL '{}' leads back to a page already read",
                                   client_.masked(path_), label_, client_.masked(next)));
    }
    next_url_ = std::string(own.buffer());
}

}  // namespace marin::sync
