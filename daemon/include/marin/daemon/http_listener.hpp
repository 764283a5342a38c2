#pragma once
// The metrics / health / status HTTP listener, on the daemon's io_context.
// GET only: /metrics, /healthz, / . Small limits, one fresh parser per
// request, a timeout before every read and write; idle clients cannot take
// the place of new requests (see HttpListenerLimits).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/message.hpp>
#include <spdlog/logger.h>

#include "marin/run/clock.hpp"
#include "marin/run/metrics.hpp"
#include "marin/run/progress.hpp"
#include "marin/daemon/schedule.hpp"

namespace marin::daemon {

// Where the answers come from. Pointers may be null (the page says "n/a").
// Hooks are called on the io_context thread.
struct StatusSources {
    std::string version;
    const run::Metrics* metrics = nullptr;
    const run::ProgressBoard* progress = nullptr;
    // End of the last successful run of any mode (the daemon loop's
    // last_success(), or the database's).
    std::function<std::optional<run::TimePoint>()> last_success;
    std::chrono::seconds health_max_age{std::chrono::hours(26)};
    std::function<std::optional<PlannedRun>()> next_run;  // optional
    run::NowFn now = run::system_now;
};

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Pure: one request in, one response out (no I/O).
HttpResponse handle_request(const HttpRequest& request, const StatusSources& sources);

struct HttpListenerLimits {
    std::uint64_t body_limit = 1024;  // GET has no body
    std::uint32_t header_limit = 8 * 1024;
    // To send a whole request, from the connection's start or the previous
    // answer (keep-alive). A scraper sends its few hundred bytes at once; a
    // client still silent after this (a stuck one, a port scan) is dropped, so
    // idle clients cannot hold the slots the health check needs.
    std::chrono::milliseconds request_timeout{std::chrono::seconds(5)};
    std::chrono::seconds io_timeout{15};  // to write an answer
    // Open connections. When all are taken, a new one takes the place of the
    // oldest connection waiting for its request; only when every connection
    // is busy answering is the new one refused.
    std::size_t max_connections = 32;
};

// "host:port", "[v6]:port"; host may be a name (resolved once, at listen).
inline constexpr std::string_view default_listen_address = "127.0.0.1:9187";

class HttpListener {
  public:
    HttpListener(boost::asio::io_context& io, StatusSources sources, std::shared_ptr<spdlog::logger> logger,
                 HttpListenerLimits limits = {});
    ~HttpListener();
    HttpListener(const HttpListener&) = delete;
    HttpListener& operator=(const HttpListener&) = delete;

    // Binds and starts accepting. "" disables the listener (returns false).
    // Throws std::runtime_error naming the address when it cannot bind.
    bool listen(std::string_view address);
    // The bound endpoint (port 0 resolved), once listening.
    std::optional<boost::asio::ip::tcp::endpoint> local_endpoint() const;
    // Closes the acceptor; connections in flight end at their next step.
    void stop();

    struct State;  // shared with the connection coroutines

  private:
    boost::asio::io_context& io_;
    std::shared_ptr<State> state_;
};

}  // namespace marin::daemon
