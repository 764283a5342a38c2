// Statistics: ad-day figures derived from the world, and the statistics rows
// the API serves at every level and aggregate.
#include "marin/sim/stats.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "marin/sim/records.hpp"

namespace marin::sim {

const std::array<const char*, main_metric_count> main_metric_names = {"like",
                                                                      "rsvp",
                                                                      "post_like",
                                                                      "comment",
                                                                      "post",
                                                                      "photo_view",
                                                                      "video_view",
                                                                      "estimated_ad_recallers",
                                                                      "mobile_app_install",
                                                                      "deeplink_clicks",
                                                                      "app_custom_event.fb_mobile_purchase",
                                                                      "app_install",
                                                                      "credit_spent",
                                                                      "call_to_action_clicks",
                                                                      "website_clicks",
                                                                      "receive_offer",
                                                                      "leadgen.other",
                                                                      "link_click",
                                                                      "store_visits"};

namespace {
enum MetricIndex : std::size_t {
    m_like,
    m_rsvp,
    m_post_like,
    m_comment,
    m_post,
    m_photo_view,
    m_video_view,
    m_recallers,
    m_mobile_install,
    m_deeplink,
    m_purchase,
    m_app_install,
    m_credit_spent,
    m_cta,
    m_website,
    m_offer,
    m_leadgen,
    m_link_click,
    m_store_visits
};
// Share of clicks (or of impressions, where marked) each action takes.
constexpr std::array<double, main_metric_count> click_share = {
    0.05, 0.0,  0.08, 0.01, 0.005, 0.2, 0.02 /*imp*/, 0.01 /*imp*/, 0.02, 0.01,
    0.01, 0.02, 0.0,  0.3,  0.5,   0.0, 0.005,        0.75,         0.0};
constexpr std::array<bool, main_metric_count> of_impressions = {false, false, false, false, false, false, true,
                                                                true,  false, false, false, false, false, false,
                                                                false, false, false, false, false};
}  // namespace

void Metrics::add(const Metrics& o) {
    impressions += o.impressions;
    clicks += o.clicks;
    spent += o.spent;
    for (std::size_t i = 0; i < main_metric_count; ++i) {
        number[i] += o.number[i];
        amount[i] += o.amount[i];
    }
}

Metrics Metrics::part(const DayShare& share) const {
    if (share.whole()) return *this;
    auto cut = [&](std::int64_t v) { return v * share.inside / share.length; };
    Metrics m;
    m.impressions = cut(impressions);
    m.clicks = cut(clicks);
    m.spent = cut(spent);
    for (std::size_t i = 0; i < main_metric_count; ++i) {
        m.number[i] = cut(number[i]);
        m.amount[i] = cut(amount[i]);
    }
    return m;
}

Metrics ad_day_metrics(const World& world, std::uint32_t ad, Day day) {
    const auto base = hash_of(world.seed(), Kind::ad, ad, 0x57A7);
    const double imp_base = 400.0 * std::exp(unit(base) * 4.6);  // 400 .. 40000 a day
    const double ctr = 0.003 + 0.027 * unit(mix64(base));
    const std::int64_t cpm = 150 + static_cast<std::int64_t>((base >> 20) % 1050);  // cents
    const std::int64_t price = 1000 + static_cast<std::int64_t>((base >> 40) % 4000);
    const auto salt =
        (static_cast<std::uint64_t>(static_cast<std::uint32_t>(day)) << 16) + world.stats_version(day) + 1;
    Rng r(hash_of(world.seed(), Kind::ad, ad, salt));
    Metrics m;
    m.impressions = 1 + static_cast<std::int64_t>(imp_base * (0.5 + r.uniform()));
    m.clicks = static_cast<std::int64_t>(static_cast<double>(m.impressions) * ctr * (0.7 + 0.6 * r.uniform()));
    m.spent = (m.impressions * cpm + 500) / 1000;
    for (std::size_t i = 0; i < main_metric_count; ++i) {
        const double basis = static_cast<double>(of_impressions[i] ? m.impressions : m.clicks);
        m.number[i] = static_cast<std::int64_t>(basis * click_share[i] * (0.5 + r.uniform()));
    }
    m.amount[m_purchase] = m.number[m_purchase] * price;
    m.amount[m_credit_spent] = m.spent;
    return m;
}

void write_stats_row(JsonWriter& w, const Metrics& m, std::optional<Day> date, const StatsRowIds& ids, bool with_ids) {
    auto ratio = [](double num, double den) { return den == 0 ? 0.0 : num / den; };
    const double imp = static_cast<double>(m.impressions);
    const double clicks = static_cast<double>(m.clicks);
    const double spent = static_cast<double>(m.spent) / 100.0;
    const double links = static_cast<double>(m.number[m_link_click]);
    const double conversions =
        static_cast<double>(m.number[m_mobile_install] + m.number[m_purchase] + m.number[m_leadgen]);
    const double income = static_cast<double>(m.amount[m_purchase]) / 100.0;
    w.begin_object();
    w.key("ctr");
    w.number(ratio(clicks * 100.0, imp));
    w.key("ctrLinks");
    w.number(ratio(links * 100.0, imp));
    w.key("convRate");
    w.number(ratio(conversions * 100.0, clicks));
    w.key("convRateLinks");
    w.number(ratio(conversions * 100.0, links));
    w.key("cpc");
    w.number(ratio(spent, clicks));
    w.key("cpm");
    w.number(ratio(spent * 1000.0, imp));
    w.key("cpa");
    w.number(ratio(spent, conversions));
    w.key("income");
    w.cents(m.amount[m_purchase]);
    w.key("roi");
    w.number(ratio((income - spent) * 100.0, spent));
    w.key("main_metrics");
    w.begin_array();
    for (std::size_t i = 0; i < main_metric_count; ++i) {
        w.begin_object();
        w.field("name", main_metric_names[i]);
        w.key("amount");
        w.cents(m.amount[i]);
        w.key("number");
        w.integer(m.number[i]);
        w.field("object_id", "");
        w.end_object();
    }
    w.end_array();
    w.key("other_metrics");
    w.begin_array();
    w.end_array();
    w.key("impression");
    w.integer(m.impressions);
    w.key("click");
    w.integer(m.clicks);
    w.key("spent");
    w.cents(m.spent);
    if (date) w.field("date", format_day(*date));
    if (!with_ids) {
        w.end_object();
        return;
    }
    w.field("client_id", id_of(Kind::media_plan, ids.media_plan));
    if (ids.campaign) w.field("campaign_id", id_of(Kind::campaign, *ids.campaign));
    if (ids.ad_set) {
        w.key("adset_id");
        if (*ids.ad_set < 0)
            w.null();
        else
            w.string(id_of(Kind::ad_set, static_cast<std::uint32_t>(*ids.ad_set)));
    }
    if (ids.ad) w.field("ad_id", id_of(Kind::ad, *ids.ad));
    w.end_object();
}

namespace {

const std::vector<std::uint32_t>& ads_in_scope(const World& world, const StatsQuery& q,
                                               std::vector<std::uint32_t>& single) {
    if (q.ad) {
        single.assign(1, *q.ad);
        return single;
    }
    if (q.ad_set) return world.ad_sets[*q.ad_set].ads;
    if (q.campaign) return world.campaigns[*q.campaign].ads;
    return world.media_plans[q.media_plan].ads;
}

std::size_t bucket_count(StatsAggregate agg, Day lo, Day hi) {
    if (lo > hi) return 0;
    switch (agg) {
        case StatsAggregate::period:
            return 1;
        case StatsAggregate::day:
            return static_cast<std::size_t>(hi - lo + 1);
        case StatsAggregate::month: {
            std::size_t n = 0;
            for (Day m = month_start(lo); m <= hi; m = next_month_start(m)) ++n;
            return n;
        }
    }
    return 0;
}

StatsRowIds ids_for(const World& world, StatsLevel level, std::uint32_t ad_index) {
    const Ad& ad = world.ads[ad_index];
    StatsRowIds ids{world.campaigns[ad.campaign].media_plan, {}, {}, {}};
    if (level != StatsLevel::client) ids.campaign = ad.campaign;
    if (level == StatsLevel::ad_set || level == StatsLevel::ad) ids.ad_set = ad.ad_set;
    if (level == StatsLevel::ad) ids.ad = ad_index;
    return ids;
}

// An ad's figures for a day, cut to the part of it the window covers.
Metrics window_metrics(const World& world, const StatsQuery& q, std::uint32_t ad, Day d) {
    const Metrics m = ad_day_metrics(world, ad, d);
    if (d == q.from) return m.part(q.from_share);
    if (d == q.to) return m.part(q.to_share);
    return m;
}

}  // namespace

std::size_t write_stats_page(const World& world, const StatsQuery& q, std::size_t offset, std::size_t limit,
                             JsonWriter& w) {
    std::vector<std::uint32_t> single;
    const auto& scope_ads = ads_in_scope(world, q, single);
    const bool dated = q.aggregate != StatsAggregate::period && q.with_date;

    if (q.level == StatsLevel::ad) {
        std::size_t total = 0;
        const std::size_t end = offset + limit;
        for (auto a : scope_ads) {
            const auto [lo, hi] = world.ad_active_days(world.ads[a], q.from, q.to);
            const auto n = bucket_count(q.aggregate, lo, hi);
            if (n == 0) continue;
            if (total + n > offset && total < end) {
                const auto ids = ids_for(world, q.level, a);
                // Bucket k of this ad, for the rows of the page.
                std::size_t k = 0;
                auto emit = [&](Day b_lo, Day b_hi, std::optional<Day> date) {
                    const auto pos = total + k++;
                    if (pos < offset || pos >= end) return;
                    Metrics m;
                    for (Day d = b_lo; d <= b_hi; ++d) m.add(window_metrics(world, q, a, d));
                    write_stats_row(w, m, q.with_date ? date : std::nullopt, ids, q.with_ids);
                };
                if (q.aggregate == StatsAggregate::period) {
                    emit(lo, hi, std::nullopt);
                } else if (q.aggregate == StatsAggregate::day) {
                    // Skip straight to the first day on the page.
                    const Day first = lo + static_cast<Day>(offset > total ? offset - total : 0);
                    k = static_cast<std::size_t>(first - lo);
                    for (Day d = first; d <= hi && total + k < end; ++d) emit(d, d, d);
                } else {
                    for (Day m0 = month_start(lo); m0 <= hi; m0 = next_month_start(m0))
                        emit(std::max(lo, m0), std::min(hi, next_month_start(m0) - 1), m0);
                }
            }
            total += n;
        }
        return total;
    }

    // Coarser levels: sum the ad-days of the scope per (group, bucket).
    using Key = std::tuple<std::int64_t, std::int64_t, Day>;
    struct Group {
        StatsRowIds ids;
        Metrics m;
    };
    std::map<Key, Group> groups;
    for (auto a : scope_ads) {
        const Ad& ad = world.ads[a];
        const auto [lo, hi] = world.ad_active_days(ad, q.from, q.to);
        if (lo > hi) continue;
        std::int64_t k1 = 0, k2 = 0;
        if (q.level != StatsLevel::client) k1 = ad.campaign;
        if (q.level == StatsLevel::ad_set) k2 = ad.ad_set;
        for (Day d = lo; d <= hi; ++d) {
            const Day bucket = q.aggregate == StatsAggregate::day     ? d
                               : q.aggregate == StatsAggregate::month ? month_start(d)
                                                                      : 0;
            auto [it, inserted] = groups.try_emplace(Key{k1, k2, bucket});
            if (inserted) it->second.ids = ids_for(world, q.level, a);
            it->second.m.add(window_metrics(world, q, a, d));
        }
    }
    std::size_t pos = 0;
    for (const auto& [key, g] : groups) {
        if (pos >= offset && pos < offset + limit)
            write_stats_row(w, g.m, dated ? std::optional<Day>(std::get<2>(key)) : std::nullopt, g.ids, q.with_ids);
        ++pos;
    }
    return groups.size();
}

}  // namespace marin::sim
