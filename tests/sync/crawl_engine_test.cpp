// CrawlEngine against a loopback server and a sink that records what it is
// told: which listings are completed (their absences become removals).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <mutex>
#include <set>
#include <string>

#include "marin/sync/crawl_engine.hpp"
#include "marin/sync/row_sink.hpp"
#include "test_server.hpp"
#include "test_support.hpp"

namespace asio = boost::asio;
using namespace marin::sync;
using namespace marin::sync::test;
using marin::model::TableId;

namespace {

class RecordingSink : public RowSink {
  public:
    asio::awaitable<void> write(TableId table, std::vector<marin::model::Row> rows,
                                const marin::model::ListingScope& scope) override {
        rows_written[table] += rows.size();
        for (const auto& r : rows) {
            written.push_back({table, scope.name, r.keeps_links});
            if (table == TableId::ad_stats_daily) stats_rows.push_back(r);
        }
        co_return;
    }
    asio::awaitable<void> complete_listing(TableId table, const marin::model::ListingScope& scope) override {
        completed.insert(table);
        completed_scopes.insert(scope.name);
        scope_filters[scope.name] = scope.parent_filter;
        co_return;
    }
    asio::awaitable<void> mark_gone(TableId table, std::vector<std::string> key) override {
        gone.emplace_back(table, key.empty() ? std::string() : key.front());
        co_return;
    }
    asio::awaitable<void> checkpoint(const marin::model::ListingScope&) override { co_return; }
    asio::awaitable<void> flush() override { co_return; }

    struct Written {
        TableId table;
        std::string scope;  // "" when the listing does not decide removals
        bool keeps_links;
    };
    std::map<TableId, std::size_t> rows_written;
    std::vector<Written> written;
    std::vector<marin::model::Row> stats_rows;
    std::set<TableId> completed;
    std::set<std::string> completed_scopes;
    std::map<std::string, std::vector<std::pair<std::string, std::optional<std::string>>>> scope_filters;
    std::vector<std::pair<TableId, std::string>> gone;
};

// A page of `ids` with the given total; `next` empty on the last page.
std::string page(const std::vector<std::string>& ids, int total, int page_no, int nb_pages, const std::string& next) {
    std::string data;
    for (const auto& id : ids)
        data += fmt::format("{}{{\"id\": \"{}\", \"name\": \"n{}\"}}", data.empty() ? "" : ",", id, id);
    return fmt::format(R"({{"data": [{}], "range": {{"total": {}, "nb_pages": {}, "page": {}, "next": {}}}}})", data,
                       total, nb_pages, page_no, next.empty() ? std::string("null") : "\"" + next + "\"");
}

// Page 2 of a root listing, as the API links it.
std::string next_url(const TestServer& server, const char* path) {
    return fmt::format("{}{}?limit=300&page=2&key={}", server.base_url(), path, test_key);
}

const char* const empty_listing = R"({"data": [], "range": {"total": 0, "nb_pages": 0, "page": 1, "next": null}})";

// A whole crawl against `server`, into a recording sink.
class CrawlEngineTest : public ::testing::Test {
  protected:
    CrawlReport crawl(const TestServer& server, CrawlSettings settings = {}, CrawlObserver* observer = nullptr) {
        ApiClient client(ioc.get_executor(), fast_settings(server.base_url()), tls, log.logger, nullptr);
        CrawlEngine engine(client, sink, settings, log.logger, observer);
        return run_sync(ioc, engine.run());
    }

    asio::io_context ioc;
    CapturedLog log;
    asio::ssl::context tls{asio::ssl::context::tls_client};  // plain HTTP here
    RecordingSink sink;
};

}  // namespace

