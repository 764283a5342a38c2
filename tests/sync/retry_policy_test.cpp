// Sync: Retry-After parsing and the backoff between attempts.
#include <gtest/gtest.h>

#include "retry_policy.hpp"

using namespace std::chrono;
using marin::sync::detail::backoff_delay;
using marin::sync::detail::is_retryable_status;
using marin::sync::detail::parse_retry_after;

TEST(RetryAfter, DeltaSeconds) {
    EXPECT_EQ(parse_retry_after("3"), milliseconds{3000});
    EXPECT_EQ(parse_retry_after(" 0 "), milliseconds{0});
}

TEST(RetryAfter, HttpDate) {
    const auto now = sys_days{year{2024} / 3 / 1} + hours{12};
    EXPECT_EQ(parse_retry_after("Fri, 01 Mar 2024 12:00:10 GMT", now), milliseconds{10000});
    EXPECT_EQ(parse_retry_after("Fri, 01 Mar 2024 11:00:00 GMT", now), milliseconds{0});  // past
}

TEST(RetryAfter, Garbage) {
    EXPECT_FALSE(parse_retry_after(""));
    EXPECT_FALSE(parse_retry_after("soon"));
    EXPECT_FALSE(parse_retry_after("-5"));
    EXPECT_FALSE(parse_retry_after("Fri, 41 Mar 2024 12:00:10 GMT"));
}

TEST(Backoff, ServerDelayIsClampedBetweenInitialAndMax) {
    std::mt19937_64 rng(1);
    EXPECT_EQ(backoff_delay(2, milliseconds{0}, milliseconds{500}, milliseconds{30000}, rng), milliseconds{500});
    EXPECT_EQ(backoff_delay(2, milliseconds{2000}, milliseconds{500}, milliseconds{30000}, rng), milliseconds{2000});
    EXPECT_EQ(backoff_delay(2, hours{1}, milliseconds{500}, milliseconds{30000}, rng), milliseconds{30000});
}

TEST(Backoff, FullJitterWithinTheExponentialCeiling) {
    std::mt19937_64 rng(7);
    for (unsigned attempt = 2; attempt < 40; ++attempt) {
        const auto ceiling = std::min<long long>(500LL << std::min(attempt - 2, 20u), 30000);
        for (int i = 0; i < 20; ++i) {
            const auto d = backoff_delay(attempt, std::nullopt, milliseconds{500}, milliseconds{30000}, rng);
            EXPECT_GE(d.count(), 0);
            EXPECT_LE(d.count(), ceiling);
        }
    }
}

TEST(Backoff, RetryableStatuses) {
    for (unsigned s : {429u, 500u, 502u, 503u, 504u}) EXPECT_TRUE(is_retryable_status(s)) << s;
    for (unsigned s : {200u, 202u, 400u, 403u, 404u, 501u}) EXPECT_FALSE(is_retryable_status(s)) << s;
}
