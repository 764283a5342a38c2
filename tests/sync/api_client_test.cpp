// The client against a real loopback HTTP server: retries, limits, errors.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include "marin/sync/api_client.hpp"
#include "marin/sync/tls_context.hpp"
#include "test_server.hpp"
#include "test_support.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace marin::sync;
using namespace marin::sync::test;
using namespace std::chrono_literals;

namespace {

struct CountingObserver : RequestObserver {
    int responses = 0, retries = 0, transport_errors = 0;
    void on_response(std::string_view, unsigned status, std::chrono::steady_clock::duration, std::size_t) override {
        ++responses;
        if (status == 0) ++transport_errors;
    }
    void on_retry(std::string_view, std::string_view, std::chrono::milliseconds) override { ++retries; }
};

class ApiClientTest : public ::testing::Test {
  protected:
    asio::io_context ioc;
    CapturedLog log;
    CountingObserver observer;
    asio::ssl::context tls{asio::ssl::context::tls_client};  // plain HTTP here

    std::unique_ptr<ApiClient> client(const ApiSettings& s) {
        return std::make_unique<ApiClient>(ioc.get_executor(), s, tls, log.logger, &observer);
    }

    ApiResponse get(ApiClient& c, std::string path = "/clients", QueryParams q = {}) {
        return run_sync(ioc, c.get(path, std::move(q), "clients"));
    }

    // Runs get() expecting an ApiError; returns it.
    ApiError get_error(ApiClient& c, std::string path = "/clients") {
        try {
            (void)get(c, std::move(path));
        } catch (const ApiError& e) {
            return e;
        }
        ADD_FAILURE() << "no ApiError";
        return ApiError(ApiError::Kind::protocol, 0, "", "none");
    }

    void TearDown() override {
        EXPECT_EQ(log.text().find(test_key), std::string::npos) << "the key reached the log:\n" << log.text();
    }
};

}  // namespace

TEST_F(ApiClientTest, GetsWithKeyAndQuery) {
    TestServer server(scripted({{200, R"({"data": []})"}}));
    auto c = client(fast_settings(server.base_url()));
    const auto r = get(*c, "/clients/5/campaigns", {{"limit", "300"}, {"name", "a b&c"}});
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"({"data": []})");
    EXPECT_EQ(r.attempts, 1u);
    const auto seen = server.seen();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].target, fmt::format("/clients/5/campaigns?limit=300&name=a%20b%26c&key={}", test_key));
    EXPECT_EQ(seen[0].host, fmt::format("127.0.0.1:{}", server.port()));
    EXPECT_EQ(observer.responses, 1);
}

TEST_F(ApiClientTest, BasePathPrefixAndAcceptedIsSuccess) {
    TestServer server(scripted({{202, "{}"}}));
    auto c = client(fast_settings(server.base_url() + "/api/v2/"));
    EXPECT_EQ(get(*c, "/users").status, 202u);
    EXPECT_EQ(server.seen().at(0).target, fmt::format("/api/v2/users?key={}", test_key));
}

TEST_F(ApiClientTest, KeyWithReservedCharactersIsSentPercentEncoded) {
    // A '+' left as is reads as a space on the server: such a key was refused.
    TestServer server(scripted({{200, "{}"}, {200, "{}"}}));
    auto s = fast_settings(server.base_url());
    s.key = "a+b/c=d";
    auto c = client(s);
    EXPECT_EQ(get(*c).status, 200u);
    (void)run_sync(ioc, c->get_url(server.base_url() + "/clients?page=2&key=a+b", "clients"));
    ASSERT_EQ(server.seen().size(), 2u);
    EXPECT_EQ(server.seen().at(0).target, "/clients?key=a%2Bb%2Fc%3Dd");
    EXPECT_EQ(server.seen().at(1).target, "/clients?page=2&key=a%2Bb%2Fc%3Dd");
}

TEST_F(ApiClientTest, KeepAliveConnectionIsReused) {
    TestServer server(scripted({{200, "{}"}}));
    auto c = client(fast_settings(server.base_url()));
    for (int i = 0; i < 5; ++i) get(*c);
    EXPECT_EQ(server.requests(), 5u);
    EXPECT_EQ(server.connections(), 1u);
}

