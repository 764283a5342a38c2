#include "marin/sim/records.hpp"

#include <array>
#include <charconv>
#include <cstdio>

namespace marin::sim {

namespace {

constexpr std::array<std::string_view, 9> hostile_strings = {
    "Quote \"double\" and 'single' quotes",
    "Back\\slash \\\\ C:\\temp\\new",
    "Tab\there\nnew line\r\nCRLF",
    "Emoji \xF0\x9F\x9A\x80\xF0\x9F\x94\xA5 campaign \xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",
    "\xD0\x9A\xD0\xB0\xD0\xBC\xD0\xBF\xD0\xB0\xD0\xBD\xD0\xB8\xD1\x8F "
    "\xE5\xBA\x83\xE5\x91\x8A\xE3\x82\xAD\xE3\x83\xA3\xE3\x83\xB3\xE3\x83\x9A\xE3\x83\xBC\xE3\x83\xB3 "
    "\xD8\xAD\xD9\x85\xD9\x84\xD8\xA9 \xEA\xB4\x91\xEA\xB3\xA0",
    "'; DROP TABLE marin.ads; --",
    "",  // the 5 kB name, built below
    std::string_view("NUL\0byte in a name", 18),
    "Robert'); DELETE FROM marin.campaigns WHERE ('1'='1",
};

std::string long_name() {
    std::string s;
    s.reserve(5200);
    while (s.size() < 5000) s += "Very long campaign name segment / ";
    return s;
}

std::string hostile(std::size_t v) {
    v %= hostile_strings.size();
    if (v == 6) return long_name();
    return std::string(hostile_strings[v]);
}

std::uint64_t h(const World& w, Kind k, std::uint64_t i, std::uint64_t salt = 0) {
    return hash_of(w.seed(), k, i, salt);
}

std::string digits(std::uint64_t x, int n) {
    std::string s(static_cast<std::size_t>(n), '0');
    for (int i = n - 1; i >= 0; --i) {
        s[static_cast<std::size_t>(i)] = static_cast<char>('0' + x % 10);
        x /= 10;
    }
    if (s[0] == '0') s[0] = '1';
    return s;
}

std::string alnum(std::uint64_t x, int n) {
    static constexpr char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string s;
    for (int i = 0; i < n; ++i) {
        s += chars[x % 36];
        x = x / 36 + mix64(x);
    }
    return s;
}

std::string hex(std::uint64_t x, int n) {
    static constexpr char chars[] = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < n; ++i) {
        s += chars[x & 0xf];
        x = (x >> 4) | (mix64(x) << 60);
    }
    return s;
}

// ISO 8601 with an offset, in one of the two spellings the API uses.
std::string timestamp(Day day, std::uint64_t seconds, bool colon) {
    seconds %= 86400;
    std::string s = format_day(day);
    char buf[32];
    const auto hh = seconds / 3600, mm = seconds / 60 % 60, ss = seconds % 60;
    const int n = std::snprintf(buf, sizeof buf, "T%02u:%02u:%02u%s", static_cast<unsigned>(hh),
                                static_cast<unsigned>(mm), static_cast<unsigned>(ss),
                                colon ? "+00:00" : "+0000");
    s.append(buf, static_cast<std::size_t>(n));
    return s;
}

std::string with_rev(std::string name, std::uint16_t rev) {
    if (rev > 0) {
        name += " v";
        name += std::to_string(rev + 1);
    }
    return name;
}

std::string name_or_hostile(Kind k, std::uint32_t i, std::string normal, std::uint16_t rev) {
    if (auto bad = hostile_name(k, i)) return with_rev(std::move(*bad), rev);
    return with_rev(std::move(normal), rev);
}

template <std::size_t N>
std::string_view choose(const std::array<std::string_view, N>& a, std::uint64_t x) {
    return a[x % N];
}

constexpr std::array<std::string_view, 4> currencies = {"EUR", "USD", "GBP", "JPY"};
constexpr std::array<std::string_view, 4> timezones = {"Europe/Paris", "America/New_York",
                                                       "Europe/London", "Asia/Tokyo"};
constexpr std::array<std::string_view, 4> countries = {"FR", "US", "GB", "JP"};
constexpr std::array<std::string_view, 6> brands = {"Aurora", "Bistro", "Cobalt",
                                                    "Dune", "Ember", "Fjord"};
constexpr std::array<std::string_view, 5> objectives = {"fan_acq", "traffic", "conversions",
                                                        "app_installs", "reach"};
constexpr std::array<std::string_view, 4> weeks = {"Saturday_Friday", "Tuesday_Monday",
                                                   "Monday_Sunday", "Sunday_Saturday"};
constexpr std::array<std::string_view, 5> first_names = {"John", "Amélie", "Kenji", "Priya",
                                                         "Lars"};
constexpr std::array<std::string_view, 5> last_names = {"Doe", "Martin", "Sato", "Sharma",
                                                        "Berg"};
constexpr std::array<std::string_view, 4> billing = {"impressions", "link_clicks",
                                                     "post_engagement", "video_views"};
constexpr std::array<std::string_view, 5> goals = {"post_engagement", "link_clicks",
                                                   "impressions", "reach", "app_installs"};
constexpr std::array<std::string_view, 3> strategies = {
    "lowest_cost_with_bid_cap", "lowest_cost_without_cap", "target_cost"};
constexpr std::array<std::string_view, 4> special = {"none", "housing", "credit", "employment"};
constexpr std::array<std::string_view, 4> ad_types = {"bulk_page_post_ad", "page_post_ad",
                                                      "carousel_ad", "video_ad"};
constexpr std::array<std::string_view, 4> cities = {"San Francisco", "Paris", "Lyon", "Osaka"};

const char* campaign_naming = "{campaign-name}-{age-min}-{age-max}-{country}-{interest}";
const char* ads_naming = "{campaign-name}-{age-min}-{age-max}-{picture}-{title}";
const char* tw_campaign_naming =
    "{campaign-name}-{country}-{gender}-{interest}-{twitteraccounts}-{keywords}";
const char* tw_ads_naming =
    "{campaign-name}-{country}-{gender}-{interest}-{twitteraccounts}-{keywords}-{tweetId}";

void string_array(JsonWriter& w, std::string_view k, std::initializer_list<std::string_view> v) {
    w.key(k);
    w.begin_array();
    for (auto s : v) w.string(s);
    w.end_array();
}

// A decimal with two places from cents, as a JSON string ("1.23").
std::string cents_text(std::int64_t c) {
    std::string s = std::to_string(c / 100);
    const auto frac = c % 100;
    s += '.';
    s += static_cast<char>('0' + frac / 10);
    s += static_cast<char>('0' + frac % 10);
    return s;
}

}  // namespace

