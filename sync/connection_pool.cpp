// Keep-alive connections to the API's origin and one GET on them (resolve, connect, TLS, write, read).
#include "connection_pool.hpp"

#include <algorithm>
#include <limits>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace marin::sync::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = ConnectionPool::Clock;

struct Connection {
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;  // bytes read past one message belong to the next

    beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
    void close() {
        beast::error_code ec;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
        tcp().close();
    }
};

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// host_name_verification, recording a host-name mismatch as the
// verification error so the failure says what is wrong.
class VerifyHost {
  public:
    explicit VerifyHost(std::string host) : check_(host), ip_(is_ip_literal(host)) {}
    bool operator()(bool preverified, ssl::verify_context& ctx) const {
        const bool ok = check_(preverified, ctx);
        if (preverified && !ok) {
            X509_STORE_CTX_set_error(ctx.native_handle(),
                                     ip_ ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH);
        }
        return ok;
    }

  private:
    ssl::host_name_verification check_;
    bool ip_;
};

Exchange failed(Failure f, std::string reason, std::string cause) {
    Exchange e;
    e.failure = f;
    e.reason = std::move(reason);
    e.cause = std::move(cause);
    return e;
}

bool is_timeout(const beast::error_code& ec) { return ec == beast::error::timeout || ec == asio::error::timed_out; }

Exchange read_failure(const beast::error_code& ec, std::string_view step, bool may_be_stale) {
    if (ec == http::error::body_limit) {
        return failed(Failure::body_too_large, "body too large",
                      fmt::format("response body larger than the limit ({})", ec.message()));
    }
    if (ec == http::error::header_limit) {
        return failed(Failure::protocol, "header too large",
                      fmt::format("response header larger than the limit ({})", ec.message()));
    }
    if (is_timeout(ec)) return failed(Failure::retryable, "timeout", fmt::format("timed out during {}", step));
    if (may_be_stale && !is_timeout(ec)) {
        return failed(Failure::stale, "stale connection", fmt::format("{}: {}", step, ec.message()));
    }
    if (ec == http::error::partial_message || ec == http::error::end_of_stream || ec == ssl::error::stream_truncated ||
        ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == asio::error::connection_aborted) {
        return failed(Failure::retryable, "connection dropped",
                      fmt::format("connection dropped during {}: {}", step, ec.message()));
    }
    if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
        return failed(Failure::protocol, "bad HTTP",
                      fmt::format("malformed HTTP answer during {}: {}", step, ec.message()));
    }
    return failed(Failure::retryable, "transport error", fmt::format("{}: {}", step, ec.message()));
}

}  // namespace

// A lookup in progress. Shared with its completion, which may come after
// the attempt stopped waiting (getaddrinfo cannot be interrupted).
struct ConnectionPool::Lookup {
    explicit Lookup(const asio::any_io_executor& ex) : wake(ex, asio::steady_timer::time_point::max()) {}
    asio::steady_timer wake;
    bool done = false;
    boost::system::error_code error;
    tcp::resolver::results_type endpoints;
};

ConnectionPool::ConnectionPool(asio::any_io_executor executor, const ApiSettings& settings, ssl::context& tls,
                               const Origin& origin, std::shared_ptr<spdlog::logger> log)
    : executor_(std::move(executor)), settings_(settings), tls_(tls), origin_(origin), log_(std::move(log)) {}

ConnectionPool::~ConnectionPool() = default;

void ConnectionPool::start_lookup(const std::string& host, const std::shared_ptr<Lookup>& lookup) {
    ResolveDone done = [lookup](boost::system::error_code ec, tcp::resolver::results_type endpoints) {
        if (lookup->done) return;
        lookup->done = true;
        lookup->error = ec;
        lookup->endpoints = std::move(endpoints);
        lookup->wake.cancel();
    };
    if (settings_.resolve) {
        settings_.resolve(host, origin_.port, std::move(done));
        return;
    }
    auto resolver = std::make_shared<tcp::resolver>(executor_);
    resolver->async_resolve(
        host, origin_.port,
        [resolver, done = std::move(done)](boost::system::error_code ec, tcp::resolver::results_type endpoints) {
            done(ec, std::move(endpoints));
        });
}

