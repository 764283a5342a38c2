// API routes under /clients: media plans, their users and campaigns, and
// below a campaign its ad sets, ads and statistics.
#include "handling.hpp"
#include "marin/sim/records.hpp"

namespace marin::sim::detail {

namespace {

// .../adsets/{as}[/ads[/{ad}]|/statistics] under campaign `c`.
Response ad_set_routes(const ApiCall& call, const std::string& tmpl, std::uint32_t mp, std::uint32_t c) {
    const World& world = call.world;
    const auto& s = call.s;
    const std::size_t n = call.n();
    const auto as = index_of(Kind::ad_set, s[5], world.ad_sets.size());
    if (!as || world.ad_sets[*as].campaign != c || !world.ad_set_listed(*as))
        return route(tmpl, not_found("ad set", s[5]));
    const AdSet& set = world.ad_sets[*as];
    if (n == 6) return route(tmpl, wrapped([&](JsonWriter& w) { render_ad_set(w, world, *as); }));
    if (n == 7 && s[6] == "ads")
        return route(tmpl, listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                         return page_over(
                             set.ads.size(), [&](std::size_t i) { return world.ad_listed(set.ads[i]); },
                             [&](std::size_t i) { render_ad(w, world, set.ads[i]); }, off, lim);
                     }));
    if (n == 7) {
        StatsQuery q;
        q.media_plan = mp;
        q.campaign = c;
        q.ad_set = *as;
        return statistics(call, tmpl, q, StatsLevel::ad_set);
    }
    const auto a = index_of(Kind::ad, s[7], world.ads.size());
    if (!a || world.ads[*a].ad_set != static_cast<std::int32_t>(*as) || !world.ad_listed(*a))
        return route(tmpl, not_found("ad", s[7]));
    return route(tmpl, bare([&](JsonWriter& w) { render_ad(w, world, *a); }));
}

// .../ads/{ad}/statistics under campaign `c`.
Response ad_statistics(const ApiCall& call, const std::string& tmpl, std::uint32_t mp, std::uint32_t c) {
    const World& world = call.world;
    const auto a = index_of(Kind::ad, call.s[5], world.ads.size());
    if (!a || world.ads[*a].campaign != c || !world.ad_listed(*a)) return route(tmpl, not_found("ad", call.s[5]));
    StatsQuery q;
    q.media_plan = mp;
    q.campaign = c;
    q.ad_set = world.ads[*a].ad_set >= 0
                   ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(world.ads[*a].ad_set))
                   : std::nullopt;
    q.ad = *a;
    return statistics(call, tmpl, q, StatsLevel::ad);
}

// The paths below /clients/{id}/campaigns/{id} the API has.
bool known_campaign_path(const std::vector<std::string>& s) {
    const std::size_t n = s.size();
    return (n == 4) || (n == 5 && (s[4] == "adsets" || s[4] == "ads" || s[4] == "statistics")) ||
           (n == 6 && s[4] == "adsets") || (n == 7 && s[4] == "adsets" && (s[6] == "ads" || s[6] == "statistics")) ||
           (n == 7 && s[4] == "ads" && s[6] == "statistics") || (n == 8 && s[4] == "adsets" && s[6] == "ads");
}