std::optional<std::string> hostile_name(Kind kind, std::uint32_t i) {
    switch (kind) {
    case Kind::ad:
        if (i >= 5 && i < 5 + hostile_strings.size()) return hostile(i - 5);
        if (i % 1009 == 500) return hostile(i / 1009);
        return std::nullopt;
    case Kind::campaign:
        if (i == 2) return hostile(5);
        if (i == 6) return hostile(3);
        if (i % 211 == 100) return hostile(i / 211);
        return std::nullopt;
    case Kind::ad_set:
        if (i == 1) return hostile(7);
        if (i % 307 == 150) return hostile(i / 307);
        return std::nullopt;
    case Kind::media_plan:
        if (i == 1) return hostile(4);
        return std::nullopt;
    case Kind::advertiser:
        if (i == 1) return hostile(0);
        return std::nullopt;
    case Kind::account:
        if (i == 2) return hostile(1);
        return std::nullopt;
    case Kind::audience:
        if (i == 1) return hostile(2);
        return std::nullopt;
    default: return std::nullopt;
    }
}

std::uint64_t id_base(Kind kind) {
    switch (kind) {
    case Kind::account: return 1001;
    case Kind::advertiser: return 3001;
    case Kind::user: return 4001;
    case Kind::media_plan: return 50001;
    case Kind::campaign: return 700001;
    case Kind::ad_set: return 8000001;
    case Kind::ad: return 90000001;
    case Kind::publisher_object: return 100001;
    case Kind::funding_instrument: return 200001;
    case Kind::lead_form: return 300001;
    case Kind::audience: return 400001;
    case Kind::targeting_cluster: return 2001;
    }
    return 1;
}

