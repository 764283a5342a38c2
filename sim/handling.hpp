#pragma once
// Pieces the simulator's request handlers share (private to sim/): the
// parsed request, error answers, pagination of a listing, and the API call a
// route handler answers.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "marin/sim/json_writer.hpp"
#include "marin/sim/simulator.hpp"
#include "marin/sim/stats.hpp"

namespace marin::sim::detail {

// A request's target, parsed once.
struct Ctx {
    std::string base;                                      // scheme://host
    std::string path;                                      // encoded path
    std::vector<std::string> segments;                     // decoded, trailing empty ones dropped
    std::vector<std::pair<std::string, std::string>> raw;  // encoded query pairs
    std::map<std::string, std::string> params;             // decoded, first wins
    const FaultSettings* faults = nullptr;                 // pagination faults; null: none
    std::function<double()> draw;                          // set with `faults`
    Counters* counters = nullptr;                          // set with `faults`
    bool tls = false;
    NextStyle next_style = NextStyle::full;

    // Whether the pagination fault `name` of probability `p` hits this
    // answer (counted when it does). Draws only when p > 0, so that answers
    // without faults never change.
    bool hit(double p, std::string_view name) const {
        if (!(p > 0 && draw && draw() < p)) return false;
        if (counters) counters->count_fault(name);
        return true;
    }
};

Response json_response(unsigned status, std::string body);
Response error(unsigned status, std::string_view message);
Response not_found(std::string_view what, const std::string& id);
// The response, counted under the endpoint template `tmpl`.
Response route(std::string_view tmpl, Response r);

// Decimal text, nothing else; parse_uint saturates at the type's maximum.
std::optional<std::uint64_t> parse_uint(const std::string& s);
std::optional<std::int64_t> parse_int(const std::string& s);

// `path` is `prefix` or below it ("/clients/5" covers "/clients/5/users",
// not "/clients/50").
bool under_prefix(std::string_view path, std::string_view prefix);

// Writes the rows at positions [offset, offset + limit) and returns the total.
using RowWriter = std::function<std::size_t(std::size_t offset, std::size_t limit, JsonWriter& w)>;

// {"data":[...],"range":{...}}: a page of a listing (pagination.cpp), with
// the pagination faults ctx.faults asks for.
Response listing(const Ctx& ctx, const RowWriter& rows);

// Pages over positions [0, n) keeping those `listed`, rendering with `render`.
template <typename Listed, typename Render>
std::size_t page_over(std::size_t n, Listed listed, Render render, std::size_t offset, std::size_t limit) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!listed(i)) continue;
        if (pos >= offset && pos < offset + limit) render(i);
        ++pos;
    }
    return pos;
}

// A single object, as {"data": {...}} or bare.
template <typename Render>
Response wrapped(Render render) {
    Response r;
    JsonWriter w(r.body);
    w.begin_object();
    w.key("data");
    render(w);
    w.end_object();
    return r;
}

template <typename Render>
Response bare(Render render) {
    Response r;
    JsonWriter w(r.body);
    render(w);
    return r;
}

// An API request as the route handlers see it (the world locked for reading).
struct ApiCall {
    const Ctx& ctx;
    const World& world;
    const Variants& variants;
    const std::vector<std::string>& s;  // the path's segments
    // A listing that does not apply to its parent's network answers this
    // (0: an empty listing).
    unsigned inapplicable;

    std::size_t n() const { return s.size(); }
    // (Worded unlike a client's own report of it, which tests grep for.)
    Response not_applicable(std::string_view what, std::string_view parent) const {
        return error(inapplicable ? inapplicable : 404, "no " + std::string(what) + " for " + std::string(parent));
    }
    Response unknown_path() const { return route("(unknown)", error(404, "unknown path " + ctx.path)); }
};

// Route handlers, by the path's first segment.
Response account_routes(const ApiCall& call);     // /accounts...
Response advertiser_routes(const ApiCall& call);  // /advertisers[/{id}]
Response user_routes(const ApiCall& call);        // /users[/{id}]
Response all_campaigns(const ApiCall& call);      // /campaigns
Response client_routes(const ApiCall& call);      // /clients...
// The statistics endpoints: their parameters, then a page of rows.
Response statistics(const ApiCall& call, std::string_view tmpl, StatsQuery q, StatsLevel scope_level);

}  // namespace marin::sim::detail