// /clients/{mp}/campaigns/{c}[/...]; `mp` is empty when no media plan has that id.
Response campaign_routes(const ApiCall& call, std::optional<std::uint32_t> mp) {
    const World& world = call.world;
    const auto& s = call.s;
    const std::size_t n = call.n();
    std::string tmpl = "/clients/{id}/campaigns/{id}";
    for (std::size_t k = 4; k < n; ++k) tmpl += (k % 2 == 0) ? "/" + s[k] : std::string("/{id}");
    if (!known_campaign_path(s)) return call.unknown_path();
    if (!mp) return route(tmpl, not_found("media plan", s[1]));
    const auto c = index_of(Kind::campaign, s[3], world.campaigns.size());
    if (!c || world.campaigns[*c].media_plan != *mp || !world.campaign_listed(*c))
        return route(tmpl, not_found("campaign", s[3]));
    const Campaign& camp = world.campaigns[*c];
    if (n == 4) return route(tmpl, wrapped([&](JsonWriter& w) { render_campaign(w, world, *c); }));
    // Ad sets are a Facebook thing.
    if (n == 5 && s[4] == "adsets" && call.inapplicable && camp.src != Src::fb)
        return route(tmpl, call.not_applicable("ad sets", "a Twitter campaign"));
    // Some readings serve a campaign's ad listing for Twitter campaigns only
    // (the ad sets' listings giving Facebook ones).
    if (n == 5 && s[4] == "ads" && call.variants.campaign_ads == CampaignAds::twitter_only && camp.src != Src::tw)
        return route(tmpl, call.not_applicable("ad listing", "a Facebook campaign"));
    if (n == 5 && s[4] == "adsets")
        return route(tmpl, listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                         return page_over(
                             camp.ad_sets.size(), [&](std::size_t i) { return world.ad_set_listed(camp.ad_sets[i]); },
                             [&](std::size_t i) { render_ad_set(w, world, camp.ad_sets[i]); }, off, lim);
                     }));
    if (n == 5 && s[4] == "ads")
        return route(tmpl, listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                         return page_over(
                             camp.ads.size(), [&](std::size_t i) { return world.ad_listed(camp.ads[i]); },
                             [&](std::size_t i) { render_ad(w, world, camp.ads[i]); }, off, lim);
                     }));
    if (n == 5) {
        StatsQuery q;
        q.media_plan = *mp;
        q.campaign = *c;
        return statistics(call, tmpl, q, StatsLevel::campaign);
    }
    if (s[4] == "ads") return ad_statistics(call, tmpl, *mp, *c);
    return ad_set_routes(call, tmpl, *mp, *c);
}

}  // namespace

Response client_routes(const ApiCall& call) {
    const World& world = call.world;
    const auto& s = call.s;
    const std::size_t n = call.n();
    if (n == 1)
        return route(
            "/clients", listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                return page_over(
                    world.media_plans.size(), [&](std::size_t i) { return world.media_plans[i].life.present(); },
                    [&](std::size_t i) { render_media_plan(w, world, static_cast<std::uint32_t>(i)); }, off, lim);
            }));
    std::optional<std::uint32_t> mp = index_of(Kind::media_plan, s[1], world.media_plans.size());
    if (!mp && s[1].rfind("IO-", 0) == 0)  // media plans are also found by io_number
        mp = index_of(Kind::media_plan, s[1].substr(3), world.media_plans.size());
    if (n == 2) {
        if (!mp) return route("/clients/{id}", not_found("media plan", s[1]));
        return route("/clients/{id}", wrapped([&](JsonWriter& w) { render_media_plan(w, world, *mp); }));
    }
    if (s[2] == "users" && n == 3) {
        if (!mp) return route("/clients/{id}/users", not_found("media plan", s[1]));
        const auto& links = world.media_plans[*mp].users;
        return route(
            "/clients/{id}/users", listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                return page_over(
                    links.size(), [&](std::size_t i) { return world.user_link_listed(links[i]); },
                    [&](std::size_t i) { render_user(w, world, links[i].user, world.users[links[i].user].life.rev); },
                    off, lim);
            }));
    }
    if (s[2] == "statistics" && n == 3) {
        if (!mp) return route("/clients/{id}/statistics", not_found("media plan", s[1]));
        StatsQuery q;
        q.media_plan = *mp;
        return statistics(call, "/clients/{id}/statistics", q, StatsLevel::client);
    }
    if (s[2] != "campaigns") return call.unknown_path();
    if (n == 3) {
        if (!mp) return route("/clients/{id}/campaigns", not_found("media plan", s[1]));
        const auto& list = world.media_plans[*mp].campaigns;
        return route("/clients/{id}/campaigns", listing(call.ctx, [&](std::size_t off, std::size_t lim, JsonWriter& w) {
                         return page_over(
                             list.size(), [&](std::size_t i) { return world.campaign_listed(list[i]); },
                             [&](std::size_t i) { render_campaign(w, world, list[i]); }, off, lim);
                     }));
    }
    return campaign_routes(call, mp);
}

}  // namespace marin::sim::detail