std::string id_of(Kind kind, std::uint32_t index) { return std::to_string(id_base(kind) + index); }

std::optional<std::uint32_t> index_of(Kind kind, std::string_view id, std::size_t count) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
    if (ec != std::errc{} || p != id.data() + id.size() || id.empty() || id[0] == '0')
        return std::nullopt;
    const auto base = id_base(kind);
    if (v < base || v - base >= count) return std::nullopt;
    return static_cast<std::uint32_t>(v - base);
}

std::string_view account_timezone(const World& world, std::uint32_t account) {
    return choose(timezones, h(world, Kind::account, account) >> 16);
}

void render_account(JsonWriter& w, const World& world, std::uint32_t i) {
    const Account& a = world.accounts[i];
    const auto x = h(world, Kind::account, i);
    w.begin_object();
    w.field("id", id_of(Kind::account, i));
    w.field("network_id", a.src == Src::fb ? digits(x, 18) : alnum(x, 10));
    w.field("name", name_or_hostile(Kind::account, i,
                                    "Account " + std::to_string(i + 1) + " " +
                                        std::string(choose(brands, x >> 8)),
                                    a.life.rev));
    if (a.src == Src::fb) w.field("currency", choose(currencies, x >> 12));
    w.field("timezone", account_timezone(world, i));
    if (a.src == Src::fb) w.field("country", choose(countries, x >> 16));
    if (a.src == Src::tw) {
        w.key("funding_instruments");
        w.begin_array();
        for (const auto& f : a.children[1])
            if (f.life.present()) w.string(alnum(h(world, Kind::funding_instrument, f.serial), 6));
        w.end_array();
    }
    w.field_bool("active", a.active);
    w.field("src", a.src == Src::fb ? "fb" : "tw");
    if (i % 4 == 3) w.field("business_name", "Agency client " + std::to_string(i));
    w.end_object();
}

void render_advertiser(JsonWriter& w, const World& world, std::uint32_t i) {
    const auto rev = world.advertisers[i].life.rev;
    const auto x = h(world, Kind::advertiser, i);
    w.begin_object();
    w.field("id", id_of(Kind::advertiser, i));
    w.field("name", name_or_hostile(Kind::advertiser, i, "Advertiser " + std::to_string(i + 1),
                                    rev));
    w.field("currency", choose(currencies, x >> 4));
    w.field("reporting_week", choose(weeks, x >> 8));
    if (x % 3 == 0) {
        w.field("contact_name", std::string(choose(first_names, x >> 12)) + " " +
                                    std::string(choose(last_names, x >> 16)));
        w.field("contact_mail", "contact" + std::to_string(i + 1) + "@advertiser.example");
        w.field("contact_phone", "01" + digits(x >> 20, 8));
    }
    if (x % 4 == 1) {
        w.key("autopause_value");
        w.integer(100 + rev);
    } else if (x % 4 == 2) {
        w.field("autopause_value", std::to_string(rev));
    }
    w.end_object();
}

