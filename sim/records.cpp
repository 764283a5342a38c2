// Agency-level records as the API serves them: accounts, advertisers, users,
// media plans (quirks included).
#include "marin/sim/records.hpp"

#include "record_text.hpp"

namespace marin::sim {

using namespace detail;

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
                                    "Account " + std::to_string(i + 1) + " " + std::string(choose(brands, x >> 8)),
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
    w.field("name", name_or_hostile(Kind::advertiser, i, "Advertiser " + std::to_string(i + 1), rev));
    w.field("currency", choose(currencies, x >> 4));
    w.field("reporting_week", choose(weeks, x >> 8));
    if (x % 3 == 0) {
        w.field("contact_name",
                std::string(choose(first_names, x >> 12)) + " " + std::string(choose(last_names, x >> 16)));
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
                                    "Media plan " + std::to_string(i + 1) + " " + std::string(choose(brands, x >> 8)),
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

}  // namespace marin::sim
