// Crawls every listing of the `small` agency with a plain HTTP client,
// following `next`, and checks that no page breaks the pagination rules and
// that every record carries the reference's fields with their JSON types.
#include <set>

#include "field_specs.hpp"
#include "sim_test_support.hpp"

namespace marin::sim::test {
namespace {

TEST(SimCrawl, SmallAgencyEveryListingPaginatesAndConforms) {
    RunningSim running(config_for(Scale::small, 11));
    Client client(running.port());
    FieldAudit audit;
    std::set<std::string> ids;
    auto unique = [&](const std::string& kind, const json::object& rec) {
        EXPECT_TRUE(ids.insert(kind + "/" + boost::json::serialize(rec.at("id"))).second)
            << kind << " id listed twice: " << rec.at("id");
    };
    std::size_t ads_from_campaigns = 0, ads_from_adsets = 0, stats_rows = 0;

    for (const auto& acc : read_listing(client, "/accounts?limit=3")) {
        audit.check("accounts", acc);
        const std::string a = "/accounts/" + str(acc.at("id"));
        for (const char* child : {"objects", "funding-instruments", "lead-forms", "audiences", "targeting-clusters"})
            for (const auto& rec : read_listing(client, a + "/" + child + "?limit=2")) audit.check(child, rec);
    }
    for (const auto& rec : read_listing(client, "/advertisers?limit=5")) audit.check("advertisers", rec);
    for (const auto& rec : read_listing(client, "/users?limit=7")) audit.check("users", rec);
    std::size_t all_campaigns = read_listing(client, "/campaigns?limit=300").size();
    std::size_t campaigns_by_plan = 0;
    for (const auto& mp : read_listing(client, "/clients?limit=9")) {
        audit.check("clients", mp);
        const std::string m = "/clients/" + str(mp.at("id"));
        for (const auto& rec : read_listing(client, m + "/users")) audit.check("users", rec);
        for (const auto& rec : read_listing(client, m + "/statistics?level=ad&aggregate=day&limit=300")) {
            audit.check("statistics", rec);
            ++stats_rows;
        }
        for (const auto& camp : read_listing(client, m + "/campaigns?limit=13")) {
            audit.check("campaigns", camp);
            unique("campaign", camp);
            ++campaigns_by_plan;
            const std::string c = m + "/campaigns/" + str(camp.at("id"));
            const auto sets = read_listing(client, c + "/adsets?limit=300");
            if (str(camp.at("src")) == "tw") {
                EXPECT_TRUE(sets.empty()) << "a Twitter campaign answered ad sets";
            }
            for (const auto& set : sets) {
                audit.check("adsets", set);
                unique("adset", set);
                for (const auto& ad : read_listing(client, c + "/adsets/" + str(set.at("id")) + "/ads?limit=40")) {
                    audit.check("ads", ad);
                    ++ads_from_adsets;
                }
            }
            for (const auto& ad : read_listing(client, c + "/ads?limit=40")) {
                audit.check("ads", ad);
                unique("ad", ad);
                ++ads_from_campaigns;
            }
        }
    }
    audit.check_coverage();
    EXPECT_EQ(all_campaigns, campaigns_by_plan);
    EXPECT_GT(ads_from_campaigns, 2000u);
    EXPECT_LT(ads_from_campaigns, 6000u);
    EXPECT_LE(ads_from_adsets, ads_from_campaigns);  // Twitter ads have no ad set
    EXPECT_GT(stats_rows, 1000u);
}

}  // namespace
}  // namespace marin::sim::test