TEST_F(ApiClientTest, PooledConnectionClosedByServerIsReplacedWithoutAnAttempt) {
    Reply closing{200, "{}"};
    closing.close_silently = true;
    TestServer server(scripted({closing}));
    auto c = client(fast_settings(server.base_url()));
    get(*c);
    std::this_thread::sleep_for(50ms);  // let the server's close arrive
    const auto r = get(*c);
    EXPECT_EQ(r.attempts, 1u);
    EXPECT_EQ(server.connections(), 2u);
    EXPECT_EQ(observer.retries, 0);
}

TEST_F(ApiClientTest, RetriesTransientFailuresThenSucceeds) {
    Reply dropped{200, std::string(4000, ' ') + "{}"};
    dropped.drop_mid_body = true;
    TestServer server(scripted({{429, "{}"}, {500, "{}"}, {503, "{}"}, dropped, {200, R"({"ok": true})"}}));
    auto s = fast_settings(server.base_url());
    s.max_attempts = 6;
    auto c = client(s);
    const auto r = get(*c);
    EXPECT_EQ(r.body, R"({"ok": true})");
    EXPECT_EQ(r.attempts, 5u);
    EXPECT_EQ(server.requests(), 5u);
    EXPECT_EQ(observer.retries, 4);
    EXPECT_EQ(observer.transport_errors, 1);
}

TEST_F(ApiClientTest, RetriesAreBounded) {
    TestServer server(scripted({{503, R"({"message": "maintenance"})"}}));
    auto s = fast_settings(server.base_url());
    s.max_attempts = 3;
    auto c = client(s);
    const auto e = get_error(*c);
    EXPECT_EQ(e.kind(), ApiError::Kind::retries_exhausted);
    EXPECT_EQ(e.status(), 503u);
    EXPECT_EQ(server.requests(), 3u);
    const std::string what = e.what();
    EXPECT_NE(what.find("3 attempts"), std::string::npos) << what;
    EXPECT_NE(what.find("maintenance"), std::string::npos) << what;
    EXPECT_NE(what.find("key=***"), std::string::npos) << what;
    EXPECT_EQ(what.find(test_key), std::string::npos) << what;
    // The request is named once, in the error and in each retry warning.
    const auto times = [](const std::string& text, const std::string& what_) {
        std::size_t n = 0;
        for (auto at = text.find(what_); at != std::string::npos; at = text.find(what_, at + 1)) ++n;
        return n;
    };
    EXPECT_EQ(times(what, "GET "), 1u) << what;
    const auto text = log.text();
    const auto retry = text.find("(attempt 1/3); retrying");
    ASSERT_NE(retry, std::string::npos) << text;
    const auto line_start = text.rfind('\n', retry);  // npos + 1 == 0: the first line
    const auto line = text.substr(line_start + 1, text.find('\n', retry) - (line_start + 1));
    EXPECT_EQ(times(line, "GET "), 1u) << line;
}

TEST_F(ApiClientTest, DroppedBodiesAreRetriedAndBounded) {
    Reply dropped{200, std::string(10000, 'x')};
    dropped.drop_mid_body = true;
    TestServer server(scripted({dropped}));
    auto s = fast_settings(server.base_url());
    s.max_attempts = 2;
    auto c = client(s);
    const auto e = get_error(*c);
    EXPECT_EQ(e.kind(), ApiError::Kind::retries_exhausted);
    EXPECT_EQ(e.status(), 0u);
    EXPECT_EQ(server.requests(), 2u);
}

TEST_F(ApiClientTest, RetryAfterSecondsIsHonoured) {
    // backoff_max (100 ms) caps every wait, even a server's: asked to wait
    // 3 s, the client is done well before (a slow machine has 2 s of slack).
    Reply long_wait{429, "{}"};
    long_wait.headers = {{"Retry-After", "3"}};
    TestServer server(scripted({long_wait, {200, "{}"}}));
    auto c = client(fast_settings(server.base_url()));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(get(*c).attempts, 2u);
    EXPECT_LT(seconds_since(start), 2.0);
    // Under a larger backoff_max, the server's wait is honoured.
    Reply limited{429, "{}"};
    limited.headers = {{"Retry-After", "1"}};
    auto s = fast_settings(server.base_url());
    s.backoff_max = 5s;
    TestServer server2(scripted({limited, {200, "{}"}}));
    s.base_url = server2.base_url();
    auto c2 = client(s);
    const auto start2 = std::chrono::steady_clock::now();
    EXPECT_EQ(get(*c2).attempts, 2u);
    EXPECT_GE(seconds_since(start2), 0.9);
}

