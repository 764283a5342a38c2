#include "marin/sim/world.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

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
    case Scale::tiny: return "tiny";
    case Scale::small: return "small";
    case Scale::medium: return "medium";
    case Scale::large: return "large";
    }
    return "tiny";
}

ScaleSpec scale_spec(Scale s) {
    switch (s) {
    case Scale::tiny: return {3, 2, 3, 8, 5, 2, 2, 3, 7};
    case Scale::small: return {8, 12, 30, 300, 40, 1, 3, 5, 30};
    case Scale::medium: return {20, 40, 100, 2000, 150, 1, 3, 5, 30};
    case Scale::large: return {60, 150, 400, 20000, 600, 1, 3, 5, 90};
    }
    return {3, 2, 3, 8, 5, 2, 2, 3, 7};
}

Kind account_child_kind(int slot) {
    static constexpr Kind kinds[account_child_kinds] = {
        Kind::publisher_object, Kind::funding_instrument, Kind::lead_form, Kind::audience,
        Kind::targeting_cluster};
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

// ---- calendar -------------------------------------------------------------

std::string format_day(Day d) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{d}}};
    char buf[16];
    const int y = static_cast<int>(ymd.year());
    const unsigned m = static_cast<unsigned>(ymd.month());
    const unsigned dd = static_cast<unsigned>(ymd.day());
    buf[0] = static_cast<char>('0' + (y / 1000) % 10);
    buf[1] = static_cast<char>('0' + (y / 100) % 10);
    buf[2] = static_cast<char>('0' + (y / 10) % 10);
    buf[3] = static_cast<char>('0' + y % 10);
    buf[4] = '-';
    buf[5] = static_cast<char>('0' + m / 10);
    buf[6] = static_cast<char>('0' + m % 10);
    buf[7] = '-';
    buf[8] = static_cast<char>('0' + dd / 10);
    buf[9] = static_cast<char>('0' + dd % 10);
    return std::string(buf, 10);
}

std::optional<Day> parse_day(std::string_view s) {
    using namespace std::chrono;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    auto y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
    if (!y || !m || !d) return std::nullopt;
    const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*m)},
                             day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    return static_cast<Day>(sys_days{ymd}.time_since_epoch().count());
}

Day month_start(Day d) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{d}}};
    const year_month_day first{ymd.year(), ymd.month(), day{1}};
    return static_cast<Day>(sys_days{first}.time_since_epoch().count());
}

Day next_month_start(Day d) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{d}}};
    const year_month_day first = year_month_day{ymd.year(), ymd.month(), day{1}} + months{1};
    return static_cast<Day>(sys_days{first}.time_since_epoch().count());
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

std::uint32_t World::add_ad(std::uint32_t campaign, std::int32_t ad_set, Day start, Day end,
                            bool play, bool deleted) {
    const auto idx = static_cast<std::uint32_t>(ads.size());
    ads.push_back(Ad{campaign, ad_set, play, deleted, start, end, Life{}});
    campaigns[campaign].ads.push_back(idx);
    if (ad_set >= 0) ad_sets[static_cast<std::uint32_t>(ad_set)].ads.push_back(idx);
    media_plans[campaigns[campaign].media_plan].ads.push_back(idx);
    return idx;
}

