// The simulator against the reference and API-NOTES.md, on the `tiny` agency:
// shapes, pagination edges, auth, 404s, determinism, statistics consistency.
#include <cmath>
#include <regex>
#include <map>
#include <set>

#include "field_specs.hpp"
#include "sim_test_support.hpp"

namespace marin::sim::test {
namespace {

class SimTiny : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { running_ = new RunningSim(config_for(Scale::tiny)); }
    static void TearDownTestSuite() {
        delete running_;
        running_ = nullptr;
    }
    Client client() { return Client(running_->port()); }
    static RunningSim* running_;
};
RunningSim* SimTiny::running_ = nullptr;

std::string message_of(const Reply& r) {
    const auto v = r.json();
    if (v.is_array()) return str(v.as_array().at(0).as_object().at("message"));
    return str(v.as_object().at("message"));
}

TEST_F(SimTiny, EveryEndpointCarriesTheExampleFields) {
    auto c = client();
    FieldAudit audit;
    for (const auto& acc : read_listing(c, "/accounts")) {
        audit.check("accounts", acc);
        const std::string a = "/accounts/" + str(acc.at("id"));
        const auto one = c.get(with_key(a));
        ASSERT_EQ(one.status, 200u);
        EXPECT_EQ(one.json().as_object().at("data").as_object(), acc) << "accounts/{id} is wrapped";
        for (const char* child : {"objects", "funding-instruments", "lead-forms", "audiences", "targeting-clusters"})
            for (const auto& rec : read_listing(c, a + "/" + child)) audit.check(child, rec);
        for (const auto& tc : read_listing(c, a + "/targeting-clusters")) {
            const auto r = c.get(with_key(a + "/targeting-clusters/" + std::to_string(tc.at("id").as_int64())));
            ASSERT_EQ(r.status, 200u);
            EXPECT_EQ(r.json().as_object(), tc) << "targeting cluster is bare";
            for (const auto& t : tc.at("targets").as_array()) EXPECT_TRUE(t.as_object().at("id").is_int64());
        }
    }
    for (const auto& adv : read_listing(c, "/advertisers")) {
        audit.check("advertisers", adv);
        EXPECT_EQ(c.get(with_key("/advertisers/" + str(adv.at("id")))).json().as_object(), adv);
    }
    for (const auto& u : read_listing(c, "/users")) {
        audit.check("users", u);
        EXPECT_EQ(c.get(with_key("/users/" + str(u.at("id")))).json().as_object().at("data"), u);
    }
    bool saw_tw = false;
    for (const auto& mp : read_listing(c, "/clients")) {
        audit.check("clients", mp);
        const std::string m = "/clients/" + str(mp.at("id"));
        EXPECT_EQ(c.get(with_key(m)).json().as_object().at("data"), mp);
        for (const auto& u : read_listing(c, m + "/users")) audit.check("users", u);
        for (const auto& row : read_listing(c, m + "/statistics")) audit.check("statistics", row);
        for (const auto& camp : read_listing(c, m + "/campaigns")) {
            audit.check("campaigns", camp);
            const std::string cp = m + "/campaigns/" + str(camp.at("id"));
            EXPECT_EQ(c.get(with_key(cp)).json().as_object().at("data"), camp);
            const auto sets = read_listing(c, cp + "/adsets");
            if (str(camp.at("src")) == "tw") {
                saw_tw = true;
                EXPECT_TRUE(sets.empty());
            }
            for (const auto& set : sets) {
                audit.check("adsets", set);
                const std::string sp = cp + "/adsets/" + str(set.at("id"));
                EXPECT_EQ(c.get(with_key(sp)).json().as_object().at("data"), set);
                for (const auto& ad : read_listing(c, sp + "/ads")) {
                    audit.check("ads", ad);
                    EXPECT_EQ(c.get(with_key(sp + "/ads/" + str(ad.at("id")))).json().as_object(), ad)
                        << "single ad is bare";
                }
                for (const auto& row : read_listing(c, sp + "/statistics?level=ad&aggregate=day"))
                    audit.check("statistics", row);
            }
            for (const auto& ad : read_listing(c, cp + "/ads")) {
                audit.check("ads", ad);
                for (const auto& row : read_listing(c, cp + "/ads/" + str(ad.at("id")) + "/statistics?aggregate=day"))
                    audit.check("statistics", row);
            }
        }
    }
    EXPECT_TRUE(saw_tw);
    EXPECT_GE(audit.records("ads"), 30u);
}

TEST_F(SimTiny, PaginationEdges) {
    auto c = client();
    const auto all = c.get(with_key("/campaigns?limit=300")).json().as_object();
    const auto total = all.at("range").at("total").as_int64();
    ASSERT_GE(total, 4);
    EXPECT_EQ(all.at("range").at("nb_pages").as_int64(), 1);
    EXPECT_TRUE(all.at("range").at("next").is_null());

    // limit 1: one record a page, next on every page but the last.
    std::size_t pages = 0;
    EXPECT_EQ(read_listing(c, "/campaigns?limit=1", &pages).size(), static_cast<std::size_t>(total));
    EXPECT_EQ(pages, static_cast<std::size_t>(total));

    // 301 is clamped to 300 and says so.
    const auto clamped = c.get(with_key("/campaigns?limit=301")).json().as_object();
    EXPECT_EQ(clamped.at("range").at("limit").as_int64(), 300);
    EXPECT_EQ(clamped.at("data").as_array().size(), static_cast<std::size_t>(total));

    // A total that is an exact multiple of the limit: no empty trailing page.
    std::int64_t divisor = 1;
    for (std::int64_t d = 2; d < total; ++d)
        if (total % d == 0) divisor = d;
    const auto exact = read_listing(c, "/campaigns?limit=" + std::to_string(divisor), &pages);
    EXPECT_EQ(pages, static_cast<std::size_t>(total / divisor));

    // A page past the end: 200, empty data, next null.
    const auto past = c.get(with_key("/campaigns?limit=2&page=" + std::to_string(total)));
    ASSERT_EQ(past.status, 200u);
    const auto po = past.json().as_object();
    EXPECT_TRUE(po.at("data").as_array().empty());
    EXPECT_EQ(po.at("range").at("results").as_int64(), 0);
    EXPECT_TRUE(po.at("range").at("next").is_null());

    // An empty listing: Facebook accounts have no funding instruments.
    const auto empty = c.get(with_key("/accounts/1001/funding-instruments")).json().as_object();
    EXPECT_TRUE(empty.at("data").as_array().empty());
    EXPECT_EQ(empty.at("range").at("total").as_int64(), 0);
    EXPECT_EQ(empty.at("range").at("nb_pages").as_int64(), 0);
    EXPECT_TRUE(empty.at("range").at("next").is_null());

    // next keeps the other parameters, but not `limit` (the reference's
    // style, the default; NextStyles below tries the others).
    const auto stats = c.get(with_key("/clients/50001/statistics?level=ad&aggregate=day&limit=1")).json().as_object();
    const std::string next(stats.at("range").at("next").as_string());
    EXPECT_NE(next.find("level=ad"), std::string::npos) << next;
    EXPECT_NE(next.find("aggregate=day"), std::string::npos) << next;
    EXPECT_EQ(next.find("limit="), std::string::npos) << next;

    for (const char* bad : {"limit=0", "limit=-1", "limit=abc", "limit=", "page=0", "page=-2", "page=x", "limit=1.5"}) {
        const auto r = c.get(with_key(std::string("/campaigns?") + bad));
        EXPECT_EQ(r.status, 400u) << bad;
        EXPECT_FALSE(message_of(r).empty()) << bad;
    }
}

TEST_F(SimTiny, KeyIsRequired) {
    auto c = client();
    for (const char* target : {"/accounts", "/accounts?key=wrong", "/clients/50001/campaigns?key=", "/_sim/counters",
                               "/_sim/epoch?key=nope", "/no/such/path"}) {
        const auto r = c.get(target);
        EXPECT_EQ(r.status, 403u) << target;
        EXPECT_FALSE(message_of(r).empty()) << target;
    }
}

TEST_F(SimTiny, UnknownPathsAndGoneParentsAre404) {
    auto c = client();
    for (const char* target :
         {"/nothing", "/accounts/1001/nothing", "/accounts/999999/objects", "/clients/50001/campaigns/1/ads",
          "/clients/50002/campaigns/700001", "/clients/50001/campaigns/700001/adsets/8000001/ads/1", "/advertisers/x",
          "/users/0", "/clients/50001/campaigns/700001/adsets/9/statistics", "/accounts/1001/targeting-clusters/1"}) {
        const auto r = c.get(with_key(target));
        EXPECT_EQ(r.status, 404u) << target;
        EXPECT_FALSE(message_of(r).empty()) << target;
    }
    EXPECT_EQ(c.get(with_key("/clients/IO-50001")).status, 200u) << "media plans are found by io_number too";
}

TEST_F(SimTiny, SameSeedSameBytes) {
    RunningSim other(config_for(Scale::tiny));
    RunningSim different(config_for(Scale::tiny, 8));
    Client a(running_->port(), "sim.test"), b(other.port(), "sim.test"), d(different.port(), "sim.test");
    std::size_t differences = 0;
    for (const char* t : {"/accounts", "/clients", "/campaigns", "/users", "/advertisers",
                          "/clients/50001/campaigns/700001/ads", "/accounts/1002/funding-instruments",
                          "/accounts/1001/audiences", "/clients/50001/statistics?level=ad&aggregate=day",
                          "/clients/50002/statistics?level=campaign&aggregate=month"}) {
        const auto x = a.get(with_key(t)), y = b.get(with_key(t));
        EXPECT_EQ(x.status, 200u) << t;
        EXPECT_EQ(x.body, y.body) << t;
        differences += d.get(with_key(t)).body != x.body;
    }
    EXPECT_GE(differences, 5u) << "another seed should give other data";
    std::string ea, eb;
    for (const char* table : {"ads", "ad_stats_daily", "media_plan_users"}) {
        EXPECT_EQ(a.get(with_key(std::string("/_sim/expected?table=") + table)).body,
                  b.get(with_key(std::string("/_sim/expected?table=") + table)).body)
            << table;
    }
}

struct Sums {
    std::int64_t impressions = 0, clicks = 0, spent_cents = 0, income_cents = 0;
    std::vector<std::int64_t> numbers = std::vector<std::int64_t>(19, 0);
    std::size_t rows = 0;
    bool operator==(const Sums& o) const {
        return impressions == o.impressions && clicks == o.clicks && spent_cents == o.spent_cents &&
               income_cents == o.income_cents && numbers == o.numbers;
    }
};

std::int64_t cents(const json::value& v) { return std::llround(v.to_number<double>() * 100.0); }

Sums sum_rows(const std::vector<json::object>& rows) {
    Sums s;
    for (const auto& r : rows) {
        const double imp = r.at("impression").to_number<double>();
        const double clicks = r.at("click").to_number<double>();
        s.impressions += r.at("impression").as_int64();
        s.clicks += r.at("click").as_int64();
        s.spent_cents += cents(r.at("spent"));
        s.income_cents += cents(r.at("income"));
        const auto& mm = r.at("main_metrics").as_array();
        for (std::size_t i = 0; i < mm.size(); ++i) s.numbers[i] += mm[i].at("number").as_int64();
        // Ratios are computed from the row's own sums.
        const double ctr = imp == 0 ? 0 : clicks * 100.0 / imp;
        EXPECT_NEAR(r.at("ctr").to_number<double>(), ctr, 1e-9);
        const double spent = r.at("spent").to_number<double>();
        EXPECT_NEAR(r.at("cpc").to_number<double>(), clicks == 0 ? 0 : spent / clicks, 1e-9);
        EXPECT_NEAR(r.at("cpm").to_number<double>(), imp == 0 ? 0 : spent * 1000.0 / imp, 1e-9);
        ++s.rows;
    }
    return s;
}

TEST_F(SimTiny, StatisticsAgreeAcrossLevelsAndAggregates) {
    auto c = client();
    std::size_t plans_with_rows = 0;
    for (const auto& mp : read_listing(c, "/clients")) {
        const std::string m = "/clients/" + str(mp.at("id")) + "/statistics";
        const auto period = sum_rows(read_listing(c, m));
        const auto ad_days = read_listing(c, m + "?level=ad&aggregate=day&limit=7");
        const auto by_ad_day = sum_rows(ad_days);
        EXPECT_EQ(period, by_ad_day) << m;
        EXPECT_EQ(period, sum_rows(read_listing(c, m + "?level=campaign&aggregate=month")));
        EXPECT_EQ(period, sum_rows(read_listing(c, m + "?level=adset&aggregate=day")));
        EXPECT_EQ(period, sum_rows(read_listing(c, m + "?level=ad")));
        EXPECT_EQ(period, sum_rows(read_listing(c, m + "?level=channel_connect&aggregate=day")));
        plans_with_rows += period.rows > 0;
        EXPECT_LE(period.rows, 1u);

        // Every ad-day row carries its ids; a Twitter ad's ad set is null.
        std::map<std::string, Sums> per_campaign;
        for (const auto& row : ad_days) {
            EXPECT_TRUE(row.at("date").is_string());
            EXPECT_EQ(row.at("client_id"), mp.at("id"));
            EXPECT_TRUE(row.at("campaign_id").is_string());
            EXPECT_TRUE(row.at("adset_id").is_string() || row.at("adset_id").is_null());
            EXPECT_TRUE(row.at("ad_id").is_string());
        }
        // The campaign statistics endpoint agrees with the campaign's rows.
        for (const auto& camp : read_listing(c, "/clients/" + str(mp.at("id")) + "/campaigns")) {
            std::vector<json::object> mine;
            for (const auto& row : ad_days)
                if (row.at("campaign_id") == camp.at("id")) mine.push_back(row);
            const std::string cs = "/clients/" + str(mp.at("id")) + "/campaigns/" + str(camp.at("id")) + "/statistics";
            EXPECT_EQ(sum_rows(mine), sum_rows(read_listing(c, cs))) << cs;
            EXPECT_EQ(sum_rows(mine), sum_rows(read_listing(c, cs + "?level=ad&aggregate=month"))) << cs;
        }
    }
    EXPECT_GE(plans_with_rows, 2u);

    // Money is printed exactly, with at most two decimals.
    const auto raw = c.get(with_key("/clients/50001/statistics?level=ad&aggregate=day&limit=300")).body;
    const std::regex money(R"re("(spent|income|amount)":(-?[0-9]+(\.[0-9]+)?[eE]?))re");
    std::size_t money_values = 0;
    for (auto it = std::sregex_iterator(raw.begin(), raw.end(), money); it != std::sregex_iterator(); ++it) {
        const std::string v = (*it)[2];
        EXPECT_EQ(v.find_first_of("eE"), std::string::npos) << v;
        const auto dot = v.find('.');
        EXPECT_TRUE(dot == std::string::npos || v.size() - dot - 1 <= 2) << v;
        ++money_values;
    }
    EXPECT_GT(money_values, 100u);

    // Windows: a day is in when any part of it overlaps [start_date, end_date]
    // (UTC days here; days in the account's time zone: variants_test.cpp).
    ASSERT_EQ(c.get(with_key("/_sim/variants?stats_days=utc")).status, 200u);
    const auto day_rows = read_listing(c, "/clients/50001/statistics?aggregate=day");
    ASSERT_GE(day_rows.size(), 3u);
    const std::string second = str(day_rows[1].at("date"));
    const auto d = *parse_day(second);
    const std::int64_t start = static_cast<std::int64_t>(d) * 86400 + 86399;  // last second of the day
    const std::int64_t end = static_cast<std::int64_t>(d + 1) * 86400;        // first second of the next
    const auto window = read_listing(c, "/clients/50001/statistics?aggregate=day&start_date=" + std::to_string(start) +
                                            "&end_date=" + std::to_string(end));
    ASSERT_EQ(window.size(), 2u);
    EXPECT_EQ(window[0], day_rows[1]);
    EXPECT_EQ(window[1], day_rows[2]);
    ASSERT_EQ(c.get(with_key("/_sim/variants?reset=1")).status, 200u);
    EXPECT_EQ(c.get(with_key("/clients/50001/statistics?aggregate=week")).status, 400u);
    EXPECT_EQ(c.get(with_key("/clients/50001/statistics?start_date=abc")).status, 400u);
    EXPECT_EQ(c.get(with_key("/clients/50001/statistics?start_date=200&end_date=100")).status, 400u);
}

TEST_F(SimTiny, HostileTextSurvivesTheRoundTrip) {
    auto c = client();
    std::set<std::string> names;
    for (const auto& camp : read_listing(c, "/campaigns")) {
        names.insert(str(camp.at("name")));
        for (const auto& ad :
             read_listing(c, "/clients/" + str(camp.at("client_id")) + "/campaigns/" + str(camp.at("id")) + "/ads"))
            names.insert(str(ad.at("name")));
    }
    bool sql = false, nul = false, long_name = false, control = false, emoji = false;
    for (const auto& n : names) {
        sql |= n.find("DROP TABLE marin.ads") != std::string::npos;
        nul |= n.find('\0') != std::string::npos;
        long_name |= n.size() >= 5000;
        control |= n.find('\t') != std::string::npos && n.find('\n') != std::string::npos;
        emoji |= n.find("\xF0\x9F") != std::string::npos;
    }
    EXPECT_TRUE(sql);
    EXPECT_TRUE(nul);
    EXPECT_TRUE(long_name);
    EXPECT_TRUE(control);
    EXPECT_TRUE(emoji);
}

// ---- epochs and the expected state ---------------------------------------------

std::map<std::string, json::object> expected_rows(Client& c, const std::string& table) {
    const auto r = c.get(with_key("/_sim/expected?table=" + table));
    EXPECT_EQ(r.status, 200u) << table;
    std::map<std::string, json::object> rows;
    std::size_t start = 0;
    while (start < r.body.size()) {
        const auto end = r.body.find('\n', start);
        auto line = json::parse(r.body.substr(start, end - start)).as_object();
        const std::string key = json::serialize(line.at("key"));
        rows.emplace(key, line);
        start = end + 1;
    }
    return rows;
}

TEST(SimEpoch, EpochsMoveTheDataAndTheExpectedStateFollows) {
    RunningSim running(config_for(Scale::small, 3));
    Client c(running.port());
    const auto ads0 = expected_rows(c, "ads");
    const auto stats0 = expected_rows(c, "ad_stats_daily");
    const auto camps0 = expected_rows(c, "campaigns");
    for (const auto& [k, row] : ads0) EXPECT_FALSE(row.at("removed").as_bool());

    const auto e = c.get(with_key("/_sim/epoch"), http::verb::post).json().as_object();
    EXPECT_EQ(e.at("epoch").as_int64(), 1);
    EXPECT_EQ(str(e.at("today")), "2024-06-16");

    const auto ads1 = expected_rows(c, "ads");
    std::size_t changed = 0, removed = 0, appeared = 0;
    for (const auto& [k, row] : ads1) {
        auto before = ads0.find(k);
        if (before == ads0.end()) {
            ++appeared;
            continue;
        }
        if (row.at("removed").as_bool()) {
            ++removed;
            EXPECT_EQ(row.at("record"), before->second.at("record")) << "a vanished ad keeps its last record";
        } else if (row.at("record") != before->second.at("record")) {
            ++changed;
        }
    }
    EXPECT_GT(changed, 3u);
    EXPECT_GT(removed, 3u);
    EXPECT_GT(appeared, 3u);
    EXPECT_EQ(ads1.size(), ads0.size() + appeared);

    // The listings agree with the expected state: a campaign's ad listing holds
    // exactly its ads that are not removed; a removed campaign's listing is gone.
    std::map<std::string, std::set<std::string>> live_ads_by_campaign;
    for (const auto& [k, row] : ads1)
        if (!row.at("removed").as_bool())
            live_ads_by_campaign[str(row.at("parents").at("campaign_id"))].insert(str(row.at("key").at("id")));
    const auto camps1 = expected_rows(c, "campaigns");
    EXPECT_GT(camps1.size(), camps0.size()) << "a new campaign appears each epoch";
    std::size_t removed_campaigns = 0;
    for (const auto& [k, row] : camps1) {
        const std::string id = str(row.at("key").at("id"));
        const std::string path = "/clients/" + str(row.at("parents").at("media_plan_id")) + "/campaigns/" + id + "/ads";
        if (row.at("removed").as_bool()) {
            ++removed_campaigns;
            EXPECT_EQ(c.get(with_key(path)).status, 404u) << "a vanished campaign's children listing is gone";
            continue;
        }
        std::set<std::string> listed;
        for (const auto& ad : read_listing(c, path + "?limit=300")) listed.insert(str(ad.at("id")));
        EXPECT_EQ(listed, live_ads_by_campaign[id]) << path;
    }

    // Statistics: the last 7 days were restated, older days were not, a day was added.
    std::size_t restated = 0, old_changed = 0, new_day = 0;
    for (const auto& [k, row] : expected_rows(c, "ad_stats_daily")) {
        const auto day = *parse_day(str(row.at("key").at("date")));
        auto before = stats0.find(k);
        if (before == stats0.end()) {
            new_day += day == *parse_day("2024-06-16");
            continue;
        }
        EXPECT_FALSE(row.at("removed").as_bool());
        const bool differs = row.at("record") != before->second.at("record");
        if (day >= *parse_day("2024-06-09"))
            restated += differs;
        else
            old_changed += differs;
    }
    EXPECT_GT(restated, 100u);
    EXPECT_EQ(old_changed, 0u);
    EXPECT_GT(new_day, 50u);

    // A few more epochs: a campaign vanishes at this scale within a few.
    for (int i = 0; i < 3; ++i) c.get(with_key("/_sim/epoch"), http::verb::post);
    std::size_t removed_campaigns_later = 0;
    for (const auto& [k, row] : expected_rows(c, "campaigns")) removed_campaigns_later += row.at("removed").as_bool();
    EXPECT_GE(removed_campaigns_later, 1u);
    EXPECT_GE(removed_campaigns_later, removed_campaigns);

    // Account children, users and their links come with keys as CONTRACT.md names them.
    const auto links = expected_rows(c, "media_plan_users");
    ASSERT_FALSE(links.empty());
    EXPECT_TRUE(links.begin()->second.at("key").as_object().contains("media_plan_id"));
    EXPECT_TRUE(links.begin()->second.at("key").as_object().contains("user_id"));
    const auto audiences = expected_rows(c, "audiences");
    ASSERT_FALSE(audiences.empty());
    EXPECT_TRUE(audiences.begin()->second.at("key").as_object().contains("account_id"));
    EXPECT_EQ(c.get(with_key("/_sim/expected?table=nope")).status, 400u);
}

// ---- faults and counters -------------------------------------------------------

TEST(SimFaults, FaultsApplyToTheApiOnly) {
    RunningSim running(config_for(Scale::tiny));
    Client c(running.port());
    auto set = [&](const std::string& q) {
        const auto r = c.get(with_key("/_sim/faults?" + q), http::verb::post);
        EXPECT_EQ(r.status, 200u) << q << r.body;
        return r.json().as_object();
    };
    EXPECT_EQ(set("p500=1").at("p500").to_number<double>(), 1.0);
    EXPECT_EQ(c.get(with_key("/accounts")).status, 500u);
    EXPECT_EQ(c.get(with_key("/_sim/counters")).status, 200u) << "admin endpoints never fault";

    set("reset=1&p429=1");
    std::set<std::string> retry_after;
    for (int i = 0; i < 30; ++i) {
        const auto r = c.get(with_key("/accounts"));
        EXPECT_EQ(r.status, 429u);
        auto it = r.raw.find(http::field::retry_after);
        ASSERT_NE(it, r.raw.end());
        const std::string v(it->value());
        retry_after.insert(v == "0" ? "zero" : (v.find("GMT") != std::string::npos ? "date" : "seconds"));
    }
    EXPECT_EQ(retry_after.size(), 3u);

    set("reset=1&p503=1");
    EXPECT_EQ(c.get(with_key("/accounts")).status, 503u);

    set("reset=1&pbad_body=1");
    std::size_t unparsable = 0;
    for (int i = 0; i < 20; ++i) {
        const auto r = c.get(with_key("/accounts"));
        EXPECT_EQ(r.status, 200u);
        boost::system::error_code ec;
        const auto v = json::parse(r.body, ec);
        unparsable += ec || !v.is_object() || !v.as_object().contains("data");
    }
    EXPECT_EQ(unparsable, 20u);

    set("reset=1&pdrop=1");
    EXPECT_THROW(c.once(with_key("/campaigns"), http::verb::get), beast::system_error);

    set("reset=1&pslow=1");
    const auto slow = Client(running.port()).get(with_key("/accounts"));
    EXPECT_EQ(slow.status, 200u);
    EXPECT_NO_THROW(json::parse(slow.body));

    EXPECT_EQ(c.get(with_key("/_sim/faults?p500=2")).status, 400u);
    EXPECT_EQ(c.get(with_key("/_sim/faults?bogus=1")).status, 400u);

    // A cap on concurrent requests: with latency, a second request in flight
    // gets 429 (2 s of latency: the two overlap on a slow machine too).
    set("reset=1&latency_ms=2000&max_concurrent=1");
    unsigned other_status = 0;
    std::thread t([&] { other_status = Client(running.port()).get(with_key("/accounts")).status; });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto second = Client(running.port()).get(with_key("/accounts"));
    t.join();
    EXPECT_EQ(std::min(other_status, second.status), 200u);
    EXPECT_EQ(std::max(other_status, second.status), 429u);
    set("reset=1");
}

TEST(SimCounters, CountsByTemplateAndStatus) {
    RunningSim running(config_for(Scale::tiny));
    Client c(running.port());
    EXPECT_EQ(c.get(with_key("/_sim/counters/reset"), http::verb::post).status, 200u);
    c.get(with_key("/clients/50001/campaigns"));
    c.get(with_key("/clients/50002/campaigns"));
    c.get(with_key("/clients/50001/campaigns/700001/adsets"));
    c.get(with_key("/clients/99/campaigns"));
    const auto counters = c.get(with_key("/_sim/counters")).json().as_object();
    const auto& ep = counters.at("endpoints").as_object();
    EXPECT_EQ(ep.at("/clients/{id}/campaigns").at("200").as_int64(), 2);
    EXPECT_EQ(ep.at("/clients/{id}/campaigns").at("404").as_int64(), 1);
    EXPECT_EQ(ep.at("/clients/{id}/campaigns/{id}/adsets").at("200").as_int64(), 1);
}

}  // namespace
}  // namespace marin::sim::test
