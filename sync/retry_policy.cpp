#include "retry_policy.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

namespace marin::sync::detail {

bool is_retryable_status(unsigned status) noexcept {
    switch (status) {
        case 408:
        case 429:
        case 500:
        case 502:
        case 503:
        case 504:
            return true;
        default:
            return false;
    }
}

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool read_int(std::string_view s, int& out) {
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) {
    const auto comma = s.find(", ");
    if (comma == std::string_view::npos) return std::nullopt;
    s.remove_prefix(comma + 2);
    if (s.size() != 24 || s.substr(20) != " GMT") return std::nullopt;
    static constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    if (!read_int(s.substr(0, 2), day) || s[2] != ' ' || s[6] != ' ' || !read_int(s.substr(7, 4), year) ||
        s[11] != ' ' || !read_int(s.substr(12, 2), hour) || s[14] != ':' || !read_int(s.substr(15, 2), minute) ||
        s[17] != ':' || !read_int(s.substr(18, 2), second)) {
        return std::nullopt;
    }
    const auto month_it = std::find(months.begin(), months.end(), s.substr(3, 3));
    if (month_it == months.end()) return std::nullopt;
    using namespace std::chrono;
    const year_month_day ymd{std::chrono::year{year},
                             std::chrono::month{static_cast<unsigned>(month_it - months.begin() + 1)},
                             std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    return sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second};
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value,
                                                           std::chrono::system_clock::time_point now) {
    using namespace std::chrono;
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (value.find_first_not_of("0123456789") == std::string_view::npos) {
        std::uint64_t secs = 0;
        const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
        if (ec == std::errc::result_out_of_range) return hours{24 * 365};  // clamped by the caller
        if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
        return duration_cast<milliseconds>(seconds{std::min<std::uint64_t>(secs, 86400ull * 365)});
    }
    const auto when = parse_http_date(value);
    if (!when) return std::nullopt;
    if (*when <= now) return milliseconds{0};
    return duration_cast<milliseconds>(*when - now);
}

std::chrono::milliseconds backoff_delay(unsigned next_attempt, std::optional<std::chrono::milliseconds> server_delay,
                                        std::chrono::milliseconds initial, std::chrono::milliseconds max,
                                        std::mt19937_64& rng) {
    using std::chrono::milliseconds;
    initial = std::max(initial, milliseconds{0});
    max = std::max(max, initial);
    if (server_delay) return std::clamp(*server_delay, initial, max);
    const unsigned doublings = std::min(next_attempt < 2 ? 0u : next_attempt - 2, 30u);
    const auto ceiling_count = std::min<long double>(static_cast<long double>(initial.count()) * (1ull << doublings),
                                                     static_cast<long double>(max.count()));
    std::uniform_int_distribution<std::int64_t> dist(0, static_cast<std::int64_t>(ceiling_count));
    return milliseconds{dist(rng)};
}

}  // namespace marin::sync::detail
