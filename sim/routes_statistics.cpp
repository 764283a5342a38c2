// The statistics endpoints' parameters (aggregate, level, start_date,
// end_date), read the same way at every scope, then a page of rows.
#include "handling.hpp"
#include "marin/sim/records.hpp"
#include "marin/sim/stats_window.hpp"

namespace marin::sim::detail {

namespace {

const std::string* param(const ApiCall& call, const char* k) {
    auto it = call.ctx.params.find(k);
    return it == call.ctx.params.end() ? nullptr : &it->second;
}

// aggregate and level into `q`; the problem when one is not allowed.
std::optional<std::string> read_grouping(const ApiCall& call, StatsQuery& q, StatsLevel scope_level) {
    if (const auto* agg = param(call, "aggregate")) {
        if (*agg == "period")
            q.aggregate = StatsAggregate::period;
        else if (*agg == "day")
            q.aggregate = StatsAggregate::day;
        else if (*agg == "month")
            q.aggregate = StatsAggregate::month;
        else
            return "aggregate must be period, day or month, got '" + *agg + "'";
    }
    q.level = scope_level;
    if (const auto* lvl = param(call, "level")) {
        StatsLevel l;
        if (*lvl == "client" || *lvl == "channel_connect")
            l = StatsLevel::client;
        else if (*lvl == "campaign")
            l = StatsLevel::campaign;
        else if (*lvl == "adset")
            l = StatsLevel::ad_set;
        else if (*lvl == "ad")
            l = StatsLevel::ad;
        else
            return "level must be client, campaign, adset, ad or channel_connect, got '" + *lvl + "'";
        // A level coarser than the scope answers at the scope's level.
        q.level = static_cast<int>(l) < static_cast<int>(scope_level) ? scope_level : l;
    }
    return std::nullopt;
}

// start_date and end_date into `window`; the problem when they are not usable.
std::optional<std::string> read_window(const ApiCall& call, WindowRequest& window) {
    if (const auto* sd = param(call, "start_date")) {
        const auto v = parse_int(*sd);
        if (!v || *v < 0) return "start_date must be a UNIX timestamp, got '" + *sd + "'";
        window.start = *v;
    }
    if (const auto* ed = param(call, "end_date")) {
        const auto v = parse_int(*ed);
        if (!v || *v < 0) return "end_date must be a UNIX timestamp, got '" + *ed + "'";
        window.end = *v;
    }
    if (window.start && window.end && *window.start > *window.end) return "start_date is after end_date";
    return std::nullopt;
}

}  // namespace

Response statistics(const ApiCall& call, std::string_view tmpl, StatsQuery q, StatsLevel scope_level) {
    const World& world = call.world;
    const Variants& variants = call.variants;
    if (auto problem = read_grouping(call, q, scope_level)) return route(tmpl, error(400, *problem));
    WindowRequest window;
    window.first_day = world.first_stats_day();
    window.today = world.today();
    window.days = variants.stats_days;
    window.window = variants.stats_window;
    window.timezone = account_timezone(world, world.media_plans[q.media_plan].account);
    if (auto problem = read_window(call, window)) return route(tmpl, error(400, *problem));
    const WindowDays days = window_days(window);
    q.from = days.from;
    q.to = days.to;
    q.from_share = days.first;
    q.to_share = days.last;
    q.with_date = variants.stats_keys == StatsKeys::full || variants.stats_keys == StatsKeys::no_ids;
    q.with_ids = variants.stats_keys == StatsKeys::full || variants.stats_keys == StatsKeys::no_date;
    return route(tmpl, listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                     return write_stats_page(world, q, off, lim, w);
                 }));
}

}  // namespace marin::sim::detail
