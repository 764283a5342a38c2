// Calendar helpers of the simulator (UTC days as YYYY-MM-DD, month bounds).
#include <chrono>

#include "marin/sim/world.hpp"

namespace marin::sim {

std::string format_day(Day d) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{d}}};
    char buf[16];
    const int y = static_cast<int>(ymd.year());
    const unsigned m = static_cast<unsigned>(ymd.month());
    const unsigned dd = static_cast<unsigned>(ymd.day());
    buf[0] = static_cast<char>('0' + (y / 1000) % 10);
    buf[1] = static_cast<char>('0' + (y / 100) % 10);
    buf[2] = static_cast<char>('0' + (y / 10) % 10);
    buf[3] = static_cast<char>('0' + y % 10);
    buf[4] = '-';
    buf[5] = static_cast<char>('0' + m / 10);
    buf[6] = static_cast<char>('0' + m % 10);
    buf[7] = '-';
    buf[8] = static_cast<char>('0' + dd / 10);
    buf[9] = static_cast<char>('0' + dd % 10);
    return std::string(buf, 10);
}

std::optional<Day> parse_day(std::string_view s) {
    using namespace std::chrono;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    auto y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
    if (!y || !m || !d) return std::nullopt;
    const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
    if (!ymd.ok()) return std::nullopt;
    return static_cast<Day>(sys_days{ymd}.time_since_epoch().count());
}

Day month_start(Day d) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{d}}};
    const year_month_day first{ymd.year(), ymd.month(), day{1}};
    return static_cast<Day>(sys_days{first}.time_since_epoch().count());
}

Day next_month_start(Day d) {
    using namespace std::chrono;
    const year_month_day ymd{sys_days{days{d}}};
    const year_month_day first = year_month_day{ymd.year(), ymd.month(), day{1}} + months{1};
    return static_cast<Day>(sys_days{first}.time_since_epoch().count());
}

}  // namespace marin::sim
