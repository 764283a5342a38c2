// A GET that is retried until it gets a usable answer (private to
// marin_sync): the in-flight bound, the request-rate budget, the retry
// decision and the backoff between attempts. A stop arrives through the
// caller's cancellation slot and ends every wait with ApiError cancelled.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <spdlog/logger.h>

#include "connection_pool.hpp"
#include "marin/sync/api_client.hpp"
#include "origin.hpp"
#include "request_limits.hpp"

namespace marin::sync::detail {

class RetryingRequests {
  public:
    // Every reference must outlive the object.
    RetryingRequests(boost::asio::any_io_executor executor, const ApiSettings& settings, const Targets& targets,
                     ConnectionPool& pool, RequestObserver* observer, std::shared_ptr<spdlog::logger> log);

    // GET `target` (carrying the key) until a 2xx answer passes `check`;
    // throws ApiError otherwise (cancelled when the caller's slot was emitted).
    boost::asio::awaitable<ApiResponse> get(std::string target, std::string label, BodyCheck check);

  private:
    using Clock = std::chrono::steady_clock;
    // What one failed attempt says about the next.
    struct Retry {
        std::string cause;
        std::string reason;
        std::optional<std::chrono::milliseconds> server_delay;
        bool unusable_body = false;
    };

    boost::asio::awaitable<ApiResponse> attempts(const std::string& target, const std::string& label,
                                                 const std::string& shown, const BodyCheck& check);
    boost::asio::awaitable<Permit> start_slot(const std::string& label, const std::string& shown);
    // Success, or why to retry; throws ApiError for an answer no retry can change.
    std::optional<Retry> judge(Exchange& ex, const std::string& label, const std::string& shown,
                               const BodyCheck& check) const;
    boost::asio::awaitable<bool> sleep_until(Clock::time_point when);
    [[noreturn]] void throw_cancelled(const std::string& label, const std::string& shown) const;

    boost::asio::any_io_executor executor_;
    const ApiSettings& settings_;
    const Targets& targets_;
    ConnectionPool& pool_;
    RequestObserver* observer_;
    std::shared_ptr<spdlog::logger> log_;
    AsyncSemaphore in_flight_;
    RateBudget budget_;
    std::mt19937_64 rng_;
};

}  // namespace marin::sync::detail
