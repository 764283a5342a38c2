// One GET to a usable answer: in-flight slot, rate budget, retry decision, backoff; a stop ends each wait.
#include "retrying_request.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <fmt/format.h>

#include "retry_policy.hpp"

namespace marin::sync::detail {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

asio::awaitable<bool> stop_requested() {
    auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

RetryingRequests::RetryingRequests(asio::any_io_executor executor, const ApiSettings& settings, const Targets& targets,
                                   ConnectionPool& pool, RequestObserver* observer, std::shared_ptr<spdlog::logger> log)
    : executor_(executor),
      settings_(settings),
      targets_(targets),
      pool_(pool),
      observer_(observer),
      log_(std::move(log)),
      in_flight_(executor, std::max(settings.max_in_flight, 1u)),
      budget_(settings.requests_per_second),
      rng_(std::random_device{}()) {}

void RetryingRequests::throw_cancelled(const std::string& label, const std::string& shown) const {
    throw ApiError(ApiError::Kind::cancelled, 0, label,
                   fmt::format("GET {} ({}): cancelled, the run is stopping", shown, label));
}

asio::awaitable<ApiResponse> RetryingRequests::get(std::string target, std::string label, BodyCheck check) {
    const std::string shown = targets_.masked(targets_.origin().prefix() + target);
    try {
        co_return co_await attempts(target, label, shown, check);
    } catch (const boost::system::system_error& e) {
        // A caller that lets Asio throw on cancellation (the default) gets
        // operation_aborted from the co_await itself: the same stop.
        if (e.code() != asio::error::operation_aborted) throw;
    }
    throw_cancelled(label, shown);
}

// Waits until `when`; false when a stop ended the wait.
asio::awaitable<bool> RetryingRequests::sleep_until(Clock::time_point when) {
    const bool stopping = co_await stop_requested();
    if (stopping) co_return false;
    asio::steady_timer timer(executor_, when);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;
}

// An in-flight slot, then the start the rate budget gives.
asio::awaitable<Permit> RetryingRequests::start_slot(const std::string& label, const std::string& shown) {
    const bool granted = co_await in_flight_.acquire();
    if (!granted) throw_cancelled(label, shown);
    Permit permit(in_flight_);
    const bool stopping = co_await stop_requested();
    if (stopping) throw_cancelled(label, shown);
    const auto slot = budget_.reserve();
    if (slot > Clock::now()) {
        const bool waited = co_await sleep_until(slot);
        if (!waited) throw_cancelled(label, shown);
    }
    co_return permit;
}

std::optional<RetryingRequests::Retry> RetryingRequests::judge(Exchange& ex, const std::string& label,
                                                               const std::string& shown, const BodyCheck& check) const {
    Retry retry;
    switch (ex.failure) {
        case Failure::none:
            break;
        case Failure::retryable:
        case Failure::stale:
            retry.cause = ex.cause;
            retry.reason = ex.reason;
            return retry;
        case Failure::body_too_large:
            // Named after the setting, so that the operator knows what to raise.
            throw ApiError(ApiError::Kind::body_too_large, 0, label,
                           fmt::format("GET {} ({}): {}: {} bytes allowed (api.max_body_bytes)", shown, label, ex.cause,
                                       settings_.max_body_bytes));
        case Failure::protocol:
            throw ApiError(ApiError::Kind::protocol, 0, label,
                           fmt::format("GET {} ({}): {}", shown, label, targets_.masked(ex.cause)));
        case Failure::tls:
            throw ApiError(ApiError::Kind::transport, 0, label, fmt::format("GET {} ({}): {}", shown, label, ex.cause));
    }
    if (ex.status >= 200 && ex.status < 300) {
        const std::string unusable = check ? check(ex.body) : std::string();
        if (unusable.empty()) return std::nullopt;
        retry.unusable_body = true;
        retry.reason = "unusable body";
        retry.cause = fmt::format("HTTP {} with an unusable body: {}", ex.status, targets_.masked(unusable));
        return retry;
    }
    const auto message = targets_.masked(extract_error_message(ex.body));
    // The answer alone is the cause of a retry (its warning and the final
    // "gave up" name the request once, before it).
    const auto answer = fmt::format("HTTP {}{}{}", ex.status, message.empty() ? "" : ": ", message);
    const auto what = fmt::format("GET {} ({}): {}", shown, label, answer);
    switch (ex.status) {
        case 400:
            throw ApiError(ApiError::Kind::bad_request, ex.status, label, what);
        case 401:
        case 403:
            throw ApiError(ApiError::Kind::auth_refused, ex.status, label, what);
        case 404:
            throw ApiError(ApiError::Kind::not_found, ex.status, label, what);
        default:
            break;
    }
    if (!is_retryable_status(ex.status)) {
        throw ApiError(ApiError::Kind::protocol, ex.status, label,
                       fmt::format("GET {} ({}): unexpected HTTP {}{}{}", shown, label, ex.status,
                                   message.empty() ? "" : ": ", message));
    }
    retry.reason = std::to_string(ex.status);
    retry.cause = answer;
    if (!ex.retry_after.empty()) retry.server_delay = parse_retry_after(ex.retry_after);
    return retry;
}

asio::awaitable<ApiResponse> RetryingRequests::attempts(const std::string& target, const std::string& label,
                                                        const std::string& shown, const BodyCheck& check) {
    const unsigned max_attempts = std::max(settings_.max_attempts, 1u);
    for (unsigned attempt_no = 1;; ++attempt_no) {
        const bool stopping = co_await stop_requested();
        if (stopping) throw_cancelled(label, shown);
        auto permit = co_await start_slot(label, shown);
        const auto started = Clock::now();
        Exchange ex = co_await pool_.exchange(target, started + settings_.request_timeout);
        permit.release();
        // A stop cut the attempt short: that is no answer of the API's.
        const bool cut_short = co_await stop_requested();
        if (cut_short) throw_cancelled(label, shown);
        const auto latency = Clock::now() - started;
        const unsigned status = ex.failure == Failure::none ? ex.status : 0;
        if (observer_) observer_->on_response(label, status, latency, ex.body.size());
        log_->debug("GET {} ({}) -> {} in {} ms, {} bytes", shown, label,
                    status != 0 ? std::to_string(status) : ex.cause,
                    std::chrono::duration_cast<milliseconds>(latency).count(), ex.body.size());

        auto retry = judge(ex, label, shown, check);
        if (!retry) co_return ApiResponse{ex.status, std::move(ex.body), attempt_no};
        if (attempt_no >= max_attempts) {
            throw ApiError(retry->unusable_body ? ApiError::Kind::protocol : ApiError::Kind::retries_exhausted, status,
                           label,
                           fmt::format("GET {} ({}): gave up after {} attempts; last: {}", shown, label, attempt_no,
                                       retry->cause));
        }
        const auto delay =
            backoff_delay(attempt_no + 1, retry->server_delay, settings_.backoff_initial, settings_.backoff_max, rng_);
        if (observer_) observer_->on_retry(label, retry->reason, delay);
        log_->warn("GET {} ({}): {} (attempt {}/{}); retrying in {} ms", shown, label, retry->cause, attempt_no,
                   max_attempts, delay.count());
        const bool slept = co_await sleep_until(Clock::now() + delay);
        if (!slept) throw_cancelled(label, shown);
    }
}

}  // namespace marin::sync::detail
