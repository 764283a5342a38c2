#pragma once
// GET /_sim/expected: the state a perfect mirror should hold, as NDJSON.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "marin/sim/variants.hpp"
#include "marin/sim/world.hpp"

namespace marin::sim {

enum class ExpectedTable {
    accounts,
    advertisers,
    media_plans,
    campaigns,
    ad_sets,
    ads,
    users,
    media_plan_users,
    funding_instruments,
    publisher_objects,
    lead_forms,
    audiences,
    targeting_clusters,
    ad_stats_daily
};
std::optional<ExpectedTable> parse_expected_table(std::string_view name);

// Where a stream of expected rows stands between chunks.
struct ExpectedCursor {
    ExpectedTable table;
    Day stats_from = 0;
    // What a client can reach: with CampaignAds::twitter_only, the ads of a
    // hidden ad set are in no listing it can read (see docs/simulator.md).
    CampaignAds campaign_ads = CampaignAds::all;
    std::size_t outer = 0;
    std::size_t inner = 0;
    bool done = false;
};

// Appends rows until out grows by about `budget` bytes or the table ends;
// returns false once the table has been written completely.
bool write_expected_chunk(const World& world, ExpectedCursor& cursor, std::string& out, std::size_t budget);

}  // namespace marin::sim
