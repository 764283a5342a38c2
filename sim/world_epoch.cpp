// Epochs: the simulated agency moves one day forward (statistics restated,
// objects vanish, hide, change and appear; see docs/simulator.md, "Epochs").
// The draws happen in a fixed order: keep it when changing anything here.
#include <algorithm>
#include <cmath>

#include "marin/sim/world.hpp"

namespace marin::sim {

namespace {

// Picks k distinct entries of candidates (in place), returns them sorted.
std::vector<std::uint32_t> pick(Rng& rng, std::vector<std::uint32_t> candidates, std::size_t k) {
    k = std::min(k, candidates.size());
    for (std::size_t i = 0; i < k; ++i) {
        const auto j = i + static_cast<std::size_t>(rng.next() % (candidates.size() - i));
        std::swap(candidates[i], candidates[j]);
    }
    candidates.resize(k);
    std::sort(candidates.begin(), candidates.end());
    return candidates;
}

std::size_t share(std::size_t n, double fraction, std::size_t at_least) {
    if (n == 0) return 0;
    return std::max<std::size_t>(at_least, static_cast<std::size_t>(std::llround(static_cast<double>(n) * fraction)));
}

std::vector<std::uint32_t> all_indexes(std::size_t n) {
    std::vector<std::uint32_t> all(n);
    for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
    return all;
}

}  // namespace

// Listed objects under campaigns that are not frozen: what an epoch may touch.
struct World::EpochCandidates {
    std::vector<std::uint32_t> campaigns, ad_sets, ads;
};

void World::end_ads_of(const std::vector<std::uint32_t>& ad_list, Day last_day, bool pause) {
    for (auto a : ad_list) {
        // A vanished ad keeps its last record; so does an ad of a hidden ad
        // set (archived with it: a client may only have seen it through the
        // ad set's listing).
        if (pause && (!ad_listed(a) || in_hidden_ad_set(a))) continue;
        Ad& ad = ads[a];
        if (ad.end_day > last_day) {
            ad.end_day = std::max(last_day, ad.start_day - 1);
            if (pause) ad.play = false;
        }
    }
}

void World::advance_epoch() {
    ++epoch_;
    Rng rng(hash_of(config_.seed, Kind::ad, static_cast<std::uint64_t>(epoch_), 0xE90C));
    const Day old_today = today_;
    for (Day d = old_today - 6; d <= old_today; ++d)
        if (d >= first_stats_day_) ++versions_[static_cast<std::size_t>(d - first_stats_day_)];
    today_ = old_today + 1;
    versions_.push_back(0);

    EpochCandidates candidates = epoch_candidates();
    epoch_vanish(rng, candidates, old_today);
    epoch_hide(candidates, old_today);
    epoch_change(rng, candidates, old_today);
    epoch_appear(rng);
    epoch_change_agency(rng);
    epoch_change_user_links(rng);
    epoch_change_users(rng);
    epoch_change_account_children(rng);
}

World::EpochCandidates World::epoch_candidates() const {
    EpochCandidates c;
    for (std::uint32_t i = 0; i < campaigns.size(); ++i)
        if (campaigns[i].life.present() && !frozen(campaigns[i])) c.campaigns.push_back(i);
    for (auto i : c.campaigns) {
        for (auto s : campaigns[i].ad_sets)
            if (ad_set_listed(s)) c.ad_sets.push_back(s);
        for (auto a : campaigns[i].ads)
            if (ad_listed(a) && !in_hidden_ad_set(a)) c.ads.push_back(a);
    }
    std::sort(c.ad_sets.begin(), c.ad_sets.end());
    std::sort(c.ads.begin(), c.ads.end());
    return c;
}

// Vanishing (children of a vanished parent leave their listings with it).
// Vanishing first: an object changed and gone in the same epoch would leave
// a record that was never served.
void World::epoch_vanish(Rng& rng, EpochCandidates& c, Day old_today) {
    const int e = epoch_;
    for (auto i : pick(rng, c.campaigns, share(c.campaigns.size(), 0.01, 0))) {
        campaigns[i].life.gone_epoch = e;
        end_ads_of(campaigns[i].ads, old_today, false);
    }
    std::erase_if(c.ad_sets, [&](std::uint32_t s) { return !ad_set_listed(s); });
    for (auto s : pick(rng, c.ad_sets, share(c.ad_sets.size(), 0.01, 1))) {
        ad_sets[s].life.gone_epoch = e;
        end_ads_of(ad_sets[s].ads, old_today, false);
    }
    std::erase_if(c.ads, [&](std::uint32_t a) { return !ad_listed(a); });
    for (auto a : pick(rng, c.ads, share(c.ads.size(), 0.01, 1))) {
        ads[a].life.gone_epoch = e;
        end_ads_of({a}, old_today, false);
    }
}

// Hiding (an ad set archived): it leaves its campaign's ad set listing, its
// ads stop (no statistics after the old today; their records stay as served,
// as a vanished object's do) but stay in the campaign's ad listing. Drawn
// from its own generator, so that the other draws stay those of worlds
// without hiding.
void World::epoch_hide(EpochCandidates& c, Day old_today) {
    const int e = epoch_;
    std::erase_if(c.ad_sets, [&](std::uint32_t s) { return !ad_set_listed(s); });
    Rng hide_rng(hash_of(config_.seed, Kind::ad_set, static_cast<std::uint64_t>(e), 0x41DE));
    for (auto s : pick(hide_rng, c.ad_sets, share(c.ad_sets.size(), 0.01, 1))) {
        ad_sets[s].hidden_epoch = e;
        end_ads_of(ad_sets[s].ads, old_today, false);
    }
}

void World::epoch_change(Rng& rng, EpochCandidates& c, Day old_today) {
    std::erase_if(c.campaigns, [&](std::uint32_t i) { return !campaign_listed(i); });
    std::erase_if(c.ad_sets, [&](std::uint32_t s) { return !ad_set_listed(s); });
    std::erase_if(c.ads, [&](std::uint32_t a) { return !ad_listed(a) || in_hidden_ad_set(a); });
    for (auto i : pick(rng, c.campaigns, share(c.campaigns.size(), 0.05, 1))) {
        Campaign& camp = campaigns[i];
        ++camp.life.rev;
        if (camp.play && rng.chance(0.25)) {
            camp.play = false;
            camp.end_day = old_today;
            end_ads_of(camp.ads, old_today, true);
        } else if (!camp.play && camp.end_day != open_end && rng.chance(0.3)) {
            camp.archived = true;
        }
    }
    for (auto s : pick(rng, c.ad_sets, share(c.ad_sets.size(), 0.05, 1))) {
        AdSet& set = ad_sets[s];
        ++set.life.rev;
        if (set.play && rng.chance(0.2)) {
            set.play = false;
            end_ads_of(set.ads, old_today, true);
        }
    }
    for (auto a : pick(rng, c.ads, share(c.ads.size(), 0.05, 1))) {
        Ad& ad = ads[a];
        ++ad.life.rev;
        if (ad.play && rng.chance(0.2)) end_ads_of({a}, old_today, true);
    }
}

// Appearances: new ads in running ad sets and Twitter campaigns, and a new
// campaign, with ad sets and ads, in a running media plan.
void World::epoch_appear(Rng& rng) {
    std::vector<std::int64_t> containers;  // ad set index, or -(campaign+1) for Twitter
    std::size_t listed_ads = 0;
    for (std::uint32_t c = 0; c < campaigns.size(); ++c) {
        const Campaign& camp = campaigns[c];
        if (!camp.life.present() || !camp.play) continue;
        if (camp.src == Src::tw) containers.push_back(-static_cast<std::int64_t>(c) - 1);
        for (auto s : camp.ad_sets)
            if (ad_set_listed(s) && ad_sets[s].play) containers.push_back(s);
    }
    for (std::uint32_t a = 0; a < ads.size(); ++a)
        if (ad_listed(a)) ++listed_ads;
    if (!containers.empty()) {
        const auto n_new = share(listed_ads, 0.01, 1);
        for (std::size_t k = 0; k < n_new; ++k) {
            const auto pickd = containers[rng.next() % containers.size()];
            if (pickd < 0)
                add_ad(static_cast<std::uint32_t>(-pickd - 1), -1, today_, open_end, true, false);
            else
                add_ad(ad_sets[static_cast<std::size_t>(pickd)].campaign, static_cast<std::int32_t>(pickd), today_,
                       open_end, true, false);
        }
    }
    std::vector<std::uint32_t> mps;
    for (std::uint32_t m = 0; m < media_plans.size(); ++m)
        if (!media_plans[m].archived && accounts[media_plans[m].account].active) mps.push_back(m);
    if (mps.empty()) return;
    const auto mp = mps[rng.next() % mps.size()];
    const auto c = add_campaign(mp, Phase::live, today_, open_end, true);
    if (campaigns[c].src == Src::fb) {
        const int n_sets = static_cast<int>(rng.between(1, 3));
        for (int s = 0; s < n_sets; ++s) {
            const auto si = add_ad_set(c, true);
            const int n = static_cast<int>(rng.between(2, 5));
            for (int k = 0; k < n; ++k) add_ad(c, static_cast<std::int32_t>(si), today_, open_end, true, false);
        }
    } else {
        const int n = static_cast<int>(rng.between(3, 6));
        for (int k = 0; k < n; ++k) add_ad(c, -1, today_, open_end, true, false);
    }
}

// Accounts, advertisers and live media plans change; a few accounts stop.
void World::epoch_change_agency(Rng& rng) {
    const auto all_accounts = all_indexes(accounts.size());
    for (auto i : pick(rng, all_accounts, share(all_accounts.size(), 0.02, 1))) {
        ++accounts[i].life.rev;
        if (accounts[i].active && rng.chance(0.1)) accounts[i].active = false;
    }
    const auto all_advertisers = all_indexes(advertisers.size());
    for (auto i : pick(rng, all_advertisers, share(all_advertisers.size(), 0.02, 1))) ++advertisers[i].life.rev;
    std::vector<std::uint32_t> live;
    for (std::uint32_t i = 0; i < media_plans.size(); ++i)
        if (!media_plans[i].archived) live.push_back(i);
    for (auto i : pick(rng, live, share(live.size(), 0.02, 1))) ++media_plans[i].life.rev;
}

// Manager links: some removed (before users change: a removed link keeps the
// user as it was last served through it), one added.
void World::epoch_change_user_links(Rng& rng) {
    std::vector<std::uint32_t> links;  // mp << 8 | position
    for (std::uint32_t m = 0; m < media_plans.size(); ++m)
        for (std::uint32_t k = 0; k < media_plans[m].users.size() && k < 256; ++k)
            if (user_link_listed(media_plans[m].users[k])) links.push_back(m << 8 | k);
    for (auto l : pick(rng, links, share(links.size(), 0.01, 1))) {
        MediaPlanUser& link = media_plans[l >> 8].users[l & 0xff];
        link.gone_epoch = epoch_;
        link.user_rev_at_gone = users[link.user].life.rev;
    }
    auto& mp = media_plans[rng.next() % media_plans.size()];
    const auto u = static_cast<std::uint32_t>(rng.next() % users.size());
    if (users[u].life.present() &&
        std::none_of(mp.users.begin(), mp.users.end(), [u](const MediaPlanUser& l) { return l.user == u; })) {
        mp.users.push_back(MediaPlanUser{u});
        std::sort(mp.users.begin(), mp.users.end(),
                  [](const MediaPlanUser& x, const MediaPlanUser& y) { return x.user < y.user; });
    }
}

void World::epoch_change_users(Rng& rng) {
    std::vector<std::uint32_t> listed;
    for (std::uint32_t i = 0; i < users.size(); ++i)
        if (users[i].life.present()) listed.push_back(i);
    for (auto i : pick(rng, listed, listed.size() / 100)) users[i].life.gone_epoch = epoch_;
    std::erase_if(listed, [&](std::uint32_t i) { return !users[i].life.present(); });
    for (auto i : pick(rng, listed, share(listed.size(), 0.02, 1))) ++users[i].life.rev;
}

// Account children: a few change, ~1% vanish, a new audience appears.
void World::epoch_change_account_children(Rng& rng) {
    std::vector<std::uint32_t> listed;  // account << 16 | slot << 12 | position
    for (std::uint32_t a = 0; a < accounts.size(); ++a)
        for (int slot = 0; slot < account_child_kinds; ++slot)
            for (std::uint32_t k = 0; k < accounts[a].children[slot].size() && k < 4096; ++k)
                if (accounts[a].children[slot][k].life.present())
                    listed.push_back(a << 16 | static_cast<std::uint32_t>(slot) << 12 | k);
    auto child = [&](std::uint32_t code) -> AccountChild& {
        return accounts[code >> 16].children[(code >> 12) & 0xf][code & 0xfff];
    };
    for (auto code : pick(rng, listed, share(listed.size(), 0.01, 1))) child(code).life.gone_epoch = epoch_;
    std::erase_if(listed, [&](std::uint32_t code) { return !child(code).life.present(); });
    for (auto code : pick(rng, listed, share(listed.size(), 0.02, 1))) ++child(code).life.rev;
    add_account_child(static_cast<std::uint32_t>(rng.next() % accounts.size()), 3);
}

}  // namespace marin::sim