TEST_F(ApiClientTest, RetryAfterHttpDateIsHonoured) {
    using namespace std::chrono;
    const auto when = floor<seconds>(system_clock::now()) + 2s;
    Reply limited{503, "{}"};
    limited.headers = {{"Retry-After", fmt::format("{:%a, %d %b %Y %H:%M:%S} GMT", when)}};
    TestServer server(scripted({limited, {200, "{}"}}));
    auto s = fast_settings(server.base_url());
    s.backoff_max = 5s;
    auto c = client(s);
    const auto start = steady_clock::now();
    EXPECT_EQ(get(*c).attempts, 2u);
    const auto elapsed = seconds_since(start);
    EXPECT_GE(elapsed, 0.5);
    EXPECT_LT(elapsed, 4.0);
}

TEST_F(ApiClientTest, RetryAfterZeroOrPastIsNoHotLoop) {
    Reply zero{429, "{}"};
    zero.headers = {{"Retry-After", "0"}};
    Reply past{429, "{}"};
    past.headers = {{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}};
    TestServer server(scripted({zero, past, zero, past}));
    auto s = fast_settings(server.base_url());
    s.backoff_initial = 100ms;
    s.backoff_max = 1s;
    s.max_attempts = 4;
    auto c = client(s);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(get_error(*c).kind(), ApiError::Kind::retries_exhausted);
    EXPECT_EQ(server.requests(), 4u);
    EXPECT_GE(seconds_since(start), 0.28);  // three waits of at least backoff_initial
}

TEST_F(ApiClientTest, PermanentStatusesAreNotRetried) {
    struct Case {
        unsigned status;
        std::string body;
        ApiError::Kind kind;
        std::string message;
    };
    const std::vector<Case> cases = {
        {400, R"([{"message": "Invalid limit"}])", ApiError::Kind::bad_request, "Invalid limit"},
        {403, R"({"message": "Access denied"})", ApiError::Kind::auth_refused, "Access denied"},
        {404, "Not Found", ApiError::Kind::not_found, "Not Found"},
    };
    for (const auto& cs : cases) {
        TestServer server(scripted({{cs.status, cs.body}}));
        auto c = client(fast_settings(server.base_url()));
        const auto e = get_error(*c, "/clients/9");
        EXPECT_EQ(e.kind(), cs.kind) << cs.status;
        EXPECT_EQ(e.status(), cs.status);
        EXPECT_EQ(e.endpoint(), "clients");
        EXPECT_EQ(server.requests(), 1u) << cs.status;
        const std::string what = e.what();
        EXPECT_NE(what.find(cs.message), std::string::npos) << what;
        EXPECT_NE(what.find("/clients/9"), std::string::npos) << what;
        EXPECT_EQ(what.find(test_key), std::string::npos) << what;
    }
    EXPECT_EQ(observer.retries, 0);
}

TEST_F(ApiClientTest, BodyOverTheLimitIsRefused) {
    TestServer server(scripted({{200, std::string(5000, ' ') + "{}"}}));
    auto s = fast_settings(server.base_url());
    s.max_body_bytes = 1000;
    auto c = client(s);
    const auto e = get_error(*c);
    EXPECT_EQ(e.kind(), ApiError::Kind::body_too_large);
    EXPECT_EQ(server.requests(), 1u);
    // Beast's default (8 MiB) is not ours: a 9 MiB body passes with the default 64 MiB.
    TestServer big(scripted({{200, std::string(9u << 20, ' ')}}));
    auto c2 = client(fast_settings(big.base_url()));
    EXPECT_EQ(get(*c2).body.size(), 9u << 20);
}

