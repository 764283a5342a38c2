#pragma once
// The pieces records are made of (private to sim/): hashed digits and names,
// the two timestamp spellings, the value lists records choose from.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "marin/sim/json_writer.hpp"
#include "marin/sim/world.hpp"

namespace marin::sim::detail {

// One of the hostile strings (hostile_name), by number.
std::string hostile(std::size_t v);
inline std::uint64_t h(const World& w, Kind k, std::uint64_t i, std::uint64_t salt = 0) {
    return hash_of(w.seed(), k, i, salt);
}
// n decimal digits (the first never 0), n letters or digits, n hex digits.
std::string digits(std::uint64_t x, int n);
std::string alnum(std::uint64_t x, int n);
std::string hex(std::uint64_t x, int n);
// ISO 8601 with an offset, in one of the two spellings the API uses.
std::string timestamp(Day day, std::uint64_t seconds, bool colon);
// The name with " vN" after it from the second revision on.
std::string with_rev(std::string name, std::uint16_t rev);
std::string name_or_hostile(Kind k, std::uint32_t i, std::string normal, std::uint16_t rev);
void string_array(JsonWriter& w, std::string_view k, std::initializer_list<std::string_view> v);
// A decimal with two places from cents, as a JSON string ("1.23").
std::string cents_text(std::int64_t c);

template <std::size_t N>
std::string_view choose(const std::array<std::string_view, N>& a, std::uint64_t x) {
    return a[x % N];
}

inline constexpr std::array<std::string_view, 4> currencies = {"EUR", "USD", "GBP", "JPY"};
inline constexpr std::array<std::string_view, 4> timezones = {"Europe/Paris", "America/New_York", "Europe/London",
                                                              "Asia/Tokyo"};
inline constexpr std::array<std::string_view, 4> countries = {"FR", "US", "GB", "JP"};
inline constexpr std::array<std::string_view, 6> brands = {"Aurora", "Bistro", "Cobalt", "Dune", "Ember", "Fjord"};
inline constexpr std::array<std::string_view, 5> objectives = {"fan_acq", "traffic", "conversions", "app_installs",
                                                               "reach"};
inline constexpr std::array<std::string_view, 4> weeks = {"Saturday_Friday", "Tuesday_Monday", "Monday_Sunday",
                                                          "Sunday_Saturday"};
inline constexpr std::array<std::string_view, 5> first_names = {"John", "Amélie", "Kenji", "Priya", "Lars"};
inline constexpr std::array<std::string_view, 5> last_names = {"Doe", "Martin", "Sato", "Sharma", "Berg"};
inline constexpr std::array<std::string_view, 4> billing = {"impressions", "link_clicks", "post_engagement",
                                                            "video_views"};
inline constexpr std::array<std::string_view, 5> goals = {"post_engagement", "link_clicks", "impressions", "reach",
                                                          "app_installs"};
inline constexpr std::array<std::string_view, 3> strategies = {"lowest_cost_with_bid_cap", "lowest_cost_without_cap",
                                                               "target_cost"};
inline constexpr std::array<std::string_view, 4> special = {"none", "housing", "credit", "employment"};
inline constexpr std::array<std::string_view, 4> ad_types = {"bulk_page_post_ad", "page_post_ad", "carousel_ad",
                                                             "video_ad"};
inline constexpr std::array<std::string_view, 4> cities = {"San Francisco", "Paris", "Lyon", "Osaka"};

inline constexpr const char* campaign_naming = "{campaign-name}-{age-min}-{age-max}-{country}-{interest}";
inline constexpr const char* ads_naming = "{campaign-name}-{age-min}-{age-max}-{picture}-{title}";
inline constexpr const char* tw_campaign_naming =
    "{campaign-name}-{country}-{gender}-{interest}-{twitteraccounts}-{keywords}";
inline constexpr const char* tw_ads_naming =
    "{campaign-name}-{country}-{gender}-{interest}-{twitteraccounts}-{keywords}-{tweetId}";

}  // namespace marin::sim::detail
