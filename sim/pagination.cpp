// Pagination of a listing: `limit` and `page`, the `range` object and its
// `next` URL, and the pagination faults (repeated rows, a drifting total, a
// `next` back to page 1 or to another server).
#include <algorithm>

#include "handling.hpp"

namespace marin::sim::detail {

namespace {

constexpr std::size_t default_limit = 100;
constexpr std::size_t max_limit = 300;

struct Paging {
    std::size_t limit = default_limit;
    std::size_t page = 1;
    std::size_t offset() const { return (page - 1) * limit; }
};

// Validates limit and page; on failure fills `problem`.
std::optional<Paging> parse_paging(const Ctx& ctx, std::string& problem) {
    Paging p;
    if (auto it = ctx.params.find("limit"); it != ctx.params.end()) {
        const auto v = parse_uint(it->second);
        if (!v || *v == 0) {
            problem = "limit must be a positive integer, got '" + it->second + "'";
            return std::nullopt;
        }
        p.limit = static_cast<std::size_t>(std::min<std::uint64_t>(*v, max_limit));
    }
    if (auto it = ctx.params.find("page"); it != ctx.params.end()) {
        const auto v = parse_uint(it->second);
        if (!v || *v == 0) {
            problem = "page must be a positive integer, got '" + it->second + "'";
            return std::nullopt;
        }
        p.page = static_cast<std::size_t>(std::min<std::uint64_t>(*v, 1'000'000'000));
    }
    return p;
}

std::string next_url(const Ctx& ctx, const Paging& p, std::size_t target_page) {
    std::string base = ctx.base;
    if (ctx.faults && !ctx.faults->next_host.empty())  // fault: a next URL on another server
        base = std::string(ctx.tls ? "https://" : "http://") + ctx.faults->next_host;
    std::string u = base + ctx.path + "?";
    for (const auto& [k, v] : ctx.raw) {
        if (k == "key" || k == "limit" || k == "page" || ctx.next_style == NextStyle::bare) continue;
        u += k;
        u += '=';
        u += v;
        u += '&';
    }
    std::string key_encoded;
    for (const auto& [k, v] : ctx.raw)
        if (k == "key") {
            key_encoded = v;
            break;
        }
    // The reference's own next links mostly drop `limit`: a client that
    // follows one as written reads on at the default page size.
    if (ctx.next_style == NextStyle::full) u += "limit=" + std::to_string(p.limit) + "&";
    u += "key=" + key_encoded + "&page=" + std::to_string(target_page);
    return u;
}

// {"data":[...],"range":{...}}; `rows(offset, limit, writer)` writes the
// rows at those positions and returns the total.
}  // namespace

Response listing(const Ctx& ctx, const RowWriter& rows) {
    std::string problem;
    const auto paging = parse_paging(ctx, problem);
    if (!paging) return error(400, problem);
    const FaultSettings none;
    const FaultSettings& f = ctx.faults ? *ctx.faults : none;
    const std::size_t offset = paging->offset();
    Response r;
    r.body.reserve(4096);
    JsonWriter w(r.body);
    w.begin_object();
    w.key("data");
    w.begin_array();
    std::size_t repeated = 0;
    if (paging->page > 1 && f.prepeat > 0) {
        // Fault: the page starts with the last records of the page before, as
        // when rows were inserted ahead of the reader (only pages that have
        // rows of their own: a page past the end stays empty).
        const std::size_t total_now = rows(offset, 0, w);
        if (offset < total_now && ctx.hit(f.prepeat, "prepeat")) {
            repeated = std::min<std::size_t>(static_cast<std::size_t>(std::max(f.repeat_count, 1)), paging->limit);
            rows(offset - repeated, repeated, w);
        }
    }
    const std::size_t total = rows(offset, paging->limit, w);
    w.end_array();
    const std::size_t results = repeated + (offset < total ? std::min(paging->limit, total - offset) : 0);
    std::size_t nb_pages = (total + paging->limit - 1) / paging->limit;
    std::size_t shown_total = total;
    if (ctx.hit(f.ptotal_drift, "ptotal_drift")) {
        // Fault: the total moved while the client reads. The pages stay those
        // of the rows served; a total that grew may promise a page past the
        // end (answered with an empty `data`).
        const auto d = 1 + static_cast<std::size_t>(ctx.draw() * static_cast<double>(paging->limit));
        shown_total = (ctx.draw() < 0.5) ? total - std::min(total, d) : total + d;
        nb_pages = std::max(nb_pages, (shown_total + paging->limit - 1) / paging->limit);
    }
    w.key("range");
    w.begin_object();
    w.key("total");
    w.integer(static_cast<std::int64_t>(shown_total));
    w.key("limit");
    w.integer(static_cast<std::int64_t>(paging->limit));
    w.key("nb_pages");
    w.integer(static_cast<std::int64_t>(nb_pages));
    w.key("page");
    w.integer(static_cast<std::int64_t>(paging->page));
    w.key("results");
    w.integer(static_cast<std::int64_t>(results));
    w.key("next");
    if (paging->page < nb_pages) {
        // Fault pnext_loop: back to page 1, a page the client has read.
        w.string(next_url(ctx, *paging, ctx.hit(f.pnext_loop, "pnext_loop") ? 1 : paging->page + 1));
        if (!f.next_host.empty() && ctx.counters) ctx.counters->count_fault("next_host");
    } else
        w.null();
    w.end_object();
    w.end_object();
    return r;
}

}  // namespace marin::sim::detail