TEST_F(CrawlEngineTest, ListingWhoseTotalFellIsReadAgainThenCompleted) {
    // /advertisers: the first read's total falls from 5 to 3 between its two
    // pages (records deleted behind the reader may have moved onto page 1,
    // unseen); the second read's holds at 3. /users: totals hold. Every
    // other root listing is empty.
    std::unique_ptr<TestServer> server;
    std::atomic<int> advertiser_pages{0};
    server = std::make_unique<TestServer>([&](const SeenRequest& r, std::size_t) {
        const bool second = r.target.find("page=2") != std::string::npos;
        if (r.target.starts_with("/advertisers")) {
            const bool first_read = advertiser_pages++ < 2;
            return Reply{200, second ? page({"a3", "a4"}, 3, 2, 2, "")
                                     : page({"a1", "a2"}, first_read ? 5 : 3, 1, 2, next_url(*server, "/advertisers"))};
        }
        if (r.target.starts_with("/users"))
            return Reply{200, second ? page({"u3", "u4"}, 4, 2, 2, "")
                                     : page({"u1", "u2"}, 4, 1, 2, next_url(*server, "/users"))};
        return Reply{200, empty_listing};
    });
    const auto report = crawl(*server);

    EXPECT_TRUE(report.complete()) << log.text();
    EXPECT_EQ(report.listings_reread, 1u);
    EXPECT_EQ(advertiser_pages.load(), 4) << "read twice, each to its end";
    // Both reads' rows go to the writer under the listing's scope, so that
    // only rows neither read showed are marked removed.
    EXPECT_EQ(sink.rows_written[TableId::advertisers], 8u);
    EXPECT_EQ(sink.rows_written[TableId::users], 4u) << "a listing whose total holds is read once";
    EXPECT_TRUE(sink.completed.contains(TableId::advertisers));
    EXPECT_TRUE(sink.completed.contains(TableId::users));
    EXPECT_NE(log.text().find("listing advertisers shrank while it was read (total 5 then 3)"), std::string::npos)
        << log.text();
    EXPECT_EQ(log.text().find("shrank again"), std::string::npos) << log.text();
}

TEST_F(CrawlEngineTest, ListingThatShrinksOnBothReadsIsCompletedAfterTheSecond) {
    // Totals that never hold still (an API whose totals are approximate):
    // two reads, then the listing is completed, so that removals still happen.
    std::unique_ptr<TestServer> server;
    std::atomic<int> advertiser_pages{0};
    server = std::make_unique<TestServer>([&](const SeenRequest& r, std::size_t) {
        const bool second = r.target.find("page=2") != std::string::npos;
        if (r.target.starts_with("/advertisers")) {
            ++advertiser_pages;
            return Reply{200, second ? page({"a3"}, 3, 2, 2, "")
                                     : page({"a1", "a2"}, 5, 1, 2, next_url(*server, "/advertisers"))};
        }
        return Reply{200, empty_listing};
    });
    const auto report = crawl(*server);

    EXPECT_TRUE(report.complete()) << log.text();
    EXPECT_EQ(report.listings_reread, 1u);
    EXPECT_EQ(advertiser_pages.load(), 4) << "two reads, no more";
    EXPECT_EQ(sink.rows_written[TableId::advertisers], 6u);
    EXPECT_TRUE(sink.completed.contains(TableId::advertisers));
    EXPECT_NE(log.text().find("listing advertisers shrank again while it was read again (total 5 then 3): only "
                              "rows neither read showed are marked removed"),
              std::string::npos)
        << log.text();
}

