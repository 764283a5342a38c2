// Which days a statistics window covers, and how much of its first and last
// day (time zones, DST), by the window variants.
#include "marin/sim/stats_window.hpp"

#include <date/tz.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace marin::sim {

namespace {

// A day's calendar in one clock: when each day begins, and which day an
// instant falls in.
class DayClock {
  public:
    DayClock(StatsDays days, std::string_view timezone) {
        if (days == StatsDays::utc) return;
        try {
            zone_ = date::locate_zone(std::string(timezone));
        } catch (const std::exception& e) {
            throw std::runtime_error("unknown time zone '" + std::string(timezone) + "': " + e.what());
        }
    }
    // Local midnight of day d, in UNIX seconds. A midnight that daylight
    // saving time skips begins the day at the transition.
    std::int64_t begin(Day d) const {
        if (!zone_) return static_cast<std::int64_t>(d) * 86400;
        const auto local = date::local_days{date::days{d}};
        return zone_->to_sys(local, date::choose::earliest).time_since_epoch().count();
    }
    Day day_of(std::int64_t t) const {
        if (!zone_) return static_cast<Day>(t >= 0 ? t / 86400 : (t - 86399) / 86400);
        const auto local = zone_->to_local(date::sys_seconds{std::chrono::seconds{t}});
        return static_cast<Day>(date::floor<date::days>(local).time_since_epoch().count());
    }

  private:
    const date::time_zone* zone_ = nullptr;
};

}  // namespace

WindowDays window_days(const WindowRequest& r) {
    const DayClock clock(r.days, r.timezone);
    WindowDays w;
    w.from = r.start ? std::max(r.first_day, clock.day_of(*r.start)) : r.first_day;
    w.to = r.end ? std::min(r.today, clock.day_of(*r.end)) : r.today;
    if (w.from > w.to || r.window == StatsWindow::days) return w;
    // The window covers [start, end + 1): end_date is its last second.
    const std::int64_t lo = r.start.value_or(std::numeric_limits<std::int64_t>::min());
    const std::int64_t hi = r.end ? *r.end + 1 : std::numeric_limits<std::int64_t>::max();
    auto share = [&](Day d) {
        const std::int64_t b = clock.begin(d), e = clock.begin(d + 1);
        return DayShare{std::max<std::int64_t>(0, std::min(hi, e) - std::max(lo, b)), e - b};
    };
    w.first = share(w.from);
    if (w.to != w.from) w.last = share(w.to);
    return w;
}

}  // namespace marin::sim
