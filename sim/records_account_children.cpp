// Records of an account's children (publisher objects, funding instruments,
// lead forms, audiences, targeting clusters) as the API serves them.
#include "marin/sim/records.hpp"

#include "record_text.hpp"

namespace marin::sim {

using namespace detail;

namespace {

// What every child record derives from.
struct ChildFacts {
    Kind kind;
    std::uint32_t serial;
    std::uint64_t hash;
    std::uint16_t rev;
    std::string id;
};

void publisher_object(JsonWriter& w, const ChildFacts& facts) {
    const auto& [kind, s, x, rev, id] = facts;
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
}

void funding_instrument(JsonWriter& w, const ChildFacts& facts) {
    const auto& [kind, s, x, rev, id] = facts;
    const Day start = 17500 + static_cast<Day>(x % 1000);
    w.field("id", id);
    w.field("start_date", timestamp(start, 8 * 3600, s % 2 == 1));
    w.field("end_date", timestamp(start + 365, 6 * 3600 + 3599, s % 2 == 1));
    w.field("description", with_rev("funding instruments " + std::to_string(s + 1), rev));
    w.field("currency", choose(currencies, x >> 8));
}

void lead_form(JsonWriter& w, const ChildFacts& facts) {
    const auto& [kind, s, x, rev, id] = facts;
    w.field("id", id);
    w.field("name", with_rev("Lead form " + std::to_string(s + 1), rev));
    w.field("network_id", digits(x, 16));
    w.field("csv_url", "https://www.facebook.com/ads/lead_gen/export_csv/?id=" + digits(x, 16) +
                           "&type=form&source_type=graph_api");
    w.field("locale", x % 3 == 0 ? "fr_FR" : "en_US");
}

// nb_users is a number or a string; a rule or a description, by audience.
void audience(JsonWriter& w, const ChildFacts& facts) {
    const auto& [kind, s, x, rev, id] = facts;
    w.field("id", id);
    w.field("name", name_or_hostile(Kind::audience, s, "Custom Audience " + std::to_string(s + 1), rev));
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
}

// The one child whose id is a JSON number.
void targeting_cluster(JsonWriter& w, const ChildFacts& facts) {
    const auto& [kind, s, x, rev, id] = facts;
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
}

}  // namespace

void render_account_child(JsonWriter& w, const World& world, std::uint32_t account, int slot,
                          const AccountChild& child) {
    const Kind kind = account_child_kind(slot);
    const ChildFacts facts{kind, child.serial, h(world, kind, child.serial), child.life.rev, id_of(kind, child.serial)};
    (void)account;
    w.begin_object();
    switch (kind) {
        case Kind::publisher_object:
            publisher_object(w, facts);
            break;
        case Kind::funding_instrument:
            funding_instrument(w, facts);
            break;
        case Kind::lead_form:
            lead_form(w, facts);
            break;
        case Kind::audience:
            audience(w, facts);
            break;
        case Kind::targeting_cluster:
            targeting_cluster(w, facts);
            break;
        default:
            break;
    }
    w.end_object();
}

}  // namespace marin::sim
