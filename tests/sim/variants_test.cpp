// Readings of the reference (issue 11): hidden ad sets whose ads only the
// campaign's ad listing shows, listings that do not apply to the parent's
// network, access denied under a parent, statistics rows with and without
// keys, days in the account's time zone and windows cut to the second, the
// styles of `next`, and the `limit` counters. Each variant through
// /_sim/variants, and all of them from the command line.
#include <csignal>
#include <map>
#include <set>
#include <sys/wait.h>

#include "marin/sim/records.hpp"
#include "sim_test_support.hpp"

namespace marin::sim::test {
namespace {

json::object set_variants(Client& c, const std::string& query) {
    const auto r = c.get(with_key(query.empty() ? "/_sim/variants" : "/_sim/variants?" + query), http::verb::post);
    EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
    return r.status == 200 ? r.json().as_object() : json::object{};
}

// /_sim/expected?table=... by the key's "id".
std::map<std::string, json::object> expected_by_id(Client& c, const std::string& table) {
    const auto r = c.get(with_key("/_sim/expected?table=" + table));
    EXPECT_EQ(r.status, 200u) << table;
    std::map<std::string, json::object> rows;
    std::size_t start = 0;
    while (start < r.body.size()) {
        const auto end = r.body.find('\n', start);
        const auto line = json::parse(r.body.substr(start, end - start)).as_object();
        rows[str(line.at("key").at("id"))] = line;
        start = end + 1;
    }
    return rows;
}

std::set<std::string> ids(const std::vector<json::object>& records) {
    std::set<std::string> out;
    for (const auto& r : records) out.insert(str(r.at("id")));
    return out;
}

std::string first_message(const Reply& r) {
    const auto v = r.json();
    return str(v.as_array().at(0).as_object().at("message"));
}

std::int64_t cents_of(const json::value& v) { return std::llround(v.to_number<double>() * 100.0); }

// ad_id|date -> row, of /clients/{mp}/statistics?level=ad&aggregate=day&...
std::map<std::string, json::object> ad_days(Client& c, const std::string& mp, const std::string& extra = "") {
    std::map<std::string, json::object> out;
    for (const auto& row : read_listing(c, "/clients/" + mp + "/statistics?level=ad&aggregate=day&limit=300" + extra))
        out[str(row.at("ad_id")) + "|" + str(row.at("date"))] = row;
    return out;
}

class SimVariants : public ::testing::Test {
  protected:
    RunningSim running{config_for(Scale::tiny)};
    Client c{running.port()};
};

// Ad set 8000001 (campaign 700001, media plan 50001) is hidden from the start.
TEST_F(SimVariants, HiddenAdSetsAdsStayInTheCampaignListingAndTheStatistics) {
    const std::string camp = "/clients/50001/campaigns/700001";
    EXPECT_FALSE(ids(read_listing(c, camp + "/adsets")).contains("8000001"));
    EXPECT_EQ(c.get(with_key(camp + "/adsets/8000001")).status, 404u);
    EXPECT_EQ(c.get(with_key(camp + "/adsets/8000001/ads")).status, 404u);
    EXPECT_EQ(c.get(with_key(camp + "/adsets/8000001/statistics")).status, 404u);
    const auto hidden_ads = running.sim().with_world([](const World& w) { return w.ad_sets[0].ads; });
    ASSERT_FALSE(hidden_ads.empty());
    const auto listed = ids(read_listing(c, camp + "/ads"));
    std::set<std::string> shown_by_sets;
    for (const auto& set : read_listing(c, camp + "/adsets"))
        for (const auto& id : ids(read_listing(c, camp + "/adsets/" + str(set.at("id")) + "/ads")))
            shown_by_sets.insert(id);
    for (auto a : hidden_ads) {
        EXPECT_TRUE(listed.contains(sim::id_of(Kind::ad, a))) << "the campaign lists every ad of it";
        EXPECT_FALSE(shown_by_sets.contains(sim::id_of(Kind::ad, a)));
    }
    std::size_t rows_of_hidden = 0;
    for (const auto& [k, row] : ad_days(c, "50001")) rows_of_hidden += row.at("adset_id") == json::value("8000001");
    EXPECT_GT(rows_of_hidden, 0u) << "statistics rows keep the hidden ad set's id";

    // Expected: the ad set was never served; its ads are, without the link.
    auto sets = expected_by_id(c, "ad_sets");
    EXPECT_FALSE(sets.contains("8000001"));
    auto ads = expected_by_id(c, "ads");
    for (auto a : hidden_ads) {
        const auto& line = ads.at(sim::id_of(Kind::ad, a));
        EXPECT_TRUE(line.at("parents").at("ad_set_id").is_null()) << line;
        EXPECT_FALSE(line.at("removed").as_bool());
    }

    // An epoch hides one more ad set (an active campaign's): it leaves its
    // campaign's ad set listing, its ads stay listed and keep the link in
    // the expected state (a mirror that read epoch 0 saw it).
    ASSERT_EQ(c.get(with_key("/_sim/epoch"), http::verb::post).status, 200u);
    const auto [set_index, set_ads, campaign, plan] = running.sim().with_world([](const World& w) {
        for (std::uint32_t s = 0; s < w.ad_sets.size(); ++s)
            if (w.ad_sets[s].hidden_epoch == 1) {
                const auto c = w.ad_sets[s].campaign;
                return std::tuple{s, w.ad_sets[s].ads, c, w.campaigns[c].media_plan};
            }
        return std::tuple{std::uint32_t{0}, std::vector<std::uint32_t>{}, std::uint32_t{0}, std::uint32_t{0}};
    });
    ASSERT_NE(set_index, 0u) << "the epoch hid no ad set";
    const std::string set_id = sim::id_of(Kind::ad_set, set_index);
    const std::string camp2 =
        "/clients/" + sim::id_of(Kind::media_plan, plan) + "/campaigns/" + sim::id_of(Kind::campaign, campaign);
    EXPECT_FALSE(ids(read_listing(c, camp2 + "/adsets")).contains(set_id));
    EXPECT_EQ(c.get(with_key(camp2 + "/adsets/" + set_id + "/ads")).status, 404u);
    const auto listed2 = ids(read_listing(c, camp2 + "/ads"));
    sets = expected_by_id(c, "ad_sets");
    EXPECT_TRUE(sets.at(set_id).at("removed").as_bool());
    ads = expected_by_id(c, "ads");
    std::size_t still_listed = 0;
    for (auto a : set_ads) {
        const auto& line = ads.at(sim::id_of(Kind::ad, a));
        EXPECT_EQ(line.at("parents").at("ad_set_id"), json::value(set_id)) << line;
        EXPECT_EQ(line.at("removed").as_bool(), !listed2.contains(sim::id_of(Kind::ad, a))) << line;
        still_listed += listed2.contains(sim::id_of(Kind::ad, a));
    }
    EXPECT_GT(still_listed, 0u);

    // Twitter-only campaign ad listings: no client can reach the ads of a
    // hidden ad set; expected follows: never-linked ones are left out, the
    // epoch-hidden ones are removed.
    set_variants(c, "campaign_ads=twitter-only");
    const auto reachable = expected_by_id(c, "ads");
    for (auto a : hidden_ads) EXPECT_FALSE(reachable.contains(sim::id_of(Kind::ad, a)));
    for (auto a : set_ads) EXPECT_TRUE(reachable.at(sim::id_of(Kind::ad, a)).at("removed").as_bool());
    std::set<std::string> of_hidden_sets;
    for (auto a : hidden_ads) of_hidden_sets.insert(sim::id_of(Kind::ad, a));
    for (auto a : set_ads) of_hidden_sets.insert(sim::id_of(Kind::ad, a));
    EXPECT_EQ(reachable.size() + hidden_ads.size(), ads.size());
    for (const auto& [id, line] : reachable) {
        if (of_hidden_sets.contains(id)) continue;
        EXPECT_EQ(line, ads.at(id)) << "every other ad is as with all";
    }
}

TEST_F(SimVariants, InapplicableListingsAnswerEmpty404Or400) {
    const std::string tw_sets = "/clients/50002/campaigns/700002/adsets";  // a Twitter campaign
    const std::string fb_funding = "/accounts/1001/funding-instruments";   // a Facebook account
    const std::string fb_ads = "/clients/50001/campaigns/700001/ads";
    const std::string tw_ads = "/clients/50002/campaigns/700002/ads";
    const std::string shown = variants_json(Variants{});
    EXPECT_EQ(c.get(with_key("/_sim/variants")).body, shown);
    for (const auto& [mode, status] :
         std::vector<std::pair<std::string, unsigned>>{{"empty", 200}, {"404", 404}, {"400", 400}}) {
        EXPECT_EQ(str(set_variants(c, "inapplicable_listings=" + mode).at("inapplicable_listings")), mode);
        for (const auto& path : {tw_sets, fb_funding}) {
            const auto r = c.get(with_key(path));
            EXPECT_EQ(r.status, status) << mode << " " << path;
            if (status == 200)
                EXPECT_TRUE(r.json().at("data").as_array().empty()) << path;
            else
                EXPECT_EQ(first_message(r).rfind("no ", 0), 0u) << r.body;
        }
        // What applies is unchanged.
        EXPECT_FALSE(read_listing(c, "/clients/50001/campaigns/700001/adsets").empty()) << mode;
        EXPECT_FALSE(read_listing(c, "/accounts/1002/funding-instruments").empty()) << mode;
        EXPECT_FALSE(read_listing(c, fb_ads).empty()) << mode;
        // twitter-only: a Facebook campaign's ad listing answers the
        // inapplicable status (404 unless 400 is asked for).
        set_variants(c, "campaign_ads=twitter-only");
        EXPECT_EQ(c.get(with_key(fb_ads)).status, mode == "400" ? 400u : 404u) << mode;
        EXPECT_FALSE(read_listing(c, tw_ads).empty()) << mode;
        set_variants(c, "campaign_ads=all");
    }
    // Facebook accounts have no funding instruments in every mode, so the
    // expected state does not depend on it.
    set_variants(c, "reset=1");
    for (const auto& [id, line] : expected_by_id(c, "funding_instruments"))
        EXPECT_EQ(str(line.at("key").at("account_id")), "1002") << id;
    for (const char* bad : {"inapplicable_listings=403", "campaign_ads=none", "next_style=x", "stats_keys=some",
                            "stats_days=local", "stats_window=hours", "deny_prefix=accounts", "nonsense=1"}) {
        const auto r = c.get(with_key(std::string("/_sim/variants?") + bad));
        EXPECT_EQ(r.status, 400u) << bad;
    }
    EXPECT_EQ(c.get(with_key("/_sim/variants")).body, shown) << "a refused change changes nothing";
}

TEST_F(SimVariants, DenyPrefixRefusesEverythingUnderTheParentOnly) {
    set_variants(c, "deny_prefix=/accounts/1003");
    for (const char* path : {"/accounts/1003", "/accounts/1003/audiences", "/accounts/1003/objects?limit=300&page=2"}) {
        const auto r = c.get(with_key(path));
        EXPECT_EQ(r.status, 403u) << path;
        EXPECT_EQ(r.body, R"([{"message":"Access denied"}])") << path;
    }
    EXPECT_TRUE(ids(read_listing(c, "/accounts")).contains("1003")) << "the parent stays in its own listing";
    EXPECT_EQ(c.get(with_key("/accounts/1001/audiences")).status, 200u);
    set_variants(c, "deny_prefix=/clients/5000");
    EXPECT_EQ(c.get(with_key("/clients/50001/campaigns")).status, 200u) << "whole segments only";
    set_variants(c, "deny_prefix=/clients/50003");
    EXPECT_EQ(c.get(with_key("/clients/50003/campaigns")).status, 403u);
    EXPECT_EQ(c.get(with_key("/clients/50003/statistics")).status, 403u);
    EXPECT_TRUE(ids(read_listing(c, "/clients")).contains("50003"));
    // A wrong key is still refused everywhere, with its own message.
    const auto wrong = c.get("/accounts?key=nope");
    EXPECT_EQ(wrong.status, 403u);
    EXPECT_NE(first_message(wrong).find("invalid key"), std::string::npos);
    set_variants(c, "deny_prefix=");
    EXPECT_EQ(c.get(with_key("/clients/50003/campaigns")).status, 200u) << "an empty value turns it off";
}

TEST_F(SimVariants, StatisticsRowsWithAndWithoutKeys) {
    const std::string q = "/clients/50001/statistics?level=ad&aggregate=day&limit=300";
    const auto full = read_listing(c, q);
    ASSERT_GT(full.size(), 3u);
    const char* id_keys[] = {"client_id", "campaign_id", "adset_id", "ad_id"};
    for (const auto& [mode, date, keyed] : std::vector<std::tuple<std::string, bool, bool>>{
             {"full", true, true}, {"none", false, false}, {"no-date", false, true}, {"no-ids", true, false}}) {
        set_variants(c, "stats_keys=" + mode);
        const auto rows = read_listing(c, q);
        ASSERT_EQ(rows.size(), full.size()) << mode;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            EXPECT_EQ(rows[i].contains("date"), date) << mode;
            for (const char* k : id_keys) EXPECT_EQ(rows[i].contains(k), keyed) << mode << " " << k;
            EXPECT_EQ(rows[i].at("impression"), full[i].at("impression")) << "the figures stay";
        }
        // Coarser levels keep one row per bucket, keys or not.
        EXPECT_EQ(read_listing(c, "/clients/50001/statistics?level=client&aggregate=day").size(),
                  read_listing(c, "/clients/50001/statistics?level=client&aggregate=day&limit=1").size());
    }
    set_variants(c, "reset=1");
    // The expected state always carries the keys.
    const auto r = c.get(with_key("/_sim/expected?table=ad_stats_daily"));
    EXPECT_NE(r.body.find("\"ad_id\""), std::string::npos);
}

// Days in the account's time zone: media plan 50002's account is in
// Asia/Tokyo (UTC+9), 50001's in Europe/Paris (UTC+2 in June).
TEST_F(SimVariants, DaysFollowTheAccountsTimeZoneAndWindowsCutToTheSecond) {
    const Day d = *parse_day("2024-06-13");
    const std::int64_t tokyo_midnight = static_cast<std::int64_t>(d) * 86400 - 9 * 3600;
    // From 06:00 local on d to one minute into d + 1.
    const std::int64_t start = tokyo_midnight + 6 * 3600, end = tokyo_midnight + 86400 + 59;
    const std::string window = "&start_date=" + std::to_string(start) + "&end_date=" + std::to_string(end);
    auto dates = [&](const std::map<std::string, json::object>& rows) {
        std::set<std::string> out;
        for (const auto& [k, row] : rows) out.insert(str(row.at("date")));
        return out;
    };
    EXPECT_EQ(str(set_variants(c, "").at("stats_days")), "account") << "the default, as API-NOTES reads it";
    EXPECT_EQ(dates(ad_days(c, "50002", window)), (std::set<std::string>{"2024-06-13", "2024-06-14"}));
    set_variants(c, "stats_days=utc");  // the same instants are 21:00 UTC on d - 1 and 15:00 UTC on d
    EXPECT_EQ(dates(ad_days(c, "50002", window)), (std::set<std::string>{"2024-06-12", "2024-06-13"}));

    // Cut to the second: 18 of 24 hours of d, 60 seconds of d + 1, each
    // figure rounded down; ratios from the cut sums.
    set_variants(c, "stats_days=account&stats_window=seconds");
    const auto whole = ad_days(c, "50002");
    const auto cut = ad_days(c, "50002", window);
    ASSERT_FALSE(cut.empty());
    for (const auto& [k, row] : cut) {
        const auto& w = whole.at(k);
        const std::int64_t inside = str(row.at("date")) == "2024-06-13" ? 18 * 3600 : 60;
        EXPECT_EQ(row.at("impression").as_int64(), w.at("impression").as_int64() * inside / 86400) << k;
        EXPECT_EQ(row.at("click").as_int64(), w.at("click").as_int64() * inside / 86400) << k;
        EXPECT_EQ(cents_of(row.at("spent")), cents_of(w.at("spent")) * inside / 86400) << k;
        const double imp = row.at("impression").to_number<double>();
        EXPECT_NEAR(row.at("ctr").to_number<double>(), imp == 0 ? 0 : row.at("click").to_number<double>() * 100 / imp,
                    1e-9);
    }
    // A window of whole local days serves whole days.
    const auto aligned = ad_days(c, "50002",
                                 "&start_date=" + std::to_string(tokyo_midnight) +
                                     "&end_date=" + std::to_string(tokyo_midnight + 2 * 86400 - 1));
    ASSERT_FALSE(aligned.empty());
    for (const auto& [k, row] : aligned) EXPECT_EQ(row, whole.at(k)) << k;
    // The expected state is whole days whatever the window.
    const auto expected = c.get(with_key("/_sim/expected?table=ad_stats_daily")).body;
    std::size_t matched = 0;
    for (std::size_t start = 0; start < expected.size();) {
        const auto end = expected.find('\n', start);
        const auto line = json::parse(expected.substr(start, end - start)).as_object();
        start = end + 1;
        const auto it = cut.find(str(line.at("key").at("ad_id")) + "|" + str(line.at("key").at("date")));
        if (it == cut.end()) continue;
        EXPECT_EQ(line.at("record"), whole.at(it->first)) << it->first;
        ++matched;
    }
    EXPECT_EQ(matched, cut.size());
}

// 2024-03-31 has 23 hours in Paris (clocks go forward at 02:00 local).
TEST(SimVariantsDst, ADayOfTwentyThreeHoursIsCutByItsOwnLength) {
    auto config = config_for(Scale::tiny);
    config.world.today = *parse_day("2024-03-31");
    config.variants.stats_window = StatsWindow::seconds;
    RunningSim running(config);
    Client c(running.port());
    const Day d = *parse_day("2024-03-31");
    const std::int64_t noon = static_cast<std::int64_t>(d) * 86400 + 10 * 3600;  // 12:00 +02:00
    const auto whole = ad_days(c, "50001");
    const auto cut = ad_days(c, "50001", "&start_date=" + std::to_string(noon));
    std::size_t compared = 0;
    for (const auto& [k, row] : cut) {
        if (str(row.at("date")) != "2024-03-31") continue;
        // 12 hours inside (to local midnight, 22:00 UTC) of a 23-hour day.
        EXPECT_EQ(row.at("impression").as_int64(), whole.at(k).at("impression").as_int64() * 12 / 23) << k;
        ++compared;
    }
    EXPECT_GT(compared, 0u);
}

TEST_F(SimVariants, NextStyles) {
    const std::string q = "/clients/50001/statistics?level=ad&aggregate=day&limit=2";
    const std::string base = "http://127.0.0.1:" + std::to_string(running.port()) + "/clients/50001/statistics?";
    auto next = [&] { return str(c.get(with_key(q)).json().at("range").at("next")); };
    EXPECT_EQ(next(), base + "level=ad&aggregate=day&key=" + test_key + "&page=2") << "reference, the default";
    set_variants(c, "next_style=full");
    EXPECT_EQ(next(), base + "level=ad&aggregate=day&limit=2&key=" + test_key + "&page=2");
    set_variants(c, "next_style=bare");
    EXPECT_EQ(next(), base + "key=" + std::string(test_key) + "&page=2");
}

TEST_F(SimVariants, CountersTellTheLimitOfEachRequest) {
    ASSERT_EQ(c.get(with_key("/_sim/counters/reset"), http::verb::post).status, 200u);
    for (const char* t : {"/campaigns?limit=300", "/campaigns", "/campaigns?limit=5", "/campaigns?limit=300&page=2"})
        ASSERT_EQ(c.get(with_key(t)).status, 200u);
    ASSERT_EQ(c.get(with_key("/clients/50001")).status, 200u);
    const auto limits = c.get(with_key("/_sim/counters")).json().at("limits").as_object();
    EXPECT_EQ(json::serialize(limits.at("/campaigns")), R"({"":1,"300":2,"5":1})");
    EXPECT_EQ(json::serialize(limits.at("/clients/{id}")), R"({"":1})");
    EXPECT_FALSE(limits.contains("/_sim/counters")) << "admin requests are not API requests";
}

TEST(SimVariantsCli, FlagsSetTheVariantsAndBadOnesExitTwo) {
    std::string line;
    pid_t pid = -1;
    ASSERT_EQ(spawn_sim({"--port", "0", "--key", test_key, "--inapplicable-listings", "404", "--campaign-ads",
                         "twitter-only", "--deny-prefix", "/accounts/1003", "--stats-keys", "no-date", "--stats-days",
                         "utc", "--stats-window", "seconds", "--next-style", "bare"},
                        &line, &pid),
              0);
    const auto pos = line.find("127.0.0.1:");
    ASSERT_NE(pos, std::string::npos) << line;
    Client c(static_cast<std::uint16_t>(std::stoi(line.substr(pos + 10))));
    EXPECT_EQ(c.get(with_key("/_sim/variants")).body,
              R"({"inapplicable_listings":"404","campaign_ads":"twitter-only","deny_prefix":"/accounts/1003",)"
              R"("stats_keys":"no-date","stats_days":"utc","stats_window":"seconds","next_style":"bare"})");
    EXPECT_EQ(c.get(with_key("/accounts/1003/audiences")).status, 403u);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);

    for (std::vector<std::string> bad :
         {std::vector<std::string>{"--stats-keys", "some"}, std::vector<std::string>{"--deny-prefix", "accounts"},
          std::vector<std::string>{"--next-style", "short"}}) {
        bad.insert(bad.begin(), {"--port", "0"});
        ASSERT_EQ(spawn_sim(bad, &line, &pid), 0);
        status = 0;
        waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << bad[2] << " " << bad[3];
        std::string name = bad[2].substr(2);
        for (auto& ch : name)
            if (ch == '-') ch = '_';
        EXPECT_NE(line.find(name), std::string::npos) << line;
    }
}

}  // namespace
}  // namespace marin::sim::test