namespace {

// The request's path, without its query.
std::string path_of(const SeenRequest& r) { return r.target.substr(0, r.target.find('?')); }

// One page holding these records (JSON objects as text).
std::string records_page(const std::vector<std::string>& records) {
    std::string data;
    for (const auto& rec : records) data += (data.empty() ? "" : ",") + rec;
    return fmt::format(R"({{"data": [{}], "range": {{"total": {}, "nb_pages": 1, "page": 1, "next": null}}}})", data,
                       records.size());
}

const char* const not_found_body = R"([{"message": "Not found"}])";

// A small agency: one account, one media plan 50001 with campaigns 7
// (Facebook, ad set 71 holding ad 701; the campaign's ads listing also holds
// ad 702, whose ad set no listing shows) and 8 (Twitter, ad 801, no ad sets).
// `override` answers first when it returns a reply.
TestServer::Handler agency(std::function<std::optional<Reply>(const std::string& path, const SeenRequest&)> override) {
    return [override](const SeenRequest& r, std::size_t) {
        const auto path = path_of(r);
        if (override)
            if (auto reply = override(path, r)) return *reply;
        if (path == "/accounts") return Reply{200, records_page({R"({"id": "1001", "timezone": "Europe/Paris"})"})};
        if (path == "/accounts/1001") return Reply{200, R"({"data": {"id": "1001"}})"};
        if (path == "/clients") return Reply{200, records_page({R"({"id": "50001", "account_id": "1001"})"})};
        if (path == "/clients/50001") return Reply{200, R"({"data": {"id": "50001"}})"};
        if (path == "/campaigns")
            return Reply{200, records_page({R"({"id": "7", "client_id": "50001", "src": "fb"})",
                                            R"({"id": "8", "client_id": "50001", "src": "tw"})"})};
        if (path == "/clients/50001/campaigns/7" || path == "/clients/50001/campaigns/8")
            return Reply{200, R"({"data": {"id": "x"}})"};
        if (path == "/clients/50001/campaigns/7/ads")
            return Reply{200, records_page({R"({"id": "701"})", R"({"id": "702"})"})};
        if (path == "/clients/50001/campaigns/7/adsets") return Reply{200, records_page({R"({"id": "71"})"})};
        if (path == "/clients/50001/campaigns/7/adsets/71/ads") return Reply{200, records_page({R"({"id": "701"})"})};
        if (path == "/clients/50001/campaigns/8/ads") return Reply{200, records_page({R"({"id": "801"})"})};
        if (path == "/clients/50001/campaigns/8/adsets") return Reply{200, empty_listing};
        return Reply{200, empty_listing};
    };
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

}  // namespace

TEST_F(CrawlEngineTest, EveryCampaignsAdsListingDecidesRemovalsAndAdSetListingsOnlyAddTheLink) {
    TestServer server(agency({}));
    const auto report = crawl(server);
    ASSERT_TRUE(report.complete()) << log.text();

    // Ad 702 is in no ad-set listing: the campaign's listing still mirrors it.
    std::multiset<std::pair<std::string, bool>> ads;  // (scope, keeps_links)
    for (const auto& w : sink.written)
        if (w.table == TableId::ads) ads.insert({w.scope, w.keeps_links});
    EXPECT_EQ(ads.count({"ads@campaign:7", true}), 2u) << "701 and 702, leaving their ad-set link as stored";
    EXPECT_EQ(ads.count({"ads@campaign:8", true}), 1u);
    EXPECT_EQ(ads.count({"ads@campaign:7", false}), 1u)
        << "701 from its ad set's listing: with the link, seen for the campaign's removals";
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:7"));
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:8"));
    EXPECT_FALSE(sink.completed_scopes.contains("ads@ad_set:71")) << "an ad set's listing removes no ad";
    // The campaign's listing covers all its ads, with or without an ad set.
    const auto filter = sink.scope_filters["ads@campaign:7"];
    ASSERT_EQ(filter.size(), 1u);
    EXPECT_EQ(filter[0].first, "campaign_id");
    EXPECT_EQ(report.listings_not_applicable, 0u);
    // The campaign's ads are read after its ad sets' ads: on a first load an
    // ad is then written once, with its link.
    std::size_t ad_set_ads_at = 0, campaign_ads_at = 0;
    const auto seen = server.seen();
    for (std::size_t i = 0; i < seen.size(); ++i) {
        if (path_of(seen[i]) == "/clients/50001/campaigns/7/adsets/71/ads") ad_set_ads_at = i;
        if (path_of(seen[i]) == "/clients/50001/campaigns/7/ads") campaign_ads_at = i;
    }
    EXPECT_LT(ad_set_ads_at, campaign_ads_at);
}

TEST_F(CrawlEngineTest, NotFoundUnderAParentThatIsStillServedDoesNotApplyAndRemovesNothing) {
    // A third campaign, so that two Twitter campaigns answer 404 for ad sets:
    // one info line for the kind, not one per campaign.
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path == "/campaigns")
            return Reply{200,
                         records_page({R"({"id": "7", "client_id": "50001"})", R"({"id": "8", "client_id": "50001"})",
                                       R"({"id": "9", "client_id": "50001"})"})};
        if (path == "/clients/50001/campaigns/9") return Reply{200, R"({"data": {"id": "9"}})"};
        if (path == "/clients/50001/campaigns/8/adsets" || path == "/clients/50001/campaigns/9/adsets")
            return Reply{404, not_found_body};
        if (path == "/accounts/1001/funding-instruments")
            return Reply{400, R"([{"message": "Not a Twitter account"}])"};
        return std::nullopt;
    }));
    const auto report = crawl(server);

    EXPECT_TRUE(report.complete()) << log.text();
    EXPECT_EQ(report.listings_not_applicable, 3u);
    EXPECT_EQ(report.not_applicable_by_listing.at("/clients/{id}/campaigns/{id}/adsets"), 2u);
    EXPECT_EQ(report.not_applicable_by_listing.at("/accounts/{id}/funding-instruments"), 1u);
    EXPECT_TRUE(sink.gone.empty()) << "no parent is marked removed";
    EXPECT_EQ(report.parents_gone, 0u);
    EXPECT_EQ(count_of(log.text(), "/clients/{id}/campaigns/{id}/adsets does not apply"), 1u) << log.text();
    EXPECT_EQ(count_of(log.text(), "/accounts/{id}/funding-instruments does not apply"), 1u) << log.text();
}