void World::generate() {
    Rng rng(hash_of(config_.seed, Kind::account, 0, 0x6E4E));
    const Day T = today_;

    accounts.resize(static_cast<std::size_t>(spec_.accounts));
    for (std::size_t i = 0; i < accounts.size(); ++i) {
        Account& a = accounts[i];
        a.src = (i % 3 == 1) ? Src::tw : Src::fb;
        a.active = (i % 7 != 2);
        const auto ui = static_cast<std::uint32_t>(i);
        const int n_objects = a.src == Src::fb ? static_cast<int>(rng.between(1, 6))
                                               : static_cast<int>(rng.between(0, 2));
        const int n_funding = a.src == Src::tw ? static_cast<int>(rng.between(1, 3)) : 0;
        const int n_leads = a.src == Src::fb ? static_cast<int>(rng.between(0, 5)) : 0;
        const int n_audiences = static_cast<int>(rng.between(0, 8));
        const int n_clusters = static_cast<int>(rng.between(1, 3));
        const int counts[account_child_kinds] = {n_objects, n_funding, n_leads, n_audiences,
                                                 n_clusters};
        for (int slot = 0; slot < account_child_kinds; ++slot)
            for (int k = 0; k < counts[slot]; ++k) add_account_child(ui, slot);
    }
    advertisers.resize(static_cast<std::size_t>(spec_.advertisers));
    users.resize(static_cast<std::size_t>(spec_.users));

    media_plans.resize(static_cast<std::size_t>(spec_.media_plans));
    for (std::size_t j = 0; j < media_plans.size(); ++j) {
        MediaPlan& mp = media_plans[j];
        mp.account = j < accounts.size() ? static_cast<std::uint32_t>(j)
                                         : static_cast<std::uint32_t>(rng.next() % accounts.size());
        mp.advertiser = j < advertisers.size()
                            ? static_cast<std::uint32_t>(j)
                            : static_cast<std::uint32_t>(rng.next() % advertisers.size());
        mp.archived = j >= 3 && rng.chance(0.2);
        const int n_users = static_cast<int>(rng.between(1, std::min<int>(3, spec_.users)));
        for (int k = 0; k < n_users; ++k) {
            const auto u = static_cast<std::uint32_t>(rng.next() % users.size());
            if (std::none_of(mp.users.begin(), mp.users.end(),
                             [u](const MediaPlanUser& l) { return l.user == u; }))
                mp.users.push_back(MediaPlanUser{u});
        }
        std::sort(mp.users.begin(), mp.users.end(),
                  [](const MediaPlanUser& x, const MediaPlanUser& y) { return x.user < y.user; });
    }

    const bool heavy_tail = config_.scale != Scale::tiny;
    auto ads_count = [&]() {
        int n = static_cast<int>(rng.between(1, 2 * spec_.ads_mean - 1));
        if (heavy_tail && rng.chance(0.02)) n *= 10;
        return n;
    };

    for (int c = 0; c < spec_.campaigns; ++c) {
        const auto mp = c < spec_.media_plans ? static_cast<std::uint32_t>(c)
                                              : static_cast<std::uint32_t>(rng.next() % media_plans.size());
        Phase phase;
        switch (c) {
        case 0: phase = Phase::live; break;
        case 1: phase = Phase::live; break;
        case 2: phase = Phase::ended; break;
        case 3: phase = Phase::archived; break;
        case 4: phase = Phase::deleted; break;
        case 5: phase = Phase::recently_ended; break;
        default: {
            const double u = rng.uniform();
            phase = u < 0.20 ? Phase::live
                  : u < 0.35 ? Phase::recently_ended
                  : u < 0.65 ? Phase::ended
                  : u < 0.90 ? Phase::archived
                             : Phase::deleted;
        }
        }
        if (!accounts[media_plans[mp].account].active && phase == Phase::live) phase = Phase::ended;
        Day start = 0, end = open_end;
        switch (phase) {
        case Phase::live: start = T - static_cast<Day>(rng.between(3, 150)); break;
        case Phase::recently_ended:
            end = T - static_cast<Day>(rng.between(1, 20));
            start = end - static_cast<Day>(rng.between(10, 150));
            break;
        case Phase::ended:
            end = T - static_cast<Day>(rng.between(21, 700));
            start = end - static_cast<Day>(rng.between(5, 120));
            break;
        case Phase::archived:
            end = T - static_cast<Day>(rng.between(40, 900));
            start = end - static_cast<Day>(rng.between(5, 120));
            break;
        case Phase::deleted:
            end = T - static_cast<Day>(rng.between(30, 900));
            start = end - static_cast<Day>(rng.between(5, 120));
            break;
        }
        const bool live = phase == Phase::live;
        const auto ci = add_campaign(mp, phase, start, end, live);
        const Campaign& camp = campaigns[ci];

        auto make_ad = [&](std::int32_t ad_set, bool parent_play) {
            Day a_start = start + static_cast<Day>(rng.between(0, 10));
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
                a_start = std::min(a_start, end);
                a_end = std::max(a_start, end - static_cast<Day>(rng.between(0, 3)));
            }
            const bool deleted = camp.deleted || (!live && rng.chance(0.05));
            add_ad(ci, ad_set, a_start, a_end, play, deleted);
        };

        if (camp.src == Src::fb) {
            const int n_sets = static_cast<int>(rng.between(spec_.adsets_min, spec_.adsets_max));
            for (int s = 0; s < n_sets; ++s) {
                const bool set_play = live && rng.chance(0.85);
                const auto si = add_ad_set(ci, set_play);
                const int n = ads_count();
                for (int k = 0; k < n; ++k) make_ad(static_cast<std::int32_t>(si), set_play);
            }
        } else {
            const int n = ads_count() + (config_.scale == Scale::tiny ? 2 : 0);
            for (int k = 0; k < n; ++k) make_ad(-1, live);
        }
    }

    // Hidden ad sets: the first one (a live Facebook campaign's, so that its
    // ads have recent statistics at every scale) and about 3% of the others.
    for (std::uint32_t s = 0; s < ad_sets.size(); ++s)
        if (s == 0 || hash_of(config_.seed, Kind::ad_set, s, 0x41DE) % 100 < 3) ad_sets[s].hidden_epoch = 0;
}

