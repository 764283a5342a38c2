#pragma once
// Statistics: figures are generated per (ad, day, restatement version) and
// every other row is a sum of ad-day figures, so levels and aggregates agree
// by construction; ratios are computed from the sums.
#include <array>
#include <cstdint>
#include <optional>

#include "marin/sim/json_writer.hpp"
#include "marin/sim/stats_window.hpp"
#include "marin/sim/world.hpp"

namespace marin::sim {

inline constexpr std::size_t main_metric_count = 19;
extern const std::array<const char*, main_metric_count> main_metric_names;

struct Metrics {
    std::int64_t impressions = 0;
    std::int64_t clicks = 0;
    std::int64_t spent = 0;  // cents
    std::array<std::int64_t, main_metric_count> number{};
    std::array<std::int64_t, main_metric_count> amount{};  // cents
    void add(const Metrics& o);
    // Every figure times share.inside / share.length, rounded down (the part
    // of a day a window cuts).
    Metrics part(const DayShare& share) const;
};

// The figures of one ad on one day (the ad must be active that day).
Metrics ad_day_metrics(const World& world, std::uint32_t ad, Day day);

enum class StatsLevel { client, campaign, ad_set, ad };
enum class StatsAggregate { period, day, month };

struct StatsQuery {
    std::uint32_t media_plan = 0;
    std::optional<std::uint32_t> campaign, ad_set, ad;  // the scope below the media plan
    StatsLevel level = StatsLevel::client;
    StatsAggregate aggregate = StatsAggregate::period;
    Day from = 0, to = 0;  // inclusive days
    // The part of `from` and of `to` inside the window (whole unless the
    // window is cut to the second; when from == to, `from_share` holds it).
    DayShare from_share, to_share;
    // Keys the rows carry: `date` (day/month aggregates) and the ids of the
    // row's level and above (marin-sim's --stats-keys).
    bool with_date = true;
    bool with_ids = true;
};

// Writes the rows [offset, offset+limit) of the query's answer as array
// elements into w (inside an open array); returns the total row count.
std::size_t write_stats_page(const World& world, const StatsQuery& q, std::size_t offset, std::size_t limit,
                             JsonWriter& w);

// One row as the statistics endpoints serve it.
struct StatsRowIds {
    std::uint32_t media_plan;
    std::optional<std::uint32_t> campaign;
    std::optional<std::int32_t> ad_set;  // -1: a Twitter ad's (null) ad set
    std::optional<std::uint32_t> ad;
};
// with_ids false: a row without client_id/campaign_id/adset_id/ad_id.
void write_stats_row(JsonWriter& w, const Metrics& m, std::optional<Day> date, const StatsRowIds& ids,
                     bool with_ids = true);

}  // namespace marin::sim
