#include "marin/sync/api_client.hpp"

#include <algorithm>
#include <random>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
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
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "marin/sync/url_mask.hpp"
#include "request_limits.hpp"
#include "retry_policy.hpp"

namespace marin::sync {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// Where requests go: scheme, host and port of base_url, and its path prefix.
struct Origin {
    bool tls = false;
    std::string scheme;       // "http" or "https"
    std::string host;         // as in the URL ("[::1]" keeps its brackets)
    std::string port;         // always set
    std::string base_path;    // encoded, without a trailing '/'

    std::string bare_host() const {  // for DNS, SNI and certificate checks
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
            return host.substr(1, host.size() - 2);
        }
        return host;
    }
    bool default_port() const { return port == (tls ? "443" : "80"); }
    std::string host_header() const { return default_port() ? host : host + ":" + port; }
    std::string prefix() const { return scheme + "://" + host_header(); }
};

// Scheme, host and port of an absolute URL, normalised for comparison.
struct Authority {
    std::string scheme, host, port;
};

Authority authority_of(const urls::url_view& u) {
    Authority a{lower(u.scheme()), lower(u.encoded_host()), std::string(u.port())};
    if (a.port.empty()) a.port = a.scheme == "https" ? "443" : a.scheme == "http" ? "80" : "";
    return a;
}

Origin parse_origin(const std::string& base_url) {
    auto parsed = urls::parse_uri(base_url);
    if (!parsed) {
        throw std::invalid_argument(fmt::format("API base_url '{}' is not an absolute URL: {}",
                                                mask_key(base_url, ""), parsed.error().message()));
    }
    const auto auth = authority_of(*parsed);
    if ((auth.scheme != "http" && auth.scheme != "https") || auth.host.empty()) {
        throw std::invalid_argument(fmt::format(
            "API base_url '{}' must be http:// or https:// with a host", mask_key(base_url, "")));
    }
    Origin o;
    o.tls = auth.scheme == "https";
    o.scheme = auth.scheme;
    o.host = auth.host;
    o.port = auth.port;
    o.base_path = std::string(parsed->encoded_path());
    while (!o.base_path.empty() && o.base_path.back() == '/') o.base_path.pop_back();
    return o;
}

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    (void)asio::ip::make_address(host, ec);
    return !ec;
}

// host_name_verification, recording a host-name mismatch as the
// verification error so the failure says what is wrong.
class VerifyHost {
public:
    explicit VerifyHost(std::string host) : check_(host), ip_(is_ip_literal(host)) {}
    bool operator()(bool preverified, ssl::verify_context& ctx) const {
        const bool ok = check_(preverified, ctx);
        if (preverified && !ok) {
            X509_STORE_CTX_set_error(ctx.native_handle(), ip_ ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                              : X509_V_ERR_HOSTNAME_MISMATCH);
        }
        return ok;
    }

private:
    ssl::host_name_verification check_;
    bool ip_;
};

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

enum class Failure {
    none,
    retryable,       // timeout, refused, dropped, truncated: another attempt may work
    stale,           // a pooled connection the server had closed: retry at once on a new one
    body_too_large,  // permanent
    protocol,        // permanent: unparseable answer
    tls,             // permanent: certificate or handshake refused
};

struct Exchange {
    Failure failure = Failure::none;
    std::string cause;   // for errors and logs
    std::string reason;  // short, for RequestObserver::on_retry
    unsigned status = 0;
    std::string body;
    std::string retry_after;
    bool keep_alive = false;
};

Exchange failed(Failure f, std::string reason, std::string cause) {
    Exchange e;
    e.failure = f;
    e.reason = std::move(reason);
    e.cause = std::move(cause);
    return e;
}