void render_user(JsonWriter& w, const World& world, std::uint32_t i, std::uint16_t rev) {
    const auto x = h(world, Kind::user, i);
    const std::string login = "user" + std::to_string(i + 1) + "@agency.example";
    w.begin_object();
    w.field("id", id_of(Kind::user, i));
    w.field("username", login);
    w.field("email", login);
    if (i == 3)
        w.field("firstname", with_rev(hostile(3), rev));
    else
        w.field("firstname", with_rev(std::string(choose(first_names, x >> 4)), rev));
    w.field("lastname", choose(last_names, (x >> 8) + rev));
    w.field("role", (x >> 12) % 5 == 0 ? "ROLE_ADMIN" : "ROLE_USER");
    w.field("created_at", timestamp(17000 + static_cast<Day>(x % 1500), x >> 20, i % 2 == 0));
    if (i % 5 == 4) w.field("locale", "fr_FR");
    w.end_object();
}

void render_media_plan(JsonWriter& w, const World& world, std::uint32_t i) {
    const MediaPlan& mp = world.media_plans[i];
    const Account& acc = world.accounts[mp.account];
    const auto x = h(world, Kind::media_plan, i);
    const auto id = id_of(Kind::media_plan, i);
    w.begin_object();
    w.field("id", id);
    w.field_int("margin_type", static_cast<std::int64_t>(x % 2));
    w.field("advertiser_id", id_of(Kind::advertiser, mp.advertiser));
    w.field_bool("deleted", false);
    w.field("general_objective", choose(objectives, x >> 4));
    w.field_bool("archived", mp.archived);
    w.field("name", name_or_hostile(Kind::media_plan, i,
                                    "Media plan " + std::to_string(i + 1) + " " +
                                        std::string(choose(brands, x >> 8)),
                                    mp.life.rev));
    w.field("account_network_id", digits(h(world, Kind::account, mp.account), 16));
    w.field("ads_naming", ads_naming);
    w.key("margin_value");
    if (x % 3 == 0)
        w.integer(0);
    else
        w.number(static_cast<double>(x % 40) / 2.0);
    if (x % 6 != 5) w.field("io_number", "IO-" + id);
    w.field("campaign_naming", campaign_naming);
    w.field("account_id", id_of(Kind::account, mp.account));
    w.key("autopause_value");
    if (x % 5 == 2)
        w.integer(static_cast<std::int64_t>(mp.life.rev) * 10);
    else
        w.string(std::to_string(mp.life.rev * 10));
    if (acc.src == Src::fb) w.field("business_manager_id", digits(x >> 3, 16));
    w.field("src", acc.src == Src::fb ? "fb" : "tw");
    w.field("url_reporting", "https://social.marinsoftware.com/report/en/spent/" + hex(x, 24));
    w.field("url_connection", "https://social.marinsoftware.com/datagrid/" + id);
    w.end_object();
}

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
                                    "Campaign " + std::to_string(i + 1) + " " +
                                        std::string(choose(brands, x >> 12)) + " " +
                                        std::string(choose(countries, x >> 16)),
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
    const std::int64_t bid = 5 + static_cast<std::int64_t>((r >> 16) % 300);     // cents
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
        string_array(w, "position",
                     {"feed", "rhs", "instant_article", "network_classic", "messenger_home"});
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