TEST_F(CrawlEngineTest, NotFoundUnderAParentWhoseOwnGetIsNotFoundMarksItGone) {
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path.starts_with("/clients/50001/campaigns/8")) return Reply{404, not_found_body};
        return std::nullopt;
    }));
    const auto report = crawl(server);

    EXPECT_TRUE(report.complete()) << log.text();
    ASSERT_EQ(sink.gone.size(), 1u);
    EXPECT_EQ(sink.gone[0], std::make_pair(TableId::campaigns, std::string("8")));
    EXPECT_EQ(report.parents_gone, 1u);
    EXPECT_EQ(report.listings_not_applicable, 0u);
}

TEST_F(CrawlEngineTest, BadRequestOnAListingForEveryNetworkIsAFailureNotAnAbsence) {
    // Publisher objects are not network-specific: a 400 there is an error.
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path == "/accounts/1001/objects") return Reply{400, R"([{"message": "bad"}])"};
        return std::nullopt;
    }));
    const auto report = crawl(server);
    EXPECT_FALSE(report.complete());
    EXPECT_EQ(report.listings_failed, 1u);
    EXPECT_EQ(report.listings_not_applicable, 0u);
    EXPECT_TRUE(sink.gone.empty());
}

TEST_F(CrawlEngineTest, AccessDeniedUnderAParentFailsThatListingOnlyAndTheRestIsRead) {
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path.starts_with("/accounts/1001/")) return Reply{403, R"([{"message": "Access denied"}])"};
        return std::nullopt;
    }));
    const auto report = crawl(server);

    EXPECT_FALSE(report.auth_refused) << "the key itself was accepted";
    EXPECT_TRUE(report.fatal_error.empty()) << report.fatal_error;
    EXPECT_EQ(report.listings_failed, 5u) << "the account's five listings";
    ASSERT_FALSE(report.failures.empty());
    EXPECT_NE(report.failures.front().find("access denied to account 1001"), std::string::npos)
        << report.failures.front();
    EXPECT_FALSE(sink.completed_scopes.contains("publisher_objects@account:1001"));
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:7")) << "the rest of the graph is read";
    EXPECT_TRUE(sink.gone.empty());
}

// What the progress board is told, in order.
struct RecordingObserver final : CrawlObserver {
    struct Event {
        char what;  // 'q' queued, 'p' page, 'd' done
        marin::model::ListingKind kind;
        ListingEnd end = ListingEnd::read;
    };
    std::vector<Event> events;
    void on_listing_queued(marin::model::ListingKind kind) override { events.push_back({'q', kind}); }
    void on_page(marin::model::ListingKind kind, std::uint64_t, bool, std::optional<std::int64_t>) override {
        events.push_back({'p', kind});
    }
    void on_listing_done(marin::model::ListingKind kind, ListingEnd end, bool) override {
        events.push_back({'d', kind, end});
    }
    std::size_t count(char what, marin::model::ListingKind kind, std::optional<ListingEnd> end = std::nullopt) const {
        return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const Event& e) {
            return e.what == what && e.kind == kind && (!end || (what == 'd' && e.end == *end));
        }));
    }
};