// ---- epochs -----------------------------------------------------------------

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

}  // namespace

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
    const int e = epoch_;

    // Candidates: listed objects under campaigns that are not frozen.
    std::vector<std::uint32_t> camp_c, set_c, ad_c;
    for (std::uint32_t c = 0; c < campaigns.size(); ++c)
        if (campaigns[c].life.present() && !frozen(campaigns[c])) camp_c.push_back(c);
    for (auto c : camp_c) {
        for (auto s : campaigns[c].ad_sets)
            if (ad_set_listed(s)) set_c.push_back(s);
        for (auto a : campaigns[c].ads)
            if (ad_listed(a) && !in_hidden_ad_set(a)) ad_c.push_back(a);
    }
    std::sort(set_c.begin(), set_c.end());
    std::sort(ad_c.begin(), ad_c.end());

    // Vanishing (children of a vanished parent leave their listings with it).
    // Vanishing first: an object changed and gone in the same epoch would
    // leave a record that was never served.
    for (auto c : pick(rng, camp_c, share(camp_c.size(), 0.01, 0))) {
        campaigns[c].life.gone_epoch = e;
        end_ads_of(campaigns[c].ads, old_today, false);
    }
    std::erase_if(set_c, [&](std::uint32_t s) { return !ad_set_listed(s); });
    for (auto s : pick(rng, set_c, share(set_c.size(), 0.01, 1))) {
        ad_sets[s].life.gone_epoch = e;
        end_ads_of(ad_sets[s].ads, old_today, false);
    }
    std::erase_if(ad_c, [&](std::uint32_t a) { return !ad_listed(a); });
    for (auto a : pick(rng, ad_c, share(ad_c.size(), 0.01, 1))) {
        ads[a].life.gone_epoch = e;
        end_ads_of({a}, old_today, false);
    }

    // Hiding (an ad set archived): it leaves its campaign's ad set listing,
    // its ads stop (no statistics after the old today; their records stay
    // as served, as a vanished object's do) but stay in the campaign's ad
    // listing. Drawn
    // from its own generator, so that the draws below stay those of worlds
    // without hiding.
    {
        std::erase_if(set_c, [&](std::uint32_t s) { return !ad_set_listed(s); });
        Rng hide_rng(hash_of(config_.seed, Kind::ad_set, static_cast<std::uint64_t>(e), 0x41DE));
        for (auto s : pick(hide_rng, set_c, share(set_c.size(), 0.01, 1))) {
            ad_sets[s].hidden_epoch = e;
            end_ads_of(ad_sets[s].ads, old_today, false);
        }
    }

    std::erase_if(camp_c, [&](std::uint32_t c) { return !campaign_listed(c); });
    std::erase_if(set_c, [&](std::uint32_t s) { return !ad_set_listed(s); });
    std::erase_if(ad_c, [&](std::uint32_t a) { return !ad_listed(a) || in_hidden_ad_set(a); });

    // Changes.
    for (auto c : pick(rng, camp_c, share(camp_c.size(), 0.05, 1))) {
        Campaign& camp = campaigns[c];
        ++camp.life.rev;
        if (camp.play && rng.chance(0.25)) {
            camp.play = false;
            camp.end_day = old_today;
            end_ads_of(camp.ads, old_today, true);
        } else if (!camp.play && camp.end_day != open_end && rng.chance(0.3)) {
            camp.archived = true;
        }
    }
    for (auto s : pick(rng, set_c, share(set_c.size(), 0.05, 1))) {
        AdSet& set = ad_sets[s];
        ++set.life.rev;
        if (set.play && rng.chance(0.2)) {
            set.play = false;
            end_ads_of(set.ads, old_today, true);
        }
    }
    for (auto a : pick(rng, ad_c, share(ad_c.size(), 0.05, 1))) {
        Ad& ad = ads[a];
        ++ad.life.rev;
        if (ad.play && rng.chance(0.2)) end_ads_of({a}, old_today, true);
    }

    // Appearances: new ads in running ad sets and Twitter campaigns ...
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
                add_ad(ad_sets[static_cast<std::size_t>(pickd)].campaign,
                       static_cast<std::int32_t>(pickd), today_, open_end, true, false);
        }
    }
    // ... and a new campaign, with ad sets and ads, in a running media plan.
    {
        std::vector<std::uint32_t> mps;
        for (std::uint32_t m = 0; m < media_plans.size(); ++m)
            if (!media_plans[m].archived && accounts[media_plans[m].account].active) mps.push_back(m);
        if (!mps.empty()) {
            const auto mp = mps[rng.next() % mps.size()];
            const auto c = add_campaign(mp, Phase::live, today_, open_end, true);
            if (campaigns[c].src == Src::fb) {
                const int n_sets = static_cast<int>(rng.between(1, 3));
                for (int s = 0; s < n_sets; ++s) {
                    const auto si = add_ad_set(c, true);
                    const int n = static_cast<int>(rng.between(2, 5));
                    for (int k = 0; k < n; ++k)
                        add_ad(c, static_cast<std::int32_t>(si), today_, open_end, true, false);
                }
            } else {
                const int n = static_cast<int>(rng.between(3, 6));
                for (int k = 0; k < n; ++k) add_ad(c, -1, today_, open_end, true, false);
            }
        }
    }

    // Agency-level objects.
    {
        std::vector<std::uint32_t> all(accounts.size());
        for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
        for (auto i : pick(rng, all, share(all.size(), 0.02, 1))) {
            ++accounts[i].life.rev;
            if (accounts[i].active && rng.chance(0.1)) accounts[i].active = false;
        }
    }
    {
        std::vector<std::uint32_t> all(advertisers.size());
        for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
        for (auto i : pick(rng, all, share(all.size(), 0.02, 1))) ++advertisers[i].life.rev;
    }
    {
        std::vector<std::uint32_t> live;
        for (std::uint32_t i = 0; i < media_plans.size(); ++i)
            if (!media_plans[i].archived) live.push_back(i);
        for (auto i : pick(rng, live, share(live.size(), 0.02, 1))) ++media_plans[i].life.rev;
    }
    {
        // Manager links: some removed (before users change: a removed link
        // keeps the user as it was last served through it), one added.
        std::vector<std::uint32_t> links;  // mp << 8 | position
        for (std::uint32_t m = 0; m < media_plans.size(); ++m)
            for (std::uint32_t k = 0; k < media_plans[m].users.size() && k < 256; ++k)
                if (user_link_listed(media_plans[m].users[k])) links.push_back(m << 8 | k);
        for (auto l : pick(rng, links, share(links.size(), 0.01, 1))) {
            MediaPlanUser& link = media_plans[l >> 8].users[l & 0xff];
            link.gone_epoch = e;
            link.user_rev_at_gone = users[link.user].life.rev;
        }
        auto& mp = media_plans[rng.next() % media_plans.size()];
        const auto u = static_cast<std::uint32_t>(rng.next() % users.size());
        if (users[u].life.present() &&
            std::none_of(mp.users.begin(), mp.users.end(),
                         [u](const MediaPlanUser& l) { return l.user == u; })) {
            mp.users.push_back(MediaPlanUser{u});
            std::sort(mp.users.begin(), mp.users.end(),
                      [](const MediaPlanUser& x, const MediaPlanUser& y) { return x.user < y.user; });
        }
    }
    {
        std::vector<std::uint32_t> listed;
        for (std::uint32_t i = 0; i < users.size(); ++i)
            if (users[i].life.present()) listed.push_back(i);
        for (auto i : pick(rng, listed, listed.size() / 100)) users[i].life.gone_epoch = e;
        std::erase_if(listed, [&](std::uint32_t i) { return !users[i].life.present(); });
        for (auto i : pick(rng, listed, share(listed.size(), 0.02, 1))) ++users[i].life.rev;
    }
    {
        // Account children: a few change, ~1% vanish, a new audience appears.
        std::vector<std::uint32_t> listed;  // account << 16 | slot << 12 | position
        for (std::uint32_t a = 0; a < accounts.size(); ++a)
            for (int slot = 0; slot < account_child_kinds; ++slot)
                for (std::uint32_t k = 0; k < accounts[a].children[slot].size() && k < 4096; ++k)
                    if (accounts[a].children[slot][k].life.present())
                        listed.push_back(a << 16 | static_cast<std::uint32_t>(slot) << 12 | k);
        auto child = [&](std::uint32_t code) -> AccountChild& {
            return accounts[code >> 16].children[(code >> 12) & 0xf][code & 0xfff];
        };
        for (auto code : pick(rng, listed, share(listed.size(), 0.01, 1)))
            child(code).life.gone_epoch = e;
        std::erase_if(listed, [&](std::uint32_t code) { return !child(code).life.present(); });
        for (auto code : pick(rng, listed, share(listed.size(), 0.02, 1))) ++child(code).life.rev;
        add_account_child(static_cast<std::uint32_t>(rng.next() % accounts.size()), 3);
    }
}

}  // namespace marin::sim