bool is_timeout(const beast::error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::timed_out;
}

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
    if (ec == http::error::partial_message || ec == http::error::end_of_stream ||
        ec == ssl::error::stream_truncated || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
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

struct ApiClient::Impl : std::enable_shared_from_this<ApiClient::Impl> {
    Impl(asio::any_io_executor ex, ApiSettings s, ssl::context& tls_ctx,
         std::shared_ptr<spdlog::logger> logger, RequestObserver* obs)
        : executor(std::move(ex)),
          settings(std::move(s)),
          tls(tls_ctx),
          log(std::move(logger)),
          observer(obs),
          origin(parse_origin(settings.base_url)),
          in_flight(executor, std::max(settings.max_in_flight, 1u)),
          budget(settings.requests_per_second),
          rng(std::random_device{}()) {
        if (!log) throw std::invalid_argument("ApiClient needs a logger");
        if (origin.tls && !settings.tls_verify) {
            log->warn("TLS certificate verification is OFF for {}: the API's identity is not checked",
                      origin.prefix());
        }
    }

    asio::any_io_executor executor;
    ApiSettings settings;
    ssl::context& tls;
    std::shared_ptr<spdlog::logger> log;
    RequestObserver* observer;
    Origin origin;
    std::vector<std::unique_ptr<Connection>> idle;
    detail::AsyncSemaphore in_flight;
    detail::RateBudget budget;
    std::atomic<bool> stopping{false};
    std::set<asio::steady_timer*> sleepers;
    std::mt19937_64 rng;

    std::string masked(std::string_view text) const { return mask_key(text, settings.key); }

    // The key percent-encoded whole. Boost.URL's params() leaves '+' as is in
    // a query, and the API (like most servers) reads a '+' there as a space:
    // a key holding one was refused (403).
    void append_key(urls::url& u) const {
        const auto encoded = urls::encode(settings.key, urls::unreserved_chars);
        u.encoded_params().append(urls::param_pct_view(urls::pct_string_view("key"), urls::pct_string_view(encoded)));
    }

    std::string target_for(std::string_view path, const QueryParams& query) const {
        urls::url u;
        std::string p(path);
        if (p.empty() || p.front() != '/') p.insert(p.begin(), '/');
        u.set_path(p);
        for (const auto& [k, v] : query) {
            if (k != "key") u.params().append({k, v});
        }
        append_key(u);
        return origin.base_path + std::string(u.encoded_target());
    }

    // The request target for a `next` URL, or throws if it leaves our origin.
    std::string target_for_url(std::string_view url, std::string_view label) const {
        auto parsed = urls::parse_uri_reference(url);
        if (!parsed) {
            throw ApiError(ApiError::Kind::protocol, 0, std::string(label),
                           fmt::format("{}: next URL '{}' is not a URL: {}", label, masked(url),
                                       parsed.error().message()));
        }
        if (parsed->has_scheme() || parsed->has_authority()) {
            const auto a = authority_of(*parsed);
            if (a.scheme != origin.scheme || a.host != origin.host || a.port != origin.port) {
                throw ApiError(ApiError::Kind::protocol, 0, std::string(label),
                               fmt::format("{}: refusing to follow next URL '{}': it is not on the "
                                           "API's origin {} (the key is never sent elsewhere)",
                                           label, masked(url), origin.prefix()));
            }
        }
        urls::url u(*parsed);
        u.params().erase("key");
        append_key(u);
        std::string target(u.encoded_target());
        if (target.empty() || target.front() != '/') target.insert(target.begin(), '/');
        return target;
    }

    [[noreturn]] void throw_cancelled(const std::string& label, const std::string& shown) const {
        throw ApiError(ApiError::Kind::cancelled, 0, label,
                       fmt::format("GET {} ({}): cancelled, the run is stopping", shown, label));
    }

    // Waits until `when`; false if cancel_waits() ended the wait.
    asio::awaitable<bool> sleep_until(Clock::time_point when) {
        if (stopping) co_return false;
        asio::steady_timer timer(executor, when);
        sleepers.insert(&timer);
        struct Unregister {
            std::set<asio::steady_timer*>& set;
            asio::steady_timer* t;
            ~Unregister() { set.erase(t); }
        } unregister{sleepers, &timer};
        (void)co_await timer.async_wait(tuple_awaitable);
        co_return !stopping;
    }

    void cancel_all_waits() {
        for (auto* t : sleepers) t->cancel();
        in_flight.cancel_all();
    }

    // A lookup in progress. Shared with its completion, which may come
    // after the attempt stopped waiting (getaddrinfo cannot be interrupted).
    struct Lookup {
        explicit Lookup(const asio::any_io_executor& ex) : wake(ex, asio::steady_timer::time_point::max()) {}
        asio::steady_timer wake;
        bool done = false;
        boost::system::error_code error;
        tcp::resolver::results_type endpoints;
    };

    void start_lookup(const std::string& host, const std::shared_ptr<Lookup>& lookup) {
        ResolveDone done = [lookup](boost::system::error_code ec, tcp::resolver::results_type endpoints) {
            if (lookup->done) return;
            lookup->done = true;
            lookup->error = ec;
            lookup->endpoints = std::move(endpoints);
            lookup->wake.cancel();
        };
        if (settings.resolve) {
            settings.resolve(host, origin.port, std::move(done));
            return;
        }
        auto resolver = std::make_shared<tcp::resolver>(executor);
        resolver->async_resolve(host, origin.port,
                                [resolver, done = std::move(done)](boost::system::error_code ec,
                                                                   tcp::resolver::results_type endpoints) {
                                    done(ec, std::move(endpoints));
                                });
    }

    asio::awaitable<Exchange> open(Connection& conn, Clock::time_point deadline) {
        const auto host = origin.bare_host();
        // A resolver that never answers would hold the attempt (and its
        // in-flight slot) for ever: the stream's timer does not cover DNS.
        auto lookup = std::make_shared<Lookup>(executor);
        start_lookup(host, lookup);
        if (!lookup->done) {
            const auto limit = std::min(Clock::now() + settings.connect_timeout, deadline);
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
        if (origin.tls) {
            conn.secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, tls);
            if (!is_ip_literal(host) && !SSL_set_tlsext_host_name(conn.secure->native_handle(), host.c_str())) {
                co_return failed(Failure::tls, "TLS", fmt::format("cannot set TLS SNI to {}", host));
            }
            if (settings.tls_verify) {
                conn.secure->set_verify_mode(ssl::verify_peer);
                conn.secure->set_verify_callback(VerifyHost(host));
            } else {
                conn.secure->set_verify_mode(ssl::verify_none);
            }
        } else {
            conn.plain = std::make_unique<beast::tcp_stream>(executor);
        }
        auto& stream = conn.tcp();
        stream.expires_at(std::min(Clock::now() + settings.connect_timeout, deadline));
        auto [cec, ep] = co_await stream.async_connect(endpoints, tuple_awaitable);
        (void)ep;
        if (cec) {
            co_return failed(Failure::retryable, is_timeout(cec) ? "timeout" : "connect",
                             fmt::format("cannot connect to {}:{}: {}", host, origin.port,
                                         is_timeout(cec) ? "timed out" : cec.message()));
        }
        if (conn.secure) {
            stream.expires_at(std::min(Clock::now() + settings.connect_timeout, deadline));
            auto [hec] = co_await conn.secure->async_handshake(ssl::stream_base::client, tuple_awaitable);
            if (hec) {
                const long verify = SSL_get_verify_result(conn.secure->native_handle());
                if (verify != X509_V_OK) {
                    co_return failed(Failure::tls, "TLS verification",
                                     fmt::format("TLS certificate of {} refused: {}", host,
                                                 X509_verify_cert_error_string(verify)));
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
    asio::awaitable<Exchange> talk(Stream& stream, Connection& conn, const std::string& target,
                                   Clock::time_point deadline, bool reused) {
        auto& tcp_layer = conn.tcp();
        const auto arm = [&] { tcp_layer.expires_at(std::min(Clock::now() + settings.read_timeout, deadline)); };

        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, origin.host_header());
        req.set(http::field::user_agent, settings.user_agent);
        req.set(http::field::accept, "application/json");
        arm();
        auto [wec, written] = co_await http::async_write(stream, req, tuple_awaitable);
        (void)written;
        if (wec) co_return read_failure(wec, "write", reused);

        http::response_parser<http::string_body> parser;
        parser.body_limit(settings.max_body_bytes);
        parser.header_limit(static_cast<std::uint32_t>(
            std::min<std::size_t>(settings.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
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

    // One attempt: a pooled connection (or a new one), one request, one answer.
    asio::awaitable<Exchange> attempt(const std::string& target, Clock::time_point deadline) {
        for (;;) {
            std::unique_ptr<Connection> conn;
            bool reused = false;
            if (!idle.empty()) {
                conn = std::move(idle.back());
                idle.pop_back();
                reused = true;
            } else {
                conn = std::make_unique<Connection>();
                auto opened = co_await open(*conn, deadline);
                if (opened.failure != Failure::none) co_return opened;
            }
            // (no co_await inside ?: : GCC 12 miscompiles the temporary)
            Exchange out;
            if (conn->secure) {
                out = co_await talk(*conn->secure, *conn, target, deadline, reused);
            } else {
                out = co_await talk(*conn->plain, *conn, target, deadline, reused);
            }
            if (out.failure == Failure::stale) {
                log->debug("pooled connection to {} was closed by the server; opening a new one",
                           origin.prefix());
                conn->close();
                continue;
            }
            if (out.failure == Failure::none && out.keep_alive && idle.size() < settings.max_in_flight) {
                idle.push_back(std::move(conn));
            } else {
                conn->close();
            }
            co_return out;
        }
    }

    asio::awaitable<ApiResponse> request(std::string target, std::string label, BodyCheck check) {
        auto self = shared_from_this();  // in-flight requests keep the state alive
        const std::string shown = masked(origin.prefix() + target);
        const unsigned max_attempts = std::max(settings.max_attempts, 1u);
        for (unsigned attempt_no = 1;; ++attempt_no) {
            if (stopping) throw_cancelled(label, shown);
            const bool granted = co_await in_flight.acquire();
            if (!granted) throw_cancelled(label, shown);
            detail::Permit permit(in_flight);
            if (stopping) throw_cancelled(label, shown);
            const auto slot = budget.reserve();
            if (slot > Clock::now()) {
                const bool waited = co_await sleep_until(slot);
                if (!waited) throw_cancelled(label, shown);
            }

            const auto started = Clock::now();
            Exchange ex = co_await attempt(target, started + settings.request_timeout);
            permit.release();
            const auto latency = Clock::now() - started;
            const unsigned status = ex.failure == Failure::none ? ex.status : 0;
            if (observer) observer->on_response(label, status, latency, ex.body.size());
            log->debug("GET {} ({}) -> {} in {} ms, {} bytes", shown, label,
                       status != 0 ? std::to_string(status) : ex.cause,
                       std::chrono::duration_cast<milliseconds>(latency).count(), ex.body.size());

            std::optional<milliseconds> server_delay;
            std::string cause;
            std::string unusable_body;  // what `check` found wrong with a 2xx body
            switch (ex.failure) {
                case Failure::none: break;
                case Failure::retryable:
                case Failure::stale: cause = ex.cause; break;
                case Failure::body_too_large:
                    // Named after the setting, so that the operator knows what to raise.
                    throw ApiError(ApiError::Kind::body_too_large, 0, label,
                                   fmt::format("GET {} ({}): {}: {} bytes allowed (api.max_body_bytes)", shown,
                                               label, ex.cause, settings.max_body_bytes));
                case Failure::protocol:
                    throw ApiError(ApiError::Kind::protocol, 0, label,
                                   fmt::format("GET {} ({}): {}", shown, label, masked(ex.cause)));
                case Failure::tls:
                    throw ApiError(ApiError::Kind::transport, 0, label,
                                   fmt::format("GET {} ({}): {}", shown, label, ex.cause));
            }
            const bool success = ex.failure == Failure::none && ex.status >= 200 && ex.status < 300;
            if (success && check) unusable_body = check(ex.body);
            if (success && unusable_body.empty()) {
                co_return ApiResponse{ex.status, std::move(ex.body), attempt_no};
            }
            if (success) {
                ex.reason = "unusable body";
                cause = fmt::format("HTTP {} with an unusable body: {}", ex.status, masked(unusable_body));
            } else if (ex.failure == Failure::none) {
                const auto message = masked(extract_error_message(ex.body));
                // The answer alone is the cause of a retry (its warning and the
                // final "gave up" name the request once, before it).
                const auto answer =
                    fmt::format("HTTP {}{}{}", ex.status, message.empty() ? "" : ": ", message);
                const auto what = fmt::format("GET {} ({}): {}", shown, label, answer);
                switch (ex.status) {
                    case 400: throw ApiError(ApiError::Kind::bad_request, ex.status, label, what);
                    case 401:
                    case 403: throw ApiError(ApiError::Kind::auth_refused, ex.status, label, what);
                    case 404: throw ApiError(ApiError::Kind::not_found, ex.status, label, what);
                    default: break;
                }
                if (!detail::is_retryable_status(ex.status)) {
                    throw ApiError(ApiError::Kind::protocol, ex.status, label,
                                   fmt::format("GET {} ({}): unexpected HTTP {}{}{}", shown, label,
                                               ex.status, message.empty() ? "" : ": ", message));
                }
                ex.reason = std::to_string(ex.status);
                cause = answer;
                if (!ex.retry_after.empty()) server_delay = detail::parse_retry_after(ex.retry_after);
            }
            if (attempt_no >= max_attempts && !unusable_body.empty()) {
                throw ApiError(ApiError::Kind::protocol, status, label,
                               fmt::format("GET {} ({}): gave up after {} attempts; last: {}", shown, label,
                                           attempt_no, cause));
            }
            if (attempt_no >= max_attempts) {
                throw ApiError(ApiError::Kind::retries_exhausted, status, label,
                               fmt::format("GET {} ({}): gave up after {} attempts; last: {}", shown,
                                           label, attempt_no, cause));
            }
            const auto delay = detail::backoff_delay(attempt_no + 1, server_delay,
                                                     settings.backoff_initial, settings.backoff_max, rng);
            if (observer) observer->on_retry(label, ex.reason, delay);
            log->warn("GET {} ({}): {} (attempt {}/{}); retrying in {} ms", shown, label, cause,
                      attempt_no, max_attempts, delay.count());
            const bool slept = co_await sleep_until(Clock::now() + delay);
            if (!slept) throw_cancelled(label, shown);
        }
    }
};

ApiClient::ApiClient(asio::any_io_executor executor, ApiSettings settings, asio::ssl::context& tls,
                     std::shared_ptr<spdlog::logger> logger, RequestObserver* observer)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(settings), tls, std::move(logger),
                                   observer)) {}

ApiClient::~ApiClient() = default;

asio::awaitable<ApiResponse> ApiClient::get(std::string_view path, QueryParams query,
                                            std::string_view endpoint_label, BodyCheck check) {
    auto impl = impl_;
    auto target = impl->target_for(path, query);
    // Named locals only: GCC 12 destroys temporaries twice when they are a
    // coroutine's arguments inside a co_await expression.
    std::string label(endpoint_label);
    co_return co_await impl->request(std::move(target), std::move(label), std::move(check));
}

asio::awaitable<ApiResponse> ApiClient::get_url(std::string_view absolute_url,
                                                std::string_view endpoint_label, BodyCheck check) {
    auto impl = impl_;
    auto target = impl->target_for_url(absolute_url, endpoint_label);
    std::string label(endpoint_label);
    co_return co_await impl->request(std::move(target), std::move(label), std::move(check));
}

void ApiClient::cancel_waits() {
    impl_->stopping = true;
    asio::post(impl_->executor, [weak = std::weak_ptr<Impl>(impl_)] {
        if (auto impl = weak.lock()) impl->cancel_all_waits();
    });
}

bool ApiClient::cancelled() const noexcept { return impl_->stopping; }

const ApiSettings& ApiClient::settings() const noexcept { return impl_->settings; }

const std::shared_ptr<spdlog::logger>& ApiClient::logger() const noexcept { return impl_->log; }

std::string ApiClient::masked(std::string_view text) const { return impl_->masked(text); }

}  // namespace marin::sync
