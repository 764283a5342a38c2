#pragma once
// Which day buckets a statistics request's window covers, and how much of
// the first and last of them: start_date/end_date are instants (UNIX
// seconds), days follow UTC or the account's time zone (StatsDays), and a
// window that starts or ends inside a day either serves that day whole or
// only its seconds inside the window (StatsWindow).
#include <cstdint>
#include <optional>
#include <string_view>

#include "marin/sim/variants.hpp"
#include "marin/sim/world.hpp"

namespace marin::sim {

// The seconds of a day inside the window, over the day's length (23, 24 or
// 25 hours in a time zone with daylight saving time).
struct DayShare {
    std::int64_t inside = 1;
    std::int64_t length = 1;
    bool whole() const { return inside >= length; }
};

struct WindowDays {
    Day from = 0, to = -1;  // inclusive; empty when from > to
    DayShare first;         // of `from` (with StatsWindow::seconds; whole otherwise)
    DayShare last;          // of `to`; when from == to, `first` is the day's share and `last` is whole
};

struct WindowRequest {
    std::optional<std::int64_t> start, end;  // start_date, end_date (inclusive seconds)
    Day first_day = 0, today = 0;            // the days that have statistics
    StatsDays days = StatsDays::account;
    StatsWindow window = StatsWindow::days;
    std::string_view timezone;  // IANA name, for StatsDays::account
};

// Throws std::runtime_error for a time zone the system's database lacks.
WindowDays window_days(const WindowRequest& r);

}  // namespace marin::sim