TEST_F(ApiClientTest, ReadTimeoutIsRetriedThenGivesUp) {
    // Two attempts timed out at 150 ms each: well under the 3 s the server
    // would take to answer even once.
    Reply slow{200, "{}"};
    slow.delay = 3000ms;
    TestServer server(scripted({slow}));
    auto s = fast_settings(server.base_url());
    s.read_timeout = 150ms;
    s.max_attempts = 2;
    auto c = client(s);
    const auto start = std::chrono::steady_clock::now();
    const auto e = get_error(*c);
    EXPECT_EQ(e.kind(), ApiError::Kind::retries_exhausted);
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
    EXPECT_LT(seconds_since(start), 2.5);
}

TEST_F(ApiClientTest, ConnectionRefusedIsRetriedThenGivesUp) {
    unsigned short port = 0;
    {
        TestServer gone(scripted({{200, "{}"}}));
        port = gone.port();
    }
    auto s = fast_settings(fmt::format("http://127.0.0.1:{}", port));
    s.max_attempts = 2;
    auto c = client(s);
    const auto e = get_error(*c);
    EXPECT_EQ(e.kind(), ApiError::Kind::retries_exhausted);
    EXPECT_NE(std::string(e.what()).find("connect"), std::string::npos) << e.what();
}

TEST_F(ApiClientTest, ResolverThatNeverAnswersTimesOutAndIsRetried) {
    // The seam of ApiSettings::resolve: a lookup whose answer never comes
    // (a DNS server that drops queries). Each attempt gives up after
    // connect_timeout, as a timeout, and is retried; without a bound the
    // request would wait for ever.
    auto s = fast_settings("http://api.example.invalid:8080");
    s.connect_timeout = 200ms;
    s.max_attempts = 3;
    int lookups = 0;
    std::vector<ResolveDone> never_called;  // kept: a lookup still pending
    s.resolve = [&](const std::string& host, const std::string& port, ResolveDone done) {
        ++lookups;
        EXPECT_EQ(host, "api.example.invalid");
        EXPECT_EQ(port, "8080");
        never_called.push_back(std::move(done));
    };
    auto c = client(s);
    const auto start = std::chrono::steady_clock::now();
    const auto e = get_error(*c);
    EXPECT_EQ(e.kind(), ApiError::Kind::retries_exhausted);
    EXPECT_NE(std::string(e.what()).find("cannot resolve api.example.invalid"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
    EXPECT_EQ(lookups, 3);
    EXPECT_EQ(observer.retries, 2);
    // 3 x 200 ms plus short backoffs; far from "never".
    EXPECT_LT(seconds_since(start), 3.0);
}

TEST_F(ApiClientTest, LookupBoundedByTheRequestTimeoutToo) {
    auto s = fast_settings("http://api.example.invalid:8080");
    s.connect_timeout = 10s;
    s.request_timeout = 300ms;
    s.max_attempts = 1;
    std::vector<ResolveDone> never_called;
    s.resolve = [&](const std::string&, const std::string&, ResolveDone done) {
        never_called.push_back(std::move(done));
    };
    auto c = client(s);
    const auto start = std::chrono::steady_clock::now();
    const auto e = get_error(*c);
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
    EXPECT_LT(seconds_since(start), 2.0);
}

TEST_F(ApiClientTest, ResolveStepThatAnswersIsUsed) {
    TestServer server(scripted({{200, "{\"data\": []}"}}));
    auto s = fast_settings(fmt::format("http://api.example.invalid:{}", server.port()));
    int lookups = 0;
    s.resolve = [&](const std::string&, const std::string& port, ResolveDone done) {
        ++lookups;
        // Answered later, from the executor, as Asio's resolver does.
        asio::post(ioc, [port, done = std::move(done)] {
            done({}, tcp::resolver::results_type::create(tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                                                       static_cast<unsigned short>(std::stoi(port))),
                                                         "api.example.invalid", port));
        });
    };
    auto c = client(s);
    EXPECT_EQ(get(*c).status, 200u);
    EXPECT_EQ(lookups, 1);
}

TEST_F(ApiClientTest, InFlightBoundIsRespected) {
    Reply slow{200, "{}"};
    slow.delay = 100ms;
    TestServer server(scripted({slow}));
    auto s = fast_settings(server.base_url());
    s.max_in_flight = 3;
    auto c = client(s);
    int done = 0;
    for (int i = 0; i < 12; ++i) {
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                (void)co_await c->get("/clients", {}, "clients");
                ++done;
            },
            asio::detached);
    }
    ioc.run();
    EXPECT_EQ(done, 12);
    EXPECT_EQ(server.requests(), 12u);
    EXPECT_LE(server.max_concurrent(), 3u);
    EXPECT_GE(server.max_concurrent(), 2u);
    EXPECT_LE(server.connections(), 3u);
}

