// Generation of the simulated agency from (seed, scale, today): accounts and
// their children, media plans, campaigns with their ad sets and ads. The
// generator's draws happen in a fixed order: the same seed gives the same
// world, so keep the order when changing anything here.
#include <algorithm>

#include "marin/sim/world.hpp"

namespace marin::sim {

void World::generate() {
    Rng rng(hash_of(config_.seed, Kind::account, 0, 0x6E4E));
    generate_accounts(rng);
    advertisers.resize(static_cast<std::size_t>(spec_.advertisers));
    users.resize(static_cast<std::size_t>(spec_.users));
    generate_media_plans(rng);
    for (int c = 0; c < spec_.campaigns; ++c) generate_campaign(rng, c);

    // Hidden ad sets: the first one (a live Facebook campaign's, so that its
    // ads have recent statistics at every scale) and about 3% of the others.
    for (std::uint32_t s = 0; s < ad_sets.size(); ++s)
        if (s == 0 || hash_of(config_.seed, Kind::ad_set, s, 0x41DE) % 100 < 3) ad_sets[s].hidden_epoch = 0;
}

void World::generate_accounts(Rng& rng) {
    accounts.resize(static_cast<std::size_t>(spec_.accounts));
    for (std::size_t i = 0; i < accounts.size(); ++i) {
        Account& a = accounts[i];
        a.src = (i % 3 == 1) ? Src::tw : Src::fb;
        a.active = (i % 7 != 2);
        const auto ui = static_cast<std::uint32_t>(i);
        const int n_objects =
            a.src == Src::fb ? static_cast<int>(rng.between(1, 6)) : static_cast<int>(rng.between(0, 2));
        const int n_funding = a.src == Src::tw ? static_cast<int>(rng.between(1, 3)) : 0;
        const int n_leads = a.src == Src::fb ? static_cast<int>(rng.between(0, 5)) : 0;
        const int n_audiences = static_cast<int>(rng.between(0, 8));
        const int n_clusters = static_cast<int>(rng.between(1, 3));
        const int counts[account_child_kinds] = {n_objects, n_funding, n_leads, n_audiences, n_clusters};
        for (int slot = 0; slot < account_child_kinds; ++slot)
            for (int k = 0; k < counts[slot]; ++k) add_account_child(ui, slot);
    }
}

void World::generate_media_plans(Rng& rng) {
    media_plans.resize(static_cast<std::size_t>(spec_.media_plans));
    for (std::size_t j = 0; j < media_plans.size(); ++j) {
        MediaPlan& mp = media_plans[j];
        mp.account = j < accounts.size() ? static_cast<std::uint32_t>(j)
                                         : static_cast<std::uint32_t>(rng.next() % accounts.size());
        mp.advertiser = j < advertisers.size() ? static_cast<std::uint32_t>(j)
                                               : static_cast<std::uint32_t>(rng.next() % advertisers.size());
        mp.archived = j >= 3 && rng.chance(0.2);
        const int n_users = static_cast<int>(rng.between(1, std::min<int>(3, spec_.users)));
        for (int k = 0; k < n_users; ++k) {
            const auto u = static_cast<std::uint32_t>(rng.next() % users.size());
            if (std::none_of(mp.users.begin(), mp.users.end(), [u](const MediaPlanUser& l) { return l.user == u; }))
                mp.users.push_back(MediaPlanUser{u});
        }
        std::sort(mp.users.begin(), mp.users.end(),
                  [](const MediaPlanUser& x, const MediaPlanUser& y) { return x.user < y.user; });
    }
}

namespace {

// The first campaigns have fixed phases, so that every scale has each kind.
Phase draw_phase(Rng& rng, int c) {
    switch (c) {
        case 0:
            return Phase::live;
        case 1:
            return Phase::live;
        case 2:
            return Phase::ended;
        case 3:
            return Phase::archived;
        case 4:
            return Phase::deleted;
        case 5:
            return Phase::recently_ended;
        default: {
            const double u = rng.uniform();
            return u < 0.20   ? Phase::live
                   : u < 0.35 ? Phase::recently_ended
                   : u < 0.65 ? Phase::ended
                   : u < 0.90 ? Phase::archived
                              : Phase::deleted;
        }
    }
}

// A campaign's first and last day for its phase (the last open while live).
std::pair<Day, Day> draw_campaign_days(Rng& rng, Phase phase, Day today) {
    Day start = 0, end = open_end;
    switch (phase) {
        case Phase::live:
            start = today - static_cast<Day>(rng.between(3, 150));
            break;
        case Phase::recently_ended:
            end = today - static_cast<Day>(rng.between(1, 20));
            start = end - static_cast<Day>(rng.between(10, 150));
            break;
        case Phase::ended:
            end = today - static_cast<Day>(rng.between(21, 700));
            start = end - static_cast<Day>(rng.between(5, 120));
            break;
        case Phase::archived:
            end = today - static_cast<Day>(rng.between(40, 900));
            start = end - static_cast<Day>(rng.between(5, 120));
            break;
        case Phase::deleted:
            end = today - static_cast<Day>(rng.between(30, 900));
            start = end - static_cast<Day>(rng.between(5, 120));
            break;
    }
    return {start, end};
}

}  // namespace

void World::generate_campaign(Rng& rng, int c) {
    const auto mp = c < spec_.media_plans ? static_cast<std::uint32_t>(c)
                                          : static_cast<std::uint32_t>(rng.next() % media_plans.size());
    Phase phase = draw_phase(rng, c);
    if (!accounts[media_plans[mp].account].active && phase == Phase::live) phase = Phase::ended;
    const auto [start, end] = draw_campaign_days(rng, phase, today_);
    const bool live = phase == Phase::live;
    const auto ci = add_campaign(mp, phase, start, end, live);
    const bool heavy_tail = config_.scale != Scale::tiny;
    auto ads_count = [&]() {
        int n = static_cast<int>(rng.between(1, 2 * spec_.ads_mean - 1));
        if (heavy_tail && rng.chance(0.02)) n *= 10;
        return n;
    };
    if (campaigns[ci].src == Src::fb) {
        const int n_sets = static_cast<int>(rng.between(spec_.adsets_min, spec_.adsets_max));
        for (int s = 0; s < n_sets; ++s) {
            const bool set_play = live && rng.chance(0.85);
            const auto si = add_ad_set(ci, set_play);
            const int n = ads_count();
            for (int k = 0; k < n; ++k) generate_ad(rng, ci, static_cast<std::int32_t>(si), set_play);
        }
    } else {
        const int n = ads_count() + (config_.scale == Scale::tiny ? 2 : 0);
        for (int k = 0; k < n; ++k) generate_ad(rng, ci, -1, live);
    }
}

void World::generate_ad(Rng& rng, std::uint32_t ci, std::int32_t ad_set, bool parent_play) {
    const Campaign& camp = campaigns[ci];
    const bool live = camp.phase == Phase::live;
    const Day T = today_;
    Day a_start = camp.start_day + static_cast<Day>(rng.between(0, 10));
    Day a_end;
    bool play = false;
    if (live) {
        a_start = std::min(a_start, T);
        if (parent_play && rng.chance(0.8)) {
            a_end = open_end;
            play = true;
        } else {
            a_end = std::max(a_start, T - static_cast<Day>(rng.between(1, 30)));
        }
    } else {
        a_start = std::min(a_start, camp.end_day);
        a_end = std::max(a_start, camp.end_day - static_cast<Day>(rng.between(0, 3)));
    }
    const bool deleted = camp.deleted || (!live && rng.chance(0.05));
    add_ad(ci, ad_set, a_start, a_end, play, deleted);
}

}  // namespace marin::sim
