// PageReader against a loopback server: where a listing ends, and where it
// must not be taken as ended.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "marin/sync/page_reader.hpp"
#include "marin/sync/tls_context.hpp"
#include "test_server.hpp"
#include "test_support.hpp"

namespace asio = boost::asio;
using namespace marin::sync;
using namespace marin::sync::test;

namespace {

class PageReaderTest : public ::testing::Test {
  protected:
    asio::io_context ioc;
    CapturedLog log;
    asio::ssl::context tls{asio::ssl::context::tls_client};  // plain HTTP here

    struct Result {
        std::vector<std::string> ids;
        std::size_t pages = 0;
        bool shrank = false;
        std::pair<std::int64_t, std::int64_t> shrink{0, 0};
        std::optional<ApiError> error;
    };

    Result read_all(const std::string& base_url, QueryParams extra = {}) {
        ApiClient client(ioc.get_executor(), fast_settings(base_url), tls, log.logger, nullptr);
        Result result;
        try {
            result = run_sync(ioc, [&]() -> asio::awaitable<Result> {
                PageReader reader(client, "/clients/5/campaigns", extra, "campaigns");
                Result r;
                while (auto page = co_await reader.next()) {
                    for (const auto& row : page->data) {
                        const auto& id = row.as_object().at("id");
                        r.ids.emplace_back(id.is_string() ? std::string(id.as_string()) : boost::json::serialize(id));
                    }
                }
                r.pages = reader.pages_read();
                r.shrank = reader.shrank_while_read();
                r.shrink = reader.shrink();
                co_return r;
            }());
        } catch (const ApiError& e) {
            result.error = e;
        }
        return result;
    }

    void TearDown() override { EXPECT_EQ(log.text().find(test_key), std::string::npos) << log.text(); }
};

// next URLs as the API writes them: absolute, with a key in them.
std::string next_url(const TestServer& s, int page) {
    return fmt::format("{}/clients/5/campaigns?limit=300&page={}&key={}", s.base_url(), page, test_key);
}

}  // namespace

TEST_F(PageReaderTest, FollowsNextToTheLastPage) {
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t i) {
        const int page = static_cast<int>(i) + 1;
        return Reply{200, page_body(page * 10, 2, page, 3, page < 3 ? next_url(*server, page + 1) : "")};
    });
    const auto r = read_all(server->base_url(), {{"status", "active"}});
    ASSERT_FALSE(r.error) << r.error->what();
    EXPECT_EQ(r.ids, (std::vector<std::string>{"10", "11", "20", "21", "30", "31"}));
    EXPECT_EQ(r.pages, 3u);
    const auto seen = server->seen();
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].target, fmt::format("/clients/5/campaigns?status=active&limit=300&page=1&key={}", test_key));
    // next gives the page; the request's own parameters stay.
    EXPECT_EQ(seen[2].target, fmt::format("/clients/5/campaigns?limit=300&page=3&status=active&key={}", test_key));
}

TEST_F(PageReaderTest, NextWithoutLimitOrParametersStillReads300PerPageOfTheSameQuery) {
    // As the reference writes them: next drops limit (the server would then
    // answer 100 per page) and, on some endpoints, the other parameters.
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t i) {
        const int page = static_cast<int>(i) + 1;
        const auto next = fmt::format("{}/clients/5/campaigns?page={}&key={}", server->base_url(), page + 1, test_key);
        return Reply{200, page_body(page * 10, 2, page, 3, page < 3 ? next : "")};
    });
    const auto r = read_all(server->base_url(), {{"level", "ad"}, {"aggregate", "day"}});
    ASSERT_FALSE(r.error) << r.error->what();
    EXPECT_EQ(r.pages, 3u);
    for (const auto& seen : server->seen()) {
        EXPECT_NE(seen.target.find("limit=300"), std::string::npos) << seen.target;
        EXPECT_NE(seen.target.find("level=ad"), std::string::npos) << seen.target;
        EXPECT_NE(seen.target.find("aggregate=day"), std::string::npos) << seen.target;
    }
    EXPECT_EQ(server->seen().back().target,
              fmt::format("/clients/5/campaigns?page=3&limit=300&level=ad&aggregate=day&key={}", test_key));
}

