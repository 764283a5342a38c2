// The simulator's HTTP/1.1 server (Beast coroutines, keep-alive, TLS): reads
// requests, has Simulator::handle answer them, adds the transport faults and
// writes the answers, whole, chunked, dropped or trickled.
#include "marin/sim/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "transport_faults.hpp"

namespace marin::sim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto idle_timeout = 60s;    // between requests on a kept-alive connection
constexpr auto write_timeout = 120s;  // one response (slow bodies included)
constexpr std::size_t header_limit = 16 * 1024;
constexpr std::size_t body_limit = 64 * 1024;  // requests are GETs and small POSTs

constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);

struct InFlight {
    std::atomic<int>& n;
    explicit InFlight(std::atomic<int>& counter) : n(counter) { ++n; }
    ~InFlight() { --n; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
};

}  // namespace

struct Server::Impl {
    Simulator& sim;
    ServerConfig config;
    net::io_context ioc;
    tcp::acceptor acceptor;
    std::unique_ptr<ssl::context> tls;
    std::atomic<int> in_flight{0};
    std::atomic<std::uint64_t> connections{0};

    Impl(Simulator& s, ServerConfig c) : sim(s), config(std::move(c)), ioc(std::max(1, config.threads)), acceptor(ioc) {
        if (!config.tls_cert_file.empty() || !config.tls_key_file.empty()) {
            tls = std::make_unique<ssl::context>(ssl::context::tls_server);
            tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
            tls->use_certificate_chain_file(config.tls_cert_file);
            tls->use_private_key_file(config.tls_key_file, ssl::context::pem);
        }
        const tcp::endpoint ep{net::ip::make_address(config.bind), config.port};
        acceptor.open(ep.protocol());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen(net::socket_base::max_listen_connections);
    }

    std::string base_url() const {
        const auto ep = acceptor.local_endpoint();
        std::string host = ep.address().to_string();
        if (ep.address().is_v6()) host = "[" + host + "]";
        return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(ep.port());
    }