TEST_F(CrawlEngineTest, ObserverHearsOfAListingsEndAfterTheListingsItStarts) {
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path.starts_with("/accounts/1001/")) return Reply{403, R"([{"message": "Access denied"}])"};
        return std::nullopt;
    }));
    RecordingObserver observer;
    const auto report = crawl(server, {}, &observer);
    ASSERT_EQ(report.listings_failed, 5u) << log.text();
    using K = marin::model::ListingKind;
    // Every listing queued ends once; the account's five as failed.
    for (const auto& l : marin::model::all_listings())
        EXPECT_EQ(observer.count('q', l.kind), observer.count('d', l.kind)) << l.stream;
    EXPECT_EQ(observer.count('d', K::account_lead_forms, ListingEnd::failed), 1u);
    EXPECT_EQ(observer.count('d', K::campaigns, ListingEnd::read), 1u);
    // A campaign's ads listing follows its ad sets and their ads: it is
    // queued before the last of those reports its end (else the ads stream
    // would look closed in between). And a campaign's ad sets are queued
    // before the campaigns listing ends.
    std::size_t last_subtree_end = 0, campaign_ads_queued_at_it = 0, campaign_ads_queued = 0;
    std::size_t ad_sets_queued = 0;
    for (std::size_t i = 0; i < observer.events.size(); ++i) {
        const auto& e = observer.events[i];
        if (e.what == 'q' && e.kind == K::campaign_ads) ++campaign_ads_queued;
        if (e.what == 'q' && e.kind == K::campaign_ad_sets) ++ad_sets_queued;
        if (e.what == 'd' && (e.kind == K::campaign_ad_sets || e.kind == K::ad_set_ads)) {
            last_subtree_end = i;
            campaign_ads_queued_at_it = campaign_ads_queued;
        }
        if (e.what == 'd' && e.kind == K::campaigns) {
            EXPECT_EQ(ad_sets_queued, observer.count('q', K::campaign_ad_sets));
        }
    }
    EXPECT_GT(last_subtree_end, 0u);
    EXPECT_EQ(campaign_ads_queued_at_it, observer.count('q', K::campaign_ads))
        << "the last ad-set listing's end is reported after its campaign's ads listing is queued";
    EXPECT_EQ(observer.count('q', K::campaign_ads), 2u);
}

TEST_F(CrawlEngineTest, AccessDeniedOnATopLevelListingIsTheKeyRefused) {
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path == "/users") return Reply{403, R"([{"message": "Invalid key"}])"};
        return std::nullopt;
    }));
    const auto report = crawl(server);
    EXPECT_TRUE(report.auth_refused);
}

TEST_F(CrawlEngineTest, CampaignAdsListingThatDoesNotApplyIsCompletedFromItsAdSetsListings) {
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path == "/clients/50001/campaigns/7/ads") return Reply{404, not_found_body};
        return std::nullopt;
    }));
    const auto report = crawl(server);

    EXPECT_TRUE(report.complete()) << log.text();
    EXPECT_EQ(report.listings_not_applicable, 1u);
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:7"))
        << "every ad-set listing of the campaign was read to its end: the ads they showed are its ads";
    EXPECT_FALSE(sink.completed_scopes.contains("ads@ad_set:71"));
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:8"));
    EXPECT_TRUE(sink.gone.empty());
}

TEST_F(CrawlEngineTest, CampaignAdsListingThatDoesNotApplyRemovesNothingWhenItsAdSetsWereNotAllRead) {
    // Neither the campaign's ads nor its ad sets apply: nothing proves any
    // of its ads gone.
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path == "/clients/50001/campaigns/7/ads" || path == "/clients/50001/campaigns/7/adsets")
            return Reply{404, not_found_body};
        return std::nullopt;
    }));
    const auto report = crawl(server);

    EXPECT_TRUE(report.complete()) << log.text();
    EXPECT_EQ(report.listings_not_applicable, 2u);
    EXPECT_FALSE(sink.completed_scopes.contains("ads@campaign:7"));
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:8"));
}

TEST_F(CrawlEngineTest, StatisticsRowsWithoutTheirKeyFailTheStreamAndAreNeverWritten) {
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path == "/clients/50001/statistics")
            return Reply{200, records_page({R"({"impression": 10, "click": 1, "spent": "1.5"})",
                                            R"({"impression": 20, "click": 2, "spent": "2.5"})"})};
        return std::nullopt;
    }));
    const auto report = crawl(server);

    EXPECT_FALSE(report.complete());
    EXPECT_EQ(report.listings_failed, 1u);
    EXPECT_TRUE(sink.stats_rows.empty()) << "no row under a made-up key";
    ASSERT_EQ(report.failures.size(), 1u);
    const auto& why = report.failures.front();
    EXPECT_NE(why.find("statistics@media_plan:50001"), std::string::npos) << why;
    EXPECT_NE(why.find("/clients/{id}/statistics"), std::string::npos) << why;
    EXPECT_NE(why.find("'ad_id'"), std::string::npos) << why;
    EXPECT_NE(why.find("'date'"), std::string::npos) << why;
    EXPECT_NE(why.find(R"("impression":10)"), std::string::npos) << "quotes one offending row: " << why;
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:7")) << "the objects are still mirrored";
}