TEST_F(ApiClientTest, RequestsPerSecondBudgetIsRoughlyRespected) {
    TestServer server(scripted({{200, "{}"}}));
    auto s = fast_settings(server.base_url());
    s.requests_per_second = 20;  // 50 ms apart
    auto c = client(s);
    int done = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) {
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                (void)co_await c->get("/clients", {}, "clients");
                ++done;
            },
            asio::detached);
    }
    ioc.run();
    const auto elapsed = seconds_since(start);
    EXPECT_EQ(done, 10);
    EXPECT_GE(elapsed, 0.4);  // 9 intervals of 50 ms
    EXPECT_LT(elapsed, 3.0);
}

TEST_F(ApiClientTest, CancellationSlotStopsBackoffPromptly) {
    TestServer server(scripted({{503, "{}"}}));
    auto s = fast_settings(server.base_url());
    s.backoff_initial = 5s;
    s.backoff_max = 10s;
    s.max_attempts = 10;
    auto c = client(s);
    asio::cancellation_signal stop;
    std::optional<ApiError> error;
    // The backoff after the first 503 may be short (full jitter); loop until cancelled.
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            try {
                for (int i = 0; i < 100; ++i) (void)co_await c->get("/clients", {}, "clients");
            } catch (const ApiError& e) {
                error = e;
            }
        },
        asio::bind_cancellation_slot(stop.slot(), asio::detached));
    asio::steady_timer timer(ioc, 300ms);
    timer.async_wait([&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
    const auto start = std::chrono::steady_clock::now();
    ioc.run();
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), ApiError::Kind::cancelled) << error->what();
    EXPECT_LT(seconds_since(start), 3.0);
}

TEST_F(ApiClientTest, NextUrlOnAnotherOriginIsRefusedUnsent) {
    TestServer ours(scripted({{200, "{}"}}));
    TestServer foreign(scripted({{200, "{}"}}));
    auto c = client(fast_settings(ours.base_url()));
    const auto try_url = [&](const std::string& url) {
        try {
            (void)run_sync(ioc, c->get_url(url, "clients"));
            ADD_FAILURE() << "followed " << url;
        } catch (const ApiError& e) {
            EXPECT_EQ(e.kind(), ApiError::Kind::protocol);
            EXPECT_NE(std::string(e.what()).find("refusing"), std::string::npos) << e.what();
        }
    };
    try_url(foreign.base_url() + "/clients?page=2&key=" + test_key);
    try_url(fmt::format("https://127.0.0.1:{}/clients?page=2", ours.port()));  // scheme differs
    try_url(fmt::format("http://localhost:{}/clients?page=2", ours.port()));   // host differs
    try_url(fmt::format("//evil.example:{}/clients", ours.port()));
    EXPECT_EQ(foreign.requests(), 0u);
    EXPECT_EQ(ours.requests(), 0u);
}

TEST_F(ApiClientTest, NextUrlKeyIsReplacedByOurs) {
    TestServer server(scripted({{200, "{}"}}));
    auto c = client(fast_settings(server.base_url()));
    (void)run_sync(ioc, c->get_url(server.base_url() + "/clients?page=2&key=someone-elses", "clients"));
    (void)run_sync(ioc, c->get_url("/clients?page=3", "clients"));
    const auto seen = server.seen();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].target, fmt::format("/clients?page=2&key={}", test_key));
    EXPECT_EQ(seen[1].target, fmt::format("/clients?page=3&key={}", test_key));
}
