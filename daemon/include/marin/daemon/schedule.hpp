#pragma once
// When the next run happens, and of which kind. A pure function of the clock
// and of the last successes: the daemon loop asks it again after every run, at
// start, after SIGHUP and whenever it wakes up.
#include <chrono>
#include <optional>
#include <string_view>

#include <date/tz.h>

#include "marin/model/run_vocabulary.hpp"
#include "marin/run/clock.hpp"

namespace marin::daemon {

struct ScheduleConfig {
    // An incremental run starts this long after the end of the last successful
    // run of either mode (a full run refreshes everything an incremental would).
    std::chrono::minutes incremental_interval{60};
    // The nightly full run, local wall-clock time in `zone`.
    int full_hour = 2;
    int full_minute = 30;
    // From date::locate_zone(name); nullptr means UTC.
    const date::time_zone* zone = nullptr;
};

struct PlannedRun {
    model::RunMode mode = model::RunMode::incremental;
    run::TimePoint at;  // == now when the run is due already
};

// The next run. Rules:
// - no full success ever recorded: a full run now (an empty or unknown mirror
//   needs the complete read that also reconciles removals);
// - full is due once a nightly instant (HH:MM local) has passed since the last
//   full success, so a nightly run missed while the daemon was down is caught
//   up at start (the last full success is then older than a day plus the time
//   since the missed nightly instant);
// - incremental is due `incremental_interval` after the last success of any
//   mode; with no success at all it is due now;
// - full wins when both are due; otherwise the earlier of the two (full on a
//   tie); a due run is planned at `now`.
// DST: a nightly time that does not exist that day (spring forward) runs at
// the first valid instant after it (the transition); an ambiguous one (fall
// back) runs once, at its first occurrence.
// Success times are the ends of the runs. Overlap is the caller's business:
// the daemon loop asks for the next run only once the previous has ended.
PlannedRun next_run(run::TimePoint now, std::optional<run::TimePoint> last_incremental_success,
                    std::optional<run::TimePoint> last_full_success, const ScheduleConfig& config);

// The instant of the nightly full run on a given local day in config.zone
// (DST rules as above).
run::TimePoint nightly_instant(date::local_days day, const ScheduleConfig& config);

// The first nightly instant strictly after `t`.
run::TimePoint next_nightly_after(run::TimePoint t, const ScheduleConfig& config);

}  // namespace marin::daemon