TEST_F(PageReaderTest, StopsAtNbPagesEvenWithANext) {
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t i) {
        const int page = static_cast<int>(i) + 1;
        return Reply{200, page_body(page * 10, 1, page, 2, next_url(*server, page + 1))};
    });
    const auto r = read_all(server->base_url());
    ASSERT_FALSE(r.error) << r.error->what();
    EXPECT_EQ(r.ids.size(), 2u);
    EXPECT_EQ(server->requests(), 2u);
}

TEST_F(PageReaderTest, StopsAtAnEmptyPage) {
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t i) {
        const int page = static_cast<int>(i) + 1;
        // nb_pages says 5, but page 3 is empty (rows vanished while we read).
        return Reply{200, page_body(page * 10, page < 3 ? 2 : 0, page, 5, next_url(*server, page + 1))};
    });
    const auto r = read_all(server->base_url());
    ASSERT_FALSE(r.error) << r.error->what();
    EXPECT_EQ(r.ids.size(), 4u);
    EXPECT_EQ(r.pages, 3u);
    EXPECT_EQ(server->requests(), 3u);
}

TEST_F(PageReaderTest, DetectsANextThatLoopsBack) {
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t i) {
        const int page = static_cast<int>(i) + 1;
        // page 2 points back to page 1
        return Reply{200, page_body(page * 10, 1, page, 9, next_url(*server, page == 2 ? 1 : page + 1))};
    });
    const auto r = read_all(server->base_url());
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->kind(), ApiError::Kind::protocol);
    EXPECT_NE(std::string(r.error->what()).find("pagination loop"), std::string::npos) << r.error->what();
    EXPECT_EQ(server->requests(), 2u);
}

TEST_F(PageReaderTest, DetectsAServerIgnoringThePage) {
    std::unique_ptr<TestServer> server;
    int next_page = 2;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t) {
        // Always answers page 1, with an ever-new next URL.
        return Reply{200, page_body(10, 1, 1, 9, next_url(*server, next_page++))};
    });
    const auto r = read_all(server->base_url());
    ASSERT_TRUE(r.error);
    EXPECT_NE(std::string(r.error->what()).find("pagination loop"), std::string::npos) << r.error->what();
}

TEST_F(PageReaderTest, ForeignNextIsRefusedAndTheForeignServerSeesNothing) {
    TestServer foreign(scripted({{200, page_body(99, 1, 2, 2, "")}}));
    const auto foreign_next = fmt::format("{}/clients/5/campaigns?page=2&key={}", foreign.base_url(), test_key);
    TestServer server(scripted({{200, page_body(10, 1, 1, 2, foreign_next)}}));
    const auto r = read_all(server.base_url());
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->kind(), ApiError::Kind::protocol);
    EXPECT_NE(std::string(r.error->what()).find("refusing"), std::string::npos) << r.error->what();
    EXPECT_EQ(std::string(r.error->what()).find(test_key), std::string::npos) << r.error->what();
    EXPECT_EQ(foreign.requests(), 0u);
    EXPECT_EQ(foreign.connections(), 0u);
}

TEST_F(PageReaderTest, MissingRangeIsASinglePage) {
    TestServer server(scripted({{200, R"({"data": [{"id": "1"}, {"id": "2"}]})"}}));
    const auto r = read_all(server.base_url());
    ASSERT_FALSE(r.error) << r.error->what();
    EXPECT_EQ(r.ids.size(), 2u);
    EXPECT_EQ(server.requests(), 1u);
}

TEST_F(PageReaderTest, BareArrayIsASinglePage) {
    TestServer server(scripted({{200, R"([{"id": 7}, {"id": 8}, {"id": 9}])"}}));
    const auto r = read_all(server.base_url());
    ASSERT_FALSE(r.error) << r.error->what();
    EXPECT_EQ(r.ids.size(), 3u);
    EXPECT_EQ(server.requests(), 1u);
}

