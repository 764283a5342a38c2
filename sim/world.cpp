// The simulated agency's data: scales, deterministic hashing, and the World's
// bookkeeping (adding objects, statistics versions); generation and epochs
// live in world_generate.cpp and world_epoch.cpp.
#include "marin/sim/world.hpp"

#include <algorithm>

namespace marin::sim {

std::optional<Scale> parse_scale(std::string_view name) {
    if (name == "tiny") return Scale::tiny;
    if (name == "small") return Scale::small;
    if (name == "medium") return Scale::medium;
    if (name == "large") return Scale::large;
    return std::nullopt;
}

std::string_view scale_name(Scale s) {
    switch (s) {
        case Scale::tiny:
            return "tiny";
        case Scale::small:
            return "small";
        case Scale::medium:
            return "medium";
        case Scale::large:
            return "large";
    }
    return "tiny";
}

ScaleSpec scale_spec(Scale s) {
    switch (s) {
        case Scale::tiny:
            return {3, 2, 3, 8, 5, 2, 2, 3, 7};
        case Scale::small:
            return {8, 12, 30, 300, 40, 1, 3, 5, 30};
        case Scale::medium:
            return {20, 40, 100, 2000, 150, 1, 3, 5, 30};
        case Scale::large:
            return {60, 150, 400, 20000, 600, 1, 3, 5, 90};
    }
    return {3, 2, 3, 8, 5, 2, 2, 3, 7};
}

Kind account_child_kind(int slot) {
    static constexpr Kind kinds[account_child_kinds] = {Kind::publisher_object, Kind::funding_instrument,
                                                        Kind::lead_form, Kind::audience, Kind::targeting_cluster};
    return kinds[slot];
}

std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t hash_of(std::uint64_t seed, Kind kind, std::uint64_t index, std::uint64_t salt) {
    std::uint64_t h = mix64(seed ^ 0x5151'a3a3'0000'0000ULL);
    h = mix64(h ^ static_cast<std::uint64_t>(kind));
    h = mix64(h ^ index);
    return mix64(h ^ salt);
}

// ---- generation -------------------------------------------------------------

World::World(WorldConfig config)
    : config_(config),
      spec_(scale_spec(config.scale)),
      today_(config.today),
      first_stats_day_(config.today - spec_.stats_days + 1),
      versions_(static_cast<std::size_t>(spec_.stats_days), 0) {
    account_child_count.assign(account_child_kinds, 0);
    generate();
}

std::uint16_t World::stats_version(Day d) const {
    if (d < first_stats_day_) return 0;
    const auto i = static_cast<std::size_t>(d - first_stats_day_);
    return i < versions_.size() ? versions_[i] : 0;
}

bool World::frozen(const Campaign& c) const {
    if (c.archived || c.deleted) return true;
    return c.end_day != open_end && c.end_day < today_ - frozen_after_days;
}

std::pair<Day, Day> World::ad_active_days(const Ad& ad, Day from, Day to) const {
    const Day lo = std::max({ad.start_day, from, first_stats_day_});
    const Day hi = std::min({ad.end_day, to, today_});
    return {lo, hi};
}

void World::add_account_child(std::uint32_t account, int slot) {
    accounts[account].children[slot].push_back(
        AccountChild{account_child_count[static_cast<std::size_t>(slot)]++, Life{}});
}

std::uint32_t World::add_campaign(std::uint32_t mp, Phase phase, Day start, Day end, bool play) {
    Campaign c;
    c.media_plan = mp;
    c.src = accounts[media_plans[mp].account].src;
    c.phase = phase;
    c.play = play;
    c.archived = phase == Phase::archived;
    c.deleted = phase == Phase::deleted;
    c.start_day = start;
    c.end_day = end;
    const auto idx = static_cast<std::uint32_t>(campaigns.size());
    campaigns.push_back(std::move(c));
    media_plans[mp].campaigns.push_back(idx);
    return idx;
}

std::uint32_t World::add_ad_set(std::uint32_t campaign, bool play) {
    const auto idx = static_cast<std::uint32_t>(ad_sets.size());
    ad_sets.push_back(AdSet{campaign, play, Life{}, {}, -1});
    campaigns[campaign].ad_sets.push_back(idx);
    return idx;
}

std::uint32_t World::add_ad(std::uint32_t campaign, std::int32_t ad_set, Day start, Day end, bool play, bool deleted) {
    const auto idx = static_cast<std::uint32_t>(ads.size());
    ads.push_back(Ad{campaign, ad_set, play, deleted, start, end, Life{}});
    campaigns[campaign].ads.push_back(idx);
    if (ad_set >= 0) ad_sets[static_cast<std::uint32_t>(ad_set)].ads.push_back(idx);
    media_plans[campaigns[campaign].media_plan].ads.push_back(idx);
    return idx;
}

}  // namespace marin::sim
