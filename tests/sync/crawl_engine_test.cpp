// CrawlEngine against a loopback server and a sink that records what it is
// told: which listings are completed (their absences become removals).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>
#include <map>
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
    asio::awaitable<void> write(TableId table, std::vector<marin::model::Row> rows, const ListingScope&) override {
        rows_written[table] += rows.size();
        co_return;
    }
    asio::awaitable<void> complete_listing(TableId table, const ListingScope&) override {
        completed.insert(table);
        co_return;
    }
    asio::awaitable<void> mark_gone(TableId, std::vector<std::string>) override { co_return; }
    asio::awaitable<void> checkpoint(const ListingScope&) override { co_return; }
    asio::awaitable<void> flush() override { co_return; }

    std::map<TableId, std::size_t> rows_written;
    std::set<TableId> completed;
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
    CrawlReport crawl(const TestServer& server) {
        ApiClient client(ioc.get_executor(), fast_settings(server.base_url()), tls, log.logger, nullptr);
        std::atomic<bool> stop{false};
        CrawlEngine engine(client, sink, CrawlSettings{}, log.logger, nullptr, stop);
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