TEST_F(PageReaderTest, NumbersAsStringsAndChangingTotal) {
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t i) {
        const int page = static_cast<int>(i) + 1;
        const auto next = page < 2 ? "\"" + next_url(*server, page + 1) + "\"" : std::string("null");
        return Reply{
            200,
            fmt::format(
                R"({{"data": [{{"id": "{}"}}], "range": {{"total": "{}", "nb_pages": "2", "page": "{}", "next": {}}}}})",
                page, 10 + page, page, next)};
    });
    const auto r = read_all(server->base_url());
    ASSERT_FALSE(r.error) << r.error->what();
    EXPECT_EQ(r.ids, (std::vector<std::string>{"1", "2"}));
    EXPECT_FALSE(r.shrank) << "a total that grew shifts records forward: repeats, never gaps";
}

TEST_F(PageReaderTest, TotalFallingBetweenPagesIsReported) {
    // Totals 700, 701, 650: records were deleted while the listing was read,
    // so later records may have moved back onto pages already read. The
    // listing still ends normally; the reader says its absences prove nothing.
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t i) {
        const int page = static_cast<int>(i) + 1;
        const int totals[] = {700, 701, 650};
        const auto next = page < 3 ? "\"" + next_url(*server, page + 1) + "\"" : std::string("null");
        return Reply{200, fmt::format(R"({{"data": [{{"id": "{}0"}}, {{"id": "{}1"}}], "range": {{"total": {}, )"
                                      R"("nb_pages": 3, "page": {}, "next": {}}}}})",
                                      page, page, totals[page - 1], page, next)};
    });
    const auto r = read_all(server->base_url());
    ASSERT_FALSE(r.error) << r.error->what();
    EXPECT_EQ(r.pages, 3u);
    EXPECT_EQ(r.ids.size(), 6u);
    EXPECT_TRUE(r.shrank);
    EXPECT_EQ(r.shrink, (std::pair<std::int64_t, std::int64_t>{701, 650}));
}

TEST_F(PageReaderTest, BadPageInTheMiddleIsAnErrorNotAnEnd) {
    std::unique_ptr<TestServer> server;
    server = std::make_unique<TestServer>([&](const SeenRequest&, std::size_t i) {
        if (i >= 1) return Reply{200, "<html>oops</html>"};
        return Reply{200, page_body(10, 1, 1, 3, next_url(*server, 2))};
    });
    const auto r = read_all(server->base_url());
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->kind(), ApiError::Kind::protocol);
    EXPECT_NE(std::string(r.error->what()).find("HTML"), std::string::npos) << r.error->what();
    EXPECT_NE(std::string(r.error->what()).find("page 2"), std::string::npos) << r.error->what();
    // Asked again like a 503, within the attempts (fast_settings: 4), no more.
    EXPECT_EQ(server->requests(), 1u + 4u);
}

// A 200 whose body is not a page is usually a passing fault (a proxy's error
// page, a cut body): each kind is asked again and the listing reads on.
TEST_F(PageReaderTest, BrokenBodiesAreAskedAgainWithinTheAttempts) {
    const std::vector<std::string> broken = {
        R"({"data": [{"id": "1", "name": "broken",]], "range": )",  // malformed
        R"({"data": [{"id": "20"}, {"id": "2)",                     // truncated
        "<!DOCTYPE html><html><body><h1>Bad Gateway</h1></body></html>",
        "",  // empty
        R"({"message": "An internal error occurred, please retry later"})",
    };
    for (const auto& bad : broken) {
        std::unique_ptr<TestServer> server;
        server = std::make_unique<TestServer>([&](const SeenRequest& req, std::size_t i) {
            const bool second = req.target.find("page=2") != std::string::npos;
            if (second && i == 1) return Reply{200, bad};
            if (second) return Reply{200, page_body(20, 2, 2, 2, "")};
            return Reply{200, page_body(10, 2, 1, 2, next_url(*server, 2))};
        });
        const auto r = read_all(server->base_url());
        ASSERT_FALSE(r.error) << bad << ": " << r.error->what();
        EXPECT_EQ(r.ids, (std::vector<std::string>{"10", "11", "20", "21"})) << bad;
        EXPECT_EQ(server->requests(), 3u) << bad;
    }
    EXPECT_NE(log.text().find("unusable body"), std::string::npos) << log.text();
}

TEST_F(PageReaderTest, NotFoundPropagates) {
    TestServer server(scripted({{404, R"({"message": "client not found"})"}}));
    const auto r = read_all(server.base_url());
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->kind(), ApiError::Kind::not_found);
}
