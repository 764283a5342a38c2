// Keep-alive connections to the API's origin and one exchange on them
// (private to marin_sync): resolve, connect, TLS, write a GET, read the
// answer within limits and deadlines. No retry here: see retrying_request.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <spdlog/logger.h>

#include "marin/sync/api_settings.hpp"
#include "origin.hpp"

namespace marin::sync::detail {

enum class Failure {
    none,
    retryable,       // timeout, refused, dropped, truncated: another attempt may work
    stale,           // a pooled connection the server had closed: retry at once on a new one
    body_too_large,  // permanent
    protocol,        // permanent: unparseable answer
    tls,             // permanent: certificate or handshake refused
};

// One request and its answer, or why there is none.
struct Exchange {
    Failure failure = Failure::none;
    std::string cause;   // for errors and logs
    std::string reason;  // short, for RequestObserver::on_retry
    unsigned status = 0;
    std::string body;
    std::string retry_after;
    bool keep_alive = false;
};

struct Connection;

class ConnectionPool {
  public:
    using Clock = std::chrono::steady_clock;

    // `settings`, `tls` and `origin` must outlive the pool.
    ConnectionPool(boost::asio::any_io_executor executor, const ApiSettings& settings, boost::asio::ssl::context& tls,
                   const Origin& origin, std::shared_ptr<spdlog::logger> log);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    // GET `target` on a pooled connection (or a new one; a stale pooled one
    // is replaced at once). Every step ends by `deadline`. A cancellation
    // (the caller's slot) ends the step in progress and the connection.
    boost::asio::awaitable<Exchange> exchange(const std::string& target, Clock::time_point deadline);

  private:
    struct Lookup;
    void start_lookup(const std::string& host, const std::shared_ptr<Lookup>& lookup);
    boost::asio::awaitable<Exchange> open(Connection& conn, Clock::time_point deadline);
    template <class Stream>
    boost::asio::awaitable<Exchange> talk(Stream& stream, Connection& conn, const std::string& target,
                                          Clock::time_point deadline, bool reused);

    boost::asio::any_io_executor executor_;
    const ApiSettings& settings_;
    boost::asio::ssl::context& tls_;
    const Origin& origin_;
    std::shared_ptr<spdlog::logger> log_;
    std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace marin::sync::detail