void render_account_child(JsonWriter& w, const World& world, std::uint32_t account, int slot,
                          const AccountChild& child) {
    const Kind kind = account_child_kind(slot);
    const auto s = child.serial;
    const auto x = h(world, kind, s);
    const auto rev = child.life.rev;
    const std::string id = id_of(kind, s);
    (void)account;
    w.begin_object();
    switch (kind) {
    case Kind::publisher_object:
        w.field("id", id);
        w.field("name", with_rev("Object " + std::to_string(s + 1), rev));
        w.field("network_id", digits(x, 11));
        w.field("picture", "https://scontent.xx.fbcdn.net/v/t39.2081-6/p75x75/" + hex(x, 12) + ".png");
        if (x % 2) {
            w.field("url", "https://www.facebook.com/games/?app_id=" + digits(x >> 4, 9));
            w.field("type", "application");
        } else {
            w.field("url", "https://www.facebook.com/Page" + std::to_string(s + 1) + "/");
            w.field("type", "page");
        }
        break;
    case Kind::funding_instrument: {
        const Day start = 17500 + static_cast<Day>(x % 1000);
        w.field("id", id);
        w.field("start_date", timestamp(start, 8 * 3600, s % 2 == 1));
        w.field("end_date", timestamp(start + 365, 6 * 3600 + 3599, s % 2 == 1));
        w.field("description", with_rev("funding instruments " + std::to_string(s + 1), rev));
        w.field("currency", choose(currencies, x >> 8));
        break;
    }
    case Kind::lead_form:
        w.field("id", id);
        w.field("name", with_rev("Lead form " + std::to_string(s + 1), rev));
        w.field("network_id", digits(x, 16));
        w.field("csv_url", "https://www.facebook.com/ads/lead_gen/export_csv/?id=" + digits(x, 16) +
                               "&type=form&source_type=graph_api");
        w.field("locale", x % 3 == 0 ? "fr_FR" : "en_US");
        break;
    case Kind::audience:
        w.field("id", id);
        w.field("name", name_or_hostile(Kind::audience, s,
                                        "Custom Audience " + std::to_string(s + 1), rev));
        w.field("created_at", timestamp(17600 + static_cast<Day>(x % 900), x >> 10, s % 2 == 1));
        w.field("network_id", digits(x >> 3, 13));
        w.key("nb_users");
        if (x % 4 == 1)
            w.integer(static_cast<std::int64_t>(1000 + (x >> 12) % 90000 + rev));
        else
            w.string(std::to_string(1000 + (x >> 12) % 90000 + rev));
        if (x % 2 == 0) {
            w.field("description", "Custom Audience " + std::to_string(s + 1) + " - description");
            w.field("type", "dynamic - travel");
        } else {
            w.key("rule");
            w.begin_object();
            w.key("inclusions");
            w.begin_object();
            w.field("operator", "or");
            w.key("rules");
            w.begin_array();
            w.begin_object();
            w.field_int("retention_seconds", 2592000);
            w.end_object();
            w.end_array();
            w.end_object();
            w.end_object();
            w.field("type", "website");
        }
        break;
    case Kind::targeting_cluster: {
        w.key("id");
        w.integer(static_cast<std::int64_t>(id_base(kind) + s));
        w.field("name", with_rev("targeting cluster " + std::to_string(s + 1), rev));
        w.key("targets");
        w.begin_array();
        const int n_targets = 1 + static_cast<int>(x % 3);
        for (int t = 0; t < n_targets; ++t) {
            const std::string created = timestamp(18200 + static_cast<Day>(x % 300), 56230, true);
            w.begin_object();
            string_array(w, "typeLocation", {"home", "recent"});
            string_array(w, "genders", {"male", "female"});
            w.field_int("ageMin", 18);
            w.field_int("ageMax", 24 + t);
            string_array(w, "ages", {"18-24"});
            w.key("locations");
            w.begin_array();
            w.begin_object();
            w.field("key", "777934");
            w.field("name", "Paris (\xC3\x8Ele-de-France)");
            w.field("type", "city");
            w.field("country_code", "FR");
            w.field("country_name", "France");
            w.field("region", "\xC3\x8Ele-de-France");
            w.field_int("region_id", 1078);
            w.field_bool("supports_region", true);
            w.field_bool("supports_city", true);
            w.end_object();
            w.end_array();
            string_array(w, "placements", {"{\"device\":[],\"publisher\":[],\"position\":[]}"});
            w.field("createdAt", created);
            w.field("updatedAt", created);
            w.field_int("id", static_cast<std::int64_t>(40001 + s * 10 + static_cast<unsigned>(t)));
            w.end_object();
        }
        w.end_array();
        break;
    }
    default: break;
    }
    w.end_object();
}

}  // namespace marin::sim
