// The variants: readings of what the reference leaves open, by name, as the
// flags and /_sim/variants spell them.
#include "marin/sim/variants.hpp"

#include <array>
#include <utility>

#include "marin/sim/json_writer.hpp"

namespace marin::sim {

namespace {

template <typename E, std::size_t N>
using Names = std::array<std::pair<std::string_view, E>, N>;

constexpr Names<InapplicableListings, 3> inapplicable_names{{{"empty", InapplicableListings::empty},
                                                             {"404", InapplicableListings::not_found},
                                                             {"400", InapplicableListings::bad_request}}};
constexpr Names<CampaignAds, 2> campaign_ads_names{
    {{"all", CampaignAds::all}, {"twitter-only", CampaignAds::twitter_only}}};
constexpr Names<StatsKeys, 4> stats_keys_names{{{"full", StatsKeys::full},
                                                {"none", StatsKeys::none},
                                                {"no-date", StatsKeys::no_date},
                                                {"no-ids", StatsKeys::no_ids}}};
constexpr Names<StatsDays, 2> stats_days_names{{{"utc", StatsDays::utc}, {"account", StatsDays::account}}};
constexpr Names<StatsWindow, 2> stats_window_names{{{"days", StatsWindow::days}, {"seconds", StatsWindow::seconds}}};
constexpr Names<NextStyle, 3> next_style_names{
    {{"reference", NextStyle::reference}, {"full", NextStyle::full}, {"bare", NextStyle::bare}}};

template <typename E, std::size_t N>
std::string choose(const Names<E, N>& names, std::string_view name, std::string_view value, E& out) {
    for (const auto& [text, e] : names)
        if (text == value) {
            out = e;
            return {};
        }
    std::string allowed;
    for (const auto& [text, e] : names) allowed += (allowed.empty() ? "" : "|") + std::string(text);
    return std::string(name) + " must be " + allowed + ", got '" + std::string(value) + "'";
}

template <typename E, std::size_t N>
std::string_view name_of(const Names<E, N>& names, E e) {
    for (const auto& [text, x] : names)
        if (x == e) return text;
    return names[0].first;
}

}  // namespace

std::string set_variant(Variants& v, std::string_view name, std::string_view value) {
    if (name == "inapplicable_listings") return choose(inapplicable_names, name, value, v.inapplicable_listings);
    if (name == "campaign_ads") return choose(campaign_ads_names, name, value, v.campaign_ads);
    if (name == "stats_keys") return choose(stats_keys_names, name, value, v.stats_keys);
    if (name == "stats_days") return choose(stats_days_names, name, value, v.stats_days);
    if (name == "stats_window") return choose(stats_window_names, name, value, v.stats_window);
    if (name == "next_style") return choose(next_style_names, name, value, v.next_style);
    if (name == "deny_prefix") {
        if (!value.empty() && value.front() != '/')
            return "deny_prefix must be a path starting with '/', got '" + std::string(value) + "'";
        v.deny_prefix = std::string(value);
        return {};
    }
    return "unknown variant '" + std::string(name) + "'";
}

std::string variants_json(const Variants& v) {
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.field("inapplicable_listings", name_of(inapplicable_names, v.inapplicable_listings));
    w.field("campaign_ads", name_of(campaign_ads_names, v.campaign_ads));
    w.field("deny_prefix", v.deny_prefix);
    w.field("stats_keys", name_of(stats_keys_names, v.stats_keys));
    w.field("stats_days", name_of(stats_days_names, v.stats_days));
    w.field("stats_window", name_of(stats_window_names, v.stats_window));
    w.field("next_style", name_of(next_style_names, v.next_style));
    w.end_object();
    return out;
}

unsigned inapplicable_status(const Variants& v) {
    switch (v.inapplicable_listings) {
        case InapplicableListings::empty:
            return 0;
        case InapplicableListings::not_found:
            return 404;
        case InapplicableListings::bad_request:
            return 400;
    }
    return 0;
}

}  // namespace marin::sim