TEST_F(CrawlEngineTest, StatisticsWindowStartsADayEarlyAndDropsTheDaysItMayCut) {
    CrawlSettings settings;
    settings.now = std::chrono::sys_days{std::chrono::year{2026} / 3 / 10} + std::chrono::hours{15};
    settings.stats_window = marin::model::stats_window(settings.now, 3);
    std::string stats_query;
    TestServer server(agency([&](const std::string& path, const SeenRequest& r) -> std::optional<Reply> {
        if (path == "/clients/50001/statistics") {
            stats_query = r.target;
            return Reply{200, records_page({R"({"ad_id": "701", "date": "2026-03-06", "impression": 1})",
                                            R"({"ad_id": "701", "date": "2026-03-07", "impression": 5})",
                                            R"({"ad_id": "701", "date": "2026-03-10", "impression": 7})"})};
        }
        return std::nullopt;
    }));
    const auto report = crawl(server, settings);

    ASSERT_TRUE(report.complete()) << log.text();
    EXPECT_EQ(settings.stats_window.from, "2026-03-07");
    // 2026-03-06T00:00:00Z: a day before the first day kept.
    EXPECT_NE(stats_query.find("start_date=1772755200"), std::string::npos) << stats_query;
    EXPECT_NE(stats_query.find("level=ad"), std::string::npos) << stats_query;
    ASSERT_EQ(sink.stats_rows.size(), 2u) << "the 6th may be cut by the window: dropped";
    EXPECT_EQ(report.stats_rows_before_window, 1u);
    for (const auto& row : sink.stats_rows) EXPECT_GE(*row.values[1], "2026-03-07");
}

TEST_F(CrawlEngineTest, ACampaignWhoseAdSetsListingIsEmptyAndWhoseAdsListingDoesNotApplyHoldsNoAd) {
    // Campaign 8's ad-set listing is complete and empty: no ad is in any of
    // its ad sets, which is all that can be known of its ads here.
    TestServer server(agency([](const std::string& path, const SeenRequest&) -> std::optional<Reply> {
        if (path == "/clients/50001/campaigns/8/ads") return Reply{404, not_found_body};
        return std::nullopt;
    }));
    const auto report = crawl(server);
    EXPECT_TRUE(report.complete()) << log.text();
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:8"));
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:7"));
}

TEST_F(CrawlEngineTest, AnObjectWithoutItsIdFailsItsListingButTheOthersAreReadOn) {
    // /campaigns: page 1 holds a campaign without id; page 2 campaign 7.
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>(agency([&](const std::string& path,
                                                     const SeenRequest& r) -> std::optional<Reply> {
        if (path != "/campaigns") return std::nullopt;
        if (r.target.find("page=2") != std::string::npos)
            return Reply{
                200,
                R"({"data": [{"id": "7", "client_id": "50001"}], "range": {"total": 2, "nb_pages": 2, "page": 2, "next": null}})"};
        return Reply{
            200,
            fmt::format(
                R"({{"data": [{{"name": "no id", "client_id": "50001"}}], "range": {{"total": 2, "nb_pages": 2, "page": 1, "next": "{}"}}}})",
                next_url(*server, "/campaigns"))};
    }));
    const auto report = crawl(*server);
    EXPECT_EQ(report.listings_failed, 1u);
    ASSERT_FALSE(report.failures.empty());
    EXPECT_NE(report.failures.front().find("'id'"), std::string::npos) << report.failures.front();
    EXPECT_FALSE(sink.completed.contains(TableId::campaigns))
        << "nothing removed from a listing read as other than it is";
    EXPECT_TRUE(sink.completed_scopes.contains("ads@campaign:7")) << "the campaign on page 2 is read, and its ads";
}

TEST_F(CrawlEngineTest, AResumedRunReadsAgainTheAdSetListingsItsCampaignsRemovalsCountOn) {
    TestServer server(agency({}));
    CrawlSettings settings;
    settings.resume_completed = {"ads@ad_set:71", "ads@campaign:7"};
    const auto report = crawl(server, settings);
    ASSERT_TRUE(report.complete()) << log.text();
    EXPECT_EQ(report.listings_resumed, 1u) << "the campaign's ads listing: its rows are all its own";
    bool ad_set_ads_read = false;
    for (const auto& r : server.seen()) ad_set_ads_read |= path_of(r) == "/clients/50001/campaigns/7/adsets/71/ads";
    EXPECT_TRUE(ad_set_ads_read) << "its rows count for the campaign's removals";
}
