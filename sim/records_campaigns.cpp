// Campaign, ad set and ad records as the API serves them (quirks included).
#include "marin/sim/records.hpp"

#include "record_text.hpp"

namespace marin::sim {

using namespace detail;

void render_campaign(JsonWriter& w, const World& world, std::uint32_t i) {
    const Campaign& c = world.campaigns[i];
    const MediaPlan& mp = world.media_plans[c.media_plan];
    const auto x = h(world, Kind::campaign, i);
    const auto r = h(world, Kind::campaign, i, c.life.rev + 1);
    const std::int64_t daily = 500 + static_cast<std::int64_t>(r % 200) * 100;  // cents
    w.begin_object();
    w.field("status", c.play ? "play" : "pause");
    w.field("account_id", id_of(Kind::account, mp.account));
    w.field_bool("deleted", c.deleted);
    w.field("campaign_naming", c.src == Src::fb ? campaign_naming : tw_campaign_naming);
    w.field("start_date", timestamp(c.start_day, 8 * 3600 + (x >> 8) % 36000, i % 3 == 0));
    w.field("ads_naming", c.src == Src::fb ? ads_naming : tw_ads_naming);
    w.field("budget_type", x % 4 == 0 ? "lifetime" : "daily");
    w.field("url_reporting", "https://social.marinsoftware.com/report/en/spent/" + hex(x, 24));
    w.key("daily_budget");
    if (x % 10 == 7)
        w.string(cents_text(daily));
    else
        w.cents(daily);
    w.field("client_id", id_of(Kind::media_plan, c.media_plan));
    w.key("budget");
    w.cents(daily * 30);
    w.field("name", name_or_hostile(Kind::campaign, i,
                                    "Campaign " + std::to_string(i + 1) + " " + std::string(choose(brands, x >> 12)) +
                                        " " + std::string(choose(countries, x >> 16)),
                                    c.life.rev));
    w.field("id", id_of(Kind::campaign, i));
    w.field_bool("archived", c.archived);
    w.field("src", c.src == Src::fb ? "fb" : "tw");
    if (c.src == Src::fb) {
        if (x % 5 != 4) w.field("special_ad_category", choose(special, x >> 20));
    } else {
        w.key("lifetime_budget");
        w.cents(daily * 20);
        const Account& acc = world.accounts[mp.account];
        if (!acc.children[1].empty())
            w.field("funding_instrument_id",
                    id_of(Kind::funding_instrument, acc.children[1][x % acc.children[1].size()].serial));
    }
    if (c.end_day != open_end) w.field("end_date", timestamp(c.end_day, 86399, i % 3 == 1));
    if (x % 20 == 3) string_array(w, "labels", {"q3", "retargeting"});
    w.end_object();
}

void render_ad_set(JsonWriter& w, const World& world, std::uint32_t i) {
    const AdSet& s = world.ad_sets[i];
    const auto x = h(world, Kind::ad_set, i);
    const auto r = h(world, Kind::ad_set, i, s.life.rev + 1);
    const std::int64_t budget = 100 + static_cast<std::int64_t>(r % 900) * 10;  // cents
    const std::int64_t bid = 5 + static_cast<std::int64_t>((r >> 16) % 300);    // cents
    w.begin_object();
    w.field("id", id_of(Kind::ad_set, i));
    w.key("daily_budget");
    if (x % 7 == 3)
        w.string(cents_text(budget));
    else
        w.cents(budget);
    w.field("name", name_or_hostile(Kind::ad_set, i, "ad-set-" + std::to_string(i + 1), s.life.rev));
    w.field("operation_status", s.play ? "sync" : "not_sync");
    w.field("status", s.play ? "play" : "pause");
    w.key("bid");
    if (x % 4 == 1)
        w.cents(bid);
    else
        w.string(cents_text(bid));
    w.field("promoted_object", digits(x >> 8, 6));
    w.field("adset_billing_event", choose(billing, x >> 12));
    w.field("adset_optimization_goal", choose(goals, x >> 16));
    w.field("computed_status", s.play ? "active" : "not_sync");
    if (x % 3 == 0) w.field("adset_bid_strategy", choose(strategies, x >> 20));
    w.end_object();
}

void render_ad(JsonWriter& w, const World& world, std::uint32_t i) {
    const Ad& ad = world.ads[i];
    const Campaign& c = world.campaigns[ad.campaign];
    const auto x = h(world, Kind::ad, i);
    const auto r = h(world, Kind::ad, i, ad.life.rev + 1);
    const bool fb = c.src == Src::fb;
    const std::int64_t bid = 1 + static_cast<std::int64_t>(r % 250);  // cents
    w.begin_object();
    w.field("id", id_of(Kind::ad, i));
    w.field_bool("deleted", ad.deleted);
    w.field("type", fb ? choose(ad_types, x >> 4) : std::string_view("promoted_tweet"));
    w.key("target");
    w.begin_object();
    w.key("location");
    w.begin_array();
    w.begin_object();
    w.field("label", choose(cities, x >> 8));
    w.field("type", "city");
    w.end_object();
    w.end_array();
    string_array(w, "age", {x % 2 ? "18-22" : "25-34"});
    w.field("gender", x % 3 == 0 ? "female" : "both");
    w.end_object();
    w.key("placement");
    w.begin_object();
    string_array(w, "device", {"mobile", "desktop"});
    if (fb) {
        string_array(w, "publisher", {"facebook", "network", "messenger"});
        string_array(w, "position", {"feed", "rhs", "instant_article", "network_classic", "messenger_home"});
    } else {
        string_array(w, "publisher", {"twitter"});
        string_array(w, "position", {"timeline"});
    }
    w.end_object();
    w.field("name", name_or_hostile(Kind::ad, i, "ad name " + std::to_string(i + 1), ad.life.rev));
    w.field("status", ad.play ? "play" : "pause");
    w.field("synchro_status", ad.play ? "active" : "not_active");
    w.key("bid");
    if (x % 5 == 2)
        w.string(cents_text(bid));
    else
        w.cents(bid);
    w.field("adset_billing_event", choose(billing, x >> 12));
    w.field("adset_optimization_goal", choose(goals, x >> 16));
    w.field("adset_bid_strategy", choose(strategies, x >> 20));
    if (fb && x % 2 == 1) w.field("headline", "Headline " + std::to_string(i + 1));
    w.field("url", "http://www.example-" + std::string(choose(brands, x >> 24)) + ".com/landing");
    if (fb && x % 2 == 1) {
        w.field("message", "Message for ad " + std::to_string(i + 1));
        w.field("description", "Description " + std::to_string(ad.life.rev));
        w.field("page", digits(x >> 28, 9));
    }
    w.field("src", fb ? "fb" : "tw");
    if (x % 25 == 11) w.field("tracking_specs", "offsite_conversion");
    w.end_object();
}

}  // namespace marin::sim
