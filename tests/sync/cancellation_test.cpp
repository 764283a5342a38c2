// A stop the Asio way: a cancellation reaching the client's waits and
// requests, and CrawlEngine::request_stop ending a crawl promptly while the
// sink's commands are never cut in half. Bounded by a generous run_for, not
// by a timed assertion.
#include <gtest/gtest.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "marin/sync/api_client.hpp"
#include "marin/sync/crawl_engine.hpp"
#include "marin/sync/row_sink.hpp"
#include "test_server.hpp"
#include "test_support.hpp"

namespace asio = boost::asio;
using namespace marin::sync;
using namespace marin::sync::test;
using namespace std::chrono_literals;
using marin::model::TableId;

namespace {

// Far beyond any prompt stop; a stop that does not work ends the test here.
constexpr auto stop_bound = 30s;

const char* const no_records = R"({"data": [], "range": {"total": 0, "nb_pages": 0, "page": 1, "next": null}})";
const char* const two_users_page =
    R"({"data": [{"id": "u1", "name": "a"}, {"id": "u2", "name": "b"}], "range": {"total": 2, "nb_pages": 1, "page": 1, "next": null}})";

// A sink whose every command takes a while (a timer on the caller's
// coroutine, as a real writer's channel send would), and that records its
// commands' beginnings and ends: a cancelled command has a beginning only.
class SlowSink : public RowSink {
  public:
    std::function<void()> on_first_write;
    int begun = 0, ended = 0, writes = 0;

    asio::awaitable<void> write(TableId, std::vector<marin::model::Row>, const marin::model::ListingScope&) override {
        ++writes;
        if (writes == 1 && on_first_write) on_first_write();
        co_await step();
    }
    asio::awaitable<void> complete_listing(TableId, const marin::model::ListingScope&) override { co_await step(); }
    asio::awaitable<void> mark_gone(TableId, std::vector<std::string>) override { co_await step(); }
    asio::awaitable<void> checkpoint(const marin::model::ListingScope&) override { co_await step(); }
    asio::awaitable<void> flush() override { co_return; }

  private:
    asio::awaitable<void> step() {
        ++begun;
        asio::steady_timer timer(co_await asio::this_coro::executor, 200ms);
        co_await timer.async_wait(asio::use_awaitable);  // throws when cancelled
        ++ended;
    }
};

class CancellationTest : public ::testing::Test {
  protected:
    // Runs the crawl on `server` until it ends (or `stop_bound` passes);
    // `stop_later` is called from another thread once the crawl started,
    // `before_run` on this one before it starts.
    std::optional<CrawlReport> crawl(const TestServer& server, ApiSettings api_settings, RowSink& sink,
                                     const std::function<void(CrawlEngine&)>& stop_later = {},
                                     const std::function<void(CrawlEngine&)>& before_run = {}) {
        (void)server;
        ApiClient client(ioc.get_executor(), api_settings, tls, log.logger, nullptr);
        CrawlSettings settings;
        settings.concurrent_listings = 4;
        CrawlEngine engine(client, sink, settings, log.logger, nullptr);
        if (before_run) before_run(engine);
        std::optional<CrawlReport> report;
        asio::co_spawn(
            ioc, [&]() -> asio::awaitable<void> { report = co_await engine.run(); }, asio::detached);
        std::thread stopper;
        if (stop_later) stopper = std::thread([&] { stop_later(engine); });
        ioc.run_for(stop_bound);
        if (stopper.joinable()) stopper.join();
        if (!report) {
            // Stopped or not, the crawl must end before its state goes.
            engine.request_stop();
            ioc.restart();
            ioc.run();
        }
        return report;
    }

    asio::io_context ioc;
    CapturedLog log;
    asio::ssl::context tls{asio::ssl::context::tls_client};
};

}  // namespace

