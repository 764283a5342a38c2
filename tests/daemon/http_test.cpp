// Daemon: the HTTP endpoints (metrics, health, status page) and the listener.
#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/sinks/null_sink.h>

#include "marin/daemon/http_listener.hpp"
#include "marin/daemon/status_page.hpp"

namespace {

using namespace std::chrono_literals;
using namespace marin::daemon;
using namespace marin::run;
using marin::model::RunMode;
namespace http = boost::beast::http;

const TimePoint fixed_now{std::chrono::seconds(1'700'000'000)};

HttpRequest get(std::string target) {
    HttpRequest r{http::verb::get, target, 11};
    r.set(http::field::host, "localhost");
    return r;
}

std::string content_type(const HttpResponse& r) { return std::string(r[http::field::content_type]); }

struct Fixture {
    Metrics metrics;
    ProgressBoard board{[] { return fixed_now; }};
    std::optional<TimePoint> last_success;
    StatusSources sources() {
        StatusSources s;
        s.version = "9.9.9";
        s.metrics = &metrics;
        s.progress = &board;
        s.last_success = [this] { return last_success; };
        s.health_max_age = 2h;
        s.next_run = [] { return PlannedRun{RunMode::full, fixed_now + 3h}; };
        s.now = [] { return fixed_now; };
        return s;
    }
};

TEST(HttpHandler, MetricsEndpoint) {
    Fixture f;
    f.metrics.add_rows_read("ads", 3);
    const HttpResponse r = handle_request(get("/metrics"), f.sources());
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(content_type(r).rfind("text/plain; version=0.0.4", 0), 0u);
    EXPECT_NE(r.body().find("marin_rows_read_total{table=\"ads\"} 3"), std::string::npos);
    // A query string does not change the answer.
    EXPECT_EQ(handle_request(get("/metrics?x=1"), f.sources()).result(), http::status::ok);
}

TEST(HttpHandler, HealthBothWays) {
    Fixture f;
    HttpResponse r = handle_request(get("/healthz"), f.sources());
    EXPECT_EQ(r.result(), http::status::service_unavailable);
    EXPECT_EQ(r.body(), "no successful run recorded yet\n");

    f.last_success = fixed_now - 30min;
    r = handle_request(get("/healthz"), f.sources());
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(r.body(), "ok\n");

    f.last_success = fixed_now - 3h - 12min;
    r = handle_request(get("/healthz"), f.sources());
    EXPECT_EQ(r.result(), http::status::service_unavailable);
    EXPECT_EQ(r.body(), "last successful run ended 3h12m ago (max 2h00m)\n");
}

TEST(HttpHandler, StatusPageShowsStreamsAndRuns) {
    Fixture f;
    // Kind 0 (campaigns) starts kind 1 (ads); kind 2 (lead_forms) is started
    // by kind 3 (accounts).
    f.board.set_graph(
        {{"campaigns", {}, false}, {"ads", {0}, false}, {"lead_forms", {3}, false}, {"accounts", {}, false}});
    f.board.begin_run(RunMode::incremental);
    f.board.end_run(true, false, "12 rows <changed>");
    FinishedRun recorded;  // as sync_runs has it: a run of an earlier process
    recorded.run_id = 7;
    recorded.mode = RunMode::full;
    recorded.error = "storing ads@campaign:1 failed: removal guard: 90% of <ads>";
    recorded.listings_failed = 30;
    recorded.failed_listings = {"lead_forms@account:5: HTTP 500 GET /accounts/5/lead-forms?key=***"};
    f.board.set_recorded_runs({recorded});
    f.board.begin_run(RunMode::full);
    f.board.listing_queued(0);
    f.board.listing_queued(3);
    f.board.listing_page(0, 100, 10);
    f.board.listing_page(0, 100, std::nullopt);
    f.board.listing_page(0, 100, std::nullopt);
    f.board.listing_page(0, 100, std::nullopt);
    f.board.listing_queued(1);
    f.board.listing_page(1, 412, 1);
    f.board.listing_ended(1, ListingEnd::read, true);
    f.last_success = fixed_now - 10min;
    const HttpResponse r = handle_request(get("/"), f.sources());
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(content_type(r), "text/html; charset=utf-8");
    const std::string& b = r.body();
    EXPECT_NE(b.find("http-equiv=\"refresh\" content=\"5\""), std::string::npos);
    EXPECT_NE(b.find("marin-sync 9.9.9"), std::string::npos);
    EXPECT_NE(b.find("Current run: full"), std::string::npos);
    EXPECT_NE(b.find("full sync: listing objects | 1/3 listings known so far"), std::string::npos) << b;
    EXPECT_NE(b.find("4 / 10"), std::string::npos) << b;
    EXPECT_NE(b.find("40%"), std::string::npos);
    // ads: every known listing read, but the campaigns listing may queue more.
    EXPECT_NE(b.find("<tr data-stream=\"ads\" data-state=\"reading\">"), std::string::npos) << b;
    EXPECT_EQ(b.find("</span></span> 100%"), std::string::npos) << b;
    EXPECT_NE(b.find("</span></span> 40%"), std::string::npos) << b;
    EXPECT_NE(b.find("<tr data-stream=\"lead_forms\" data-state=\"waiting for parents\">"), std::string::npos) << b;
    EXPECT_NE(b.find("12 rows &lt;changed&gt;"), std::string::npos) << b;
    EXPECT_NE(b.find("Last failed run: full (run 7"), std::string::npos) << b;
    EXPECT_NE(b.find("removal guard: 90% of &lt;ads&gt;</span>"), std::string::npos) << b;
    EXPECT_NE(b.find("30 listings failed, the first 1:"), std::string::npos) << b;
    EXPECT_NE(b.find("<li>lead_forms@account:5: HTTP 500 GET /accounts/5/lead-forms?key=***</li>"), std::string::npos)
        << b;
    EXPECT_NE(b.find("Next run: full"), std::string::npos);
    EXPECT_EQ(b.find("<script"), std::string::npos);
    EXPECT_EQ(b.find("http://"), std::string::npos);  // no external asset
    EXPECT_EQ(b.find("https://"), std::string::npos);
}

TEST(HttpHandler, MetricsCarryTheRunLevelFigures) {
    Fixture f;
    f.board.begin_run(RunMode::full);
    f.board.listing_queued(0);
    f.board.listing_page(0, 12, 1);
    f.board.add_requests(3);
    const std::string b = handle_request(get("/metrics"), f.sources()).body();
    EXPECT_NE(b.find("marin_run_listings_known 1\n"), std::string::npos) << b;
    EXPECT_NE(b.find("marin_run_requests 3\n"), std::string::npos) << b;
    EXPECT_NE(b.find("marin_run_rows_read 12\n"), std::string::npos) << b;
    EXPECT_NE(b.find("marin_run_eta_seconds -1\n"), std::string::npos) << b;
    EXPECT_NE(b.find("marin_run_phase{phase=\"listing objects\"} 1\n"), std::string::npos) << b;
}

TEST(HttpHandler, OnlyGetOnKnownPaths) {
    Fixture f;
    EXPECT_EQ(handle_request(get("/nope"), f.sources()).result(), http::status::not_found);
    HttpRequest post{http::verb::post, "/metrics", 11};
    const HttpResponse r = handle_request(post, f.sources());
    EXPECT_EQ(r.result(), http::status::method_not_allowed);
    EXPECT_EQ(r[http::field::allow], "GET");
}

// Real HTTP over loopback on an ephemeral port.
class ListenerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        listener = std::make_unique<HttpListener>(
            io, f.sources(), std::make_shared<spdlog::logger>("http", std::make_shared<spdlog::sinks::null_sink_mt>()));
        ASSERT_TRUE(listener->listen("127.0.0.1:0"));
        port = listener->local_endpoint()->port();
        ASSERT_NE(port, 0);
        work = std::thread([this] { io.run(); });
    }
    void TearDown() override {
        boost::asio::post(io, [this] { listener->stop(); });
        io.stop();
        if (work.joinable()) work.join();
        listener.reset();
    }

    Fixture f;
    boost::asio::io_context io;
    std::unique_ptr<HttpListener> listener;
    std::uint16_t port = 0;
    std::thread work;
};

boost::asio::ip::tcp::socket connect_to(boost::asio::io_context& client_io, std::uint16_t port) {
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    return socket;
}

TEST_F(ListenerTest, ServesMetricsHealthAndPageOnOneConnection) {
    f.last_success = fixed_now - 1min;
    f.metrics.record_retry("/ads", "503");
    boost::asio::io_context client_io;
    auto socket = connect_to(client_io, port);
    boost::beast::flat_buffer buffer;
    for (const char* target : {"/metrics", "/healthz", "/"}) {
        http::write(socket, get(target));  // keep-alive: same connection for all three
        http::response<http::string_body> response;
        http::read(socket, buffer, response);
        EXPECT_EQ(response.result(), http::status::ok) << target;
        if (std::string_view(target) == "/metrics") {
            EXPECT_NE(response.body().find("marin_retries_total{endpoint=\"/ads\",reason=\"503\"} 1"),
                      std::string::npos);
        }
    }
}

TEST_F(ListenerTest, OversizedRequestIsRefused) {
    boost::asio::io_context client_io;
    auto socket = connect_to(client_io, port);
    HttpRequest r = get("/metrics");
    r.set("X-Padding", std::string(20'000, 'a'));
    http::write(socket, r);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    boost::beast::error_code ec;
    http::read(socket, buffer, response, ec);
    if (!ec) {
        EXPECT_EQ(response.result(), http::status::payload_too_large);
    } else {
        SUCCEED() << "connection closed: " << ec.message();  // also acceptable: nothing was served
    }
}

// Idle clients (a stuck scraper, a port scan) must not take the health
// check away: 40 connections that never send a request, more than the 32
// slots, and /healthz still answers at once; a silent client is dropped
// after request_timeout.
TEST(HttpListener, IdleClientsNeverLockOutTheHealthCheck) {
    Fixture f;
    f.last_success = fixed_now - 1min;
    boost::asio::io_context io;
    HttpListenerLimits limits;
    limits.request_timeout = 3s;
    HttpListener listener(io, f.sources(),
                          std::make_shared<spdlog::logger>("http", std::make_shared<spdlog::sinks::null_sink_mt>()),
                          limits);
    ASSERT_TRUE(listener.listen("127.0.0.1:0"));
    const auto port = listener.local_endpoint()->port();
    std::thread work([&] { io.run(); });

    boost::asio::io_context client_io;
    std::vector<boost::asio::ip::tcp::socket> idle;
    for (int i = 0; i < 40; ++i) idle.push_back(connect_to(client_io, port));
    std::this_thread::sleep_for(100ms);  // all accepted by now
    for (int i = 0; i < 3; ++i) {
        const auto start = std::chrono::steady_clock::now();
        auto socket = connect_to(client_io, port);
        http::write(socket, get("/healthz"));
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> response;
        boost::beast::error_code ec;
        http::read(socket, buffer, response, ec);
        const auto took = std::chrono::steady_clock::now() - start;
        EXPECT_FALSE(ec) << "health check " << i << " with 40 idle clients: " << ec.message();
        EXPECT_EQ(response.result(), http::status::ok) << i;
        EXPECT_LT(took, 2s) << i;
    }

    // The oldest idle client went first; the newest ones are still open, and
    // the server drops them too once request_timeout has passed.
    auto closed_by_server = [](boost::asio::ip::tcp::socket& socket) {
        socket.non_blocking(true);
        char byte;
        boost::system::error_code ec;
        socket.read_some(boost::asio::buffer(&byte, 1), ec);
        return ec && ec != boost::asio::error::would_block;
    };
    EXPECT_TRUE(closed_by_server(idle.front())) << "the oldest idle connection was not the one dropped";
    EXPECT_FALSE(closed_by_server(idle.back()));
    std::this_thread::sleep_for(4s);
    int still_open = 0;
    for (auto& socket : idle)
        if (!closed_by_server(socket)) ++still_open;
    EXPECT_EQ(still_open, 0) << "silent clients outlived request_timeout";

    boost::asio::post(io, [&] { listener.stop(); });
    io.stop();
    work.join();
}

TEST(HttpListener, EmptyAddressDisables) {
    boost::asio::io_context io;
    Fixture f;
    HttpListener listener(io, f.sources(), std::make_shared<spdlog::logger>("http"));
    EXPECT_FALSE(listener.listen(""));
    EXPECT_FALSE(listener.local_endpoint());
    EXPECT_THROW(listener.listen("no-port"), std::runtime_error);
}

TEST(HttpListener, BusyPortIsReportedWithTheAddress) {
    boost::asio::io_context io;
    Fixture f;
    HttpListener first(io, f.sources(), std::make_shared<spdlog::logger>("http"));
    ASSERT_TRUE(first.listen("127.0.0.1:0"));
    const std::string address = "127.0.0.1:" + std::to_string(first.local_endpoint()->port());
    HttpListener second(io, f.sources(), std::make_shared<spdlog::logger>("http"));
    try {
        second.listen(address);
        FAIL() << "bound twice";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(address), std::string::npos) << e.what();
    }
}

}  // namespace
