// When and how long to wait before another attempt (private to marin_sync).
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

namespace marin::sync::detail {

// Statuses worth another attempt: rate limiting and server faults.
bool is_retryable_status(unsigned status) noexcept;

// A Retry-After header: delta seconds, or an IMF-fixdate HTTP date
// ("Sun, 06 Nov 1994 08:49:37 GMT"). A date in the past gives 0. nullopt
// when the value is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// The wait before attempt `next_attempt` (2 = first retry). With a
// server-given delay: that delay, but at least `initial` (so that
// "Retry-After: 0" or a past date never becomes a hot loop) and at most
// `max`. Without: exponential backoff with full jitter, uniform in
// [0, min(max, initial * 2^(next_attempt - 2))].
std::chrono::milliseconds backoff_delay(unsigned next_attempt, std::optional<std::chrono::milliseconds> server_delay,
                                        std::chrono::milliseconds initial, std::chrono::milliseconds max,
                                        std::mt19937_64& rng);

}  // namespace marin::sync::detail