asio::awaitable<Exchange> ConnectionPool::open(Connection& conn, Clock::time_point deadline) {
    const auto host = origin_.bare_host();
    // A resolver that never answers would hold the attempt (and its
    // in-flight slot) for ever: the stream's timer does not cover DNS.
    auto lookup = std::make_shared<Lookup>(executor_);
    start_lookup(host, lookup);
    if (!lookup->done) {
        const auto limit = std::min(Clock::now() + settings_.connect_timeout, deadline);
        lookup->wake.expires_at(limit);
        (void)co_await lookup->wake.async_wait(tuple_awaitable);
    }
    if (!lookup->done) {
        co_return failed(Failure::retryable, "timeout",
                         fmt::format("cannot resolve {}: no answer from the resolver, timed out", host));
    }
    if (lookup->error) {
        co_return failed(Failure::retryable, "resolve",
                         fmt::format("cannot resolve {}: {}", host, lookup->error.message()));
    }
    const auto endpoints = lookup->endpoints;
    if (origin_.tls) {
        conn.secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor_, tls_);
        if (!is_ip_literal(host) && !SSL_set_tlsext_host_name(conn.secure->native_handle(), host.c_str())) {
            co_return failed(Failure::tls, "TLS", fmt::format("cannot set TLS SNI to {}", host));
        }
        if (settings_.tls_verify) {
            conn.secure->set_verify_mode(ssl::verify_peer);
            conn.secure->set_verify_callback(VerifyHost(host));
        } else {
            conn.secure->set_verify_mode(ssl::verify_none);
        }
    } else {
        conn.plain = std::make_unique<beast::tcp_stream>(executor_);
    }
    auto& stream = conn.tcp();
    stream.expires_at(std::min(Clock::now() + settings_.connect_timeout, deadline));
    auto [cec, ep] = co_await stream.async_connect(endpoints, tuple_awaitable);
    (void)ep;
    if (cec) {
        co_return failed(Failure::retryable, is_timeout(cec) ? "timeout" : "connect",
                         fmt::format("cannot connect to {}:{}: {}", host, origin_.port,
                                     is_timeout(cec) ? "timed out" : cec.message()));
    }
    if (conn.secure) {
        stream.expires_at(std::min(Clock::now() + settings_.connect_timeout, deadline));
        auto [hec] = co_await conn.secure->async_handshake(ssl::stream_base::client, tuple_awaitable);
        if (hec) {
            const long verify = SSL_get_verify_result(conn.secure->native_handle());
            if (verify != X509_V_OK) {
                co_return failed(
                    Failure::tls, "TLS verification",
                    fmt::format("TLS certificate of {} refused: {}", host, X509_verify_cert_error_string(verify)));
            }
            if (is_timeout(hec)) {
                co_return failed(Failure::retryable, "timeout", "timed out during TLS handshake");
            }
            if (hec.category() == asio::error::get_ssl_category()) {
                co_return failed(Failure::tls, "TLS handshake",
                                 fmt::format("TLS handshake with {} failed: {}", host, hec.message()));
            }
            co_return failed(Failure::retryable, "TLS handshake",
                             fmt::format("TLS handshake with {} failed: {}", host, hec.message()));
        }
    }
    co_return Exchange{};
}

template <class Stream>
asio::awaitable<Exchange> ConnectionPool::talk(Stream& stream, Connection& conn, const std::string& target,
                                               Clock::time_point deadline, bool reused) {
    auto& tcp_layer = conn.tcp();
    const auto arm = [&] { tcp_layer.expires_at(std::min(Clock::now() + settings_.read_timeout, deadline)); };

    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, origin_.host_header());
    req.set(http::field::user_agent, settings_.user_agent);
    req.set(http::field::accept, "application/json");
    arm();
    auto [wec, written] = co_await http::async_write(stream, req, tuple_awaitable);
    (void)written;
    if (wec) co_return read_failure(wec, "write", reused);

    http::response_parser<http::string_body> parser;
    parser.body_limit(settings_.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(settings_.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    arm();
    auto [hec, header_bytes] = co_await http::async_read_header(stream, conn.buffer, parser, tuple_awaitable);
    if (hec) co_return read_failure(hec, "read of the response header", reused && header_bytes == 0);
    while (!parser.is_done()) {
        arm();
        auto [bec, n] = co_await http::async_read_some(stream, conn.buffer, parser, tuple_awaitable);
        (void)n;
        if (bec) co_return read_failure(bec, "read of the response body", false);
    }
    auto res = parser.release();
    Exchange out;
    out.status = res.result_int();
    out.retry_after = std::string(res[http::field::retry_after]);
    out.keep_alive = res.keep_alive();
    out.body = std::move(res.body());
    co_return out;
}

asio::awaitable<Exchange> ConnectionPool::exchange(const std::string& target, Clock::time_point deadline) {
    for (;;) {
        // A stop that ended the last step must not start another one.
        auto cancel = co_await asio::this_coro::cancellation_state;
        if (cancel.cancelled() != asio::cancellation_type::none) {
            co_return failed(Failure::retryable, "cancelled", "cancelled, the run is stopping");
        }
        std::unique_ptr<Connection> conn;
        bool reused = false;
        if (!idle_.empty()) {
            conn = std::move(idle_.back());
            idle_.pop_back();
            reused = true;
        } else {
            conn = std::make_unique<Connection>();
            auto opened = co_await open(*conn, deadline);
            if (opened.failure != Failure::none) co_return opened;
        }
        // No co_await inside ?: (docs/design.md, "GCC 12 and coroutine frames").
        Exchange out;
        if (conn->secure) {
            out = co_await talk(*conn->secure, *conn, target, deadline, reused);
        } else {
            out = co_await talk(*conn->plain, *conn, target, deadline, reused);
        }
        if (out.failure == Failure::stale) {
            log_->debug("pooled connection to {} was closed by the server; opening a new one", origin_.prefix());
            conn->close();
            continue;
        }
        if (out.failure == Failure::none && out.keep_alive && idle_.size() < settings_.max_in_flight) {
            idle_.push_back(std::move(conn));
        } else {
            conn->close();
        }
        co_return out;
    }
}

}  // namespace marin::sync::detail