    net::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(net::make_strand(ioc), tuple_awaitable);
            if (ec == net::error::operation_aborted) co_return;
            if (ec) continue;  // e.g. too many open files: keep serving the others
            const auto serial = ++connections;
            auto ex = socket.get_executor();
            if (tls) {
                net::co_spawn(ex, tls_session(std::move(socket), serial), report);
            } else {
                net::co_spawn(ex, session(beast::tcp_stream(std::move(socket)), serial), report);
            }
        }
    }

    static void report(std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            std::cerr << "marin-sim: connection failed: " << ex.what() << '\n';
        }
    }

    net::awaitable<void> tls_session(tcp::socket socket, std::uint64_t serial) {
        beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
        beast::get_lowest_layer(stream).expires_after(30s);
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, tuple_awaitable);
        if (ec) co_return;
        co_await serve(stream, serial);
        beast::get_lowest_layer(stream).expires_after(5s);
        co_await stream.async_shutdown(tuple_awaitable);  // stream_truncated etc. are expected here
    }

    net::awaitable<void> session(beast::tcp_stream stream, std::uint64_t serial) {
        co_await serve(stream, serial);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    template <typename Stream>
    net::awaitable<void> serve(Stream& stream, std::uint64_t serial) {
        std::mt19937_64 rng(std::random_device{}() ^ (serial * 0x9e3779b97f4a7c15ULL));
        std::uniform_real_distribution<double> draw(0.0, 1.0);
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;  // fresh per message
            parser.header_limit(header_limit);
            parser.body_limit(body_limit);
            beast::get_lowest_layer(stream).expires_after(idle_timeout);
            auto [ec, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
            (void)n;
            if (ec) co_return;  // end_of_stream, timeout, limits: close the connection
            const auto& req = parser.get();
            const bool keep_alive = req.keep_alive();
            const unsigned version = req.version();

            Request in;
            in.method = std::string(req.method_string());
            in.target = std::string(req.target());
            if (auto h = req.find(http::field::host); h != req.end()) in.host = std::string(h->value());
            const bool api_path = in.target.rfind("/_sim", 0) != 0;

            std::optional<InFlight> guard;
            if (api_path) guard.emplace(in_flight);
            const FaultSettings faults = api_path ? sim.faults() : FaultSettings{};

            if (api_path && faults.latency_ms > 0) {
                net::steady_timer t(stream.get_executor(), std::chrono::milliseconds(faults.latency_ms));
                co_await t.async_wait(tuple_awaitable);
            }

            Response res = sim.handle(in);
            detail::Delivery delivery = detail::Delivery::normal;
            if (res.api)
                delivery = detail::inject_transport_faults(res, faults, in_flight.load(), rng, draw, sim.counters());
            sim.counters().count(res.route, res.status);

            beast::get_lowest_layer(stream).expires_after(write_timeout);
            if (res.stream) {
                if (!co_await write_streamed(stream, res, version, keep_alive)) co_return;
            } else if (!co_await write_whole(stream, res, version, keep_alive, delivery)) {
                co_return;
            }
            if (!keep_alive) co_return;
        }
    }

    // A plain answer, delivered whole, dropped after half its body, or
    // trickled in small chunks. False: the connection is done.
    template <typename Stream>
    net::awaitable<bool> write_whole(Stream& stream, Response& res, unsigned version, bool keep_alive,
                                     detail::Delivery delivery) {
        http::response<http::string_body> out{static_cast<http::status>(res.status), version};
        out.set(http::field::server, "marin-sim");
        bool typed = false;
        for (const auto& [k, v] : res.headers) {
            out.set(k, v);
            typed = typed || beast::iequals(k, "Content-Type");
        }
        if (!typed) out.set(http::field::content_type, "application/json; charset=utf-8");
        out.keep_alive(keep_alive);
        out.body() = std::move(res.body);
        out.prepare_payload();
        if (delivery == detail::Delivery::normal) {
            auto [wec, wn] = co_await http::async_write(stream, out, tuple_awaitable);
            (void)wn;
            co_return !wec;
        }
        std::ostringstream head;
        head << out.base();
        const std::string header = head.str();
        const std::string& body = out.body();
        auto [hec, hn] = co_await net::async_write(stream, net::buffer(header), tuple_awaitable);
        (void)hn;
        if (hec) co_return false;
        if (delivery == detail::Delivery::drop) {
            // Half the body, then the connection goes away.
            co_await net::async_write(stream, net::buffer(body.data(), body.size() / 2), tuple_awaitable);
            beast::get_lowest_layer(stream).close();
            co_return false;
        }
        const std::size_t chunk = std::max<std::size_t>(64, body.size() / 20);
        for (std::size_t pos = 0; pos < body.size(); pos += chunk) {
            auto [bec, bn] = co_await net::async_write(
                stream, net::buffer(body.data() + pos, std::min(chunk, body.size() - pos)), tuple_awaitable);
            (void)bn;
            if (bec) co_return false;
            net::steady_timer t(stream.get_executor(), 50ms);
            co_await t.async_wait(tuple_awaitable);
        }
        co_return true;
    }

    // A chunked answer produced piece by piece (the expected state).
    template <typename Stream>
    net::awaitable<bool> write_streamed(Stream& stream, Response& res, unsigned version, bool keep_alive) {
        http::response<http::empty_body> out{static_cast<http::status>(res.status), version};
        out.set(http::field::server, "marin-sim");
        for (const auto& [k, v] : res.headers) out.set(k, v);
        out.keep_alive(keep_alive);
        out.chunked(true);
        http::response_serializer<http::empty_body> sr{out};
        auto [ec, n] = co_await http::async_write_header(stream, sr, tuple_awaitable);
        (void)n;
        if (ec) co_return false;
        std::string piece;
        for (bool more = true; more;) {
            piece.clear();
            try {
                more = res.stream(piece);
            } catch (const std::exception& e) {
                std::cerr << "marin-sim: " << e.what() << '\n';
                beast::get_lowest_layer(stream).close();  // the client sees a truncated body
                co_return false;
            }
            if (piece.empty()) continue;
            beast::get_lowest_layer(stream).expires_after(write_timeout);
            auto [cec, cn] = co_await net::async_write(stream, http::make_chunk(net::buffer(piece)), tuple_awaitable);
            (void)cn;
            if (cec) co_return false;
        }
        auto [lec, ln] = co_await net::async_write(stream, http::make_chunk_last(), tuple_awaitable);
        (void)ln;
        co_return !lec;
    }
};

Server::Server(Simulator& simulator, ServerConfig config)
    : impl_(std::make_unique<Impl>(simulator, std::move(config))) {
    simulator.set_base_url(impl_->base_url());
}

Server::~Server() { stop(); }

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

std::string Server::base_url() const { return impl_->base_url(); }

void Server::run(bool stop_on_signals) {
    net::co_spawn(impl_->ioc, impl_->accept_loop(), Impl::report);
    std::optional<net::signal_set> signals;
    if (stop_on_signals) {
        signals.emplace(impl_->ioc, SIGINT, SIGTERM);
        signals->async_wait([this](const beast::error_code& ec, int) {
            if (!ec) impl_->ioc.stop();
        });
    }
    std::vector<std::thread> extra;
    for (int i = 1; i < impl_->config.threads; ++i) extra.emplace_back([this] { impl_->ioc.run(); });
    impl_->ioc.run();
    for (auto& t : extra) t.join();
}

void Server::stop() { impl_->ioc.stop(); }

}  // namespace marin::sim