TEST_F(CancellationTest, ClientRequestInFlightEndsAtTheCancellation) {
    TestServer server([](const SeenRequest&, std::size_t) {
        Reply r{200, "{}"};
        r.delay = 60s;
        return r;
    });
    auto c =
        std::make_unique<ApiClient>(ioc.get_executor(), fast_settings(server.base_url()), tls, log.logger, nullptr);
    asio::cancellation_signal stop;
    std::optional<ApiError> error;
    bool ended = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            try {
                (void)co_await c->get("/clients", {}, "clients");
            } catch (const ApiError& e) {
                error = e;
            }
            ended = true;
        },
        asio::bind_cancellation_slot(stop.slot(), asio::detached));
    asio::steady_timer timer(ioc, 300ms);
    timer.async_wait([&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
    ioc.run_for(stop_bound);
    ASSERT_TRUE(ended) << "the request outlived its cancellation";
    ASSERT_TRUE(error);
    EXPECT_EQ(error->kind(), ApiError::Kind::cancelled) << error->what();
}

TEST_F(CancellationTest, StopDuringBackoffSleepEndsTheCrawl) {
    std::atomic<int> answered{0};
    TestServer server([&](const SeenRequest&, std::size_t) {
        ++answered;
        return Reply{503, "{}"};
    });
    auto s = fast_settings(server.base_url());
    s.backoff_initial = 20s;  // full jitter: most sleeps are long, a short one just retries
    s.backoff_max = 40s;
    s.max_attempts = 20;
    SlowSink sink;
    const auto report = crawl(server, s, sink, [&](CrawlEngine& engine) {
        while (answered.load() == 0) std::this_thread::sleep_for(10ms);
        std::this_thread::sleep_for(300ms);  // into the backoff sleeps
        engine.request_stop();
    });
    ASSERT_TRUE(report) << "the crawl outlived the stop by " << stop_bound.count() << " s\n" << log.text();
    EXPECT_TRUE(report->interrupted);
    EXPECT_FALSE(report->complete());
    EXPECT_EQ(report->listings_completed, 0u);
    EXPECT_NE(log.text().find("retrying in"), std::string::npos) << log.text();
    EXPECT_EQ(sink.begun, sink.ended);
}

TEST_F(CancellationTest, StopDuringRequestsInFlightEndsTheCrawl) {
    std::atomic<int> asked{0};
    TestServer server([&](const SeenRequest&, std::size_t) {
        ++asked;
        Reply r{200, no_records};
        r.delay = 60s;
        return r;
    });
    SlowSink sink;
    const auto report = crawl(server, fast_settings(server.base_url()), sink, [&](CrawlEngine& engine) {
        while (asked.load() == 0) std::this_thread::sleep_for(10ms);
        std::this_thread::sleep_for(200ms);
        engine.request_stop();
    });
    ASSERT_TRUE(report) << "the crawl outlived the stop by " << stop_bound.count() << " s\n" << log.text();
    EXPECT_TRUE(report->interrupted);
    EXPECT_EQ(report->listings_completed, 0u);
    EXPECT_EQ(report->listings_failed, 0u) << "a stopped listing is unfinished, not failed";
    EXPECT_EQ(sink.writes, 0);
}

TEST_F(CancellationTest, StopDuringASinkCommandLetsItFinishWhole) {
    TestServer server([](const SeenRequest& r, std::size_t) {
        return Reply{200, r.target.starts_with("/users") ? two_users_page : no_records};
    });
    SlowSink sink;
    CrawlEngine* running = nullptr;
    // The stop comes while the first write is under way.
    sink.on_first_write = [&] { running->request_stop(); };
    const auto report =
        crawl(server, fast_settings(server.base_url()), sink, {}, [&](CrawlEngine& engine) { running = &engine; });
    ASSERT_TRUE(report) << log.text();
    EXPECT_TRUE(report->interrupted);
    EXPECT_GE(sink.writes, 1);
    EXPECT_GE(sink.begun, 1);
    EXPECT_EQ(sink.begun, sink.ended) << "a sink command was cut in half";
}

TEST_F(CancellationTest, StopBeforeRunEndsItAtOnce) {
    std::atomic<int> asked{0};
    TestServer server([&](const SeenRequest&, std::size_t) {
        ++asked;
        return Reply{200, no_records};
    });
    SlowSink sink;
    ApiClient client(ioc.get_executor(), fast_settings(server.base_url()), tls, log.logger, nullptr);
    CrawlEngine engine(client, sink, CrawlSettings{}, log.logger, nullptr);
    engine.request_stop();
    const auto report = run_sync(ioc, engine.run());
    EXPECT_TRUE(report.interrupted);
    EXPECT_EQ(asked.load(), 0);
}
