// Daemon: when the next incremental and nightly full runs are due.
#include <gtest/gtest.h>

#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include "marin/daemon/schedule.hpp"

namespace {

using namespace std::chrono_literals;
using marin::daemon::next_nightly_after;
using marin::daemon::next_run;
using marin::daemon::nightly_instant;
using marin::daemon::PlannedRun;
using marin::daemon::ScheduleConfig;
using marin::model::RunMode;
using marin::run::TimePoint;

TimePoint utc(int y, unsigned m, unsigned d, int h, int min) {
    return date::sys_days{date::year{y} / date::month{m} / date::day{d}} + std::chrono::hours(h) +
           std::chrono::minutes(min);
}

ScheduleConfig paris() {
    ScheduleConfig c;
    c.incremental_interval = 60min;
    c.full_hour = 2;
    c.full_minute = 30;
    c.zone = date::locate_zone("Europe/Paris");
    return c;
}

TEST(Schedule, IncrementalIntervalAfterLastSuccess) {
    ScheduleConfig c = paris();
    const TimePoint last_inc = utc(2024, 1, 10, 12, 0);
    const TimePoint last_full = utc(2024, 1, 10, 1, 40);  // tonight's full is next
    PlannedRun p = next_run(last_inc + 10min, last_inc, last_full, c);
    EXPECT_EQ(p.mode, RunMode::incremental);
    EXPECT_EQ(p.at, last_inc + 60min);
    // Due: planned now.
    p = next_run(last_inc + 61min, last_inc, last_full, c);
    EXPECT_EQ(p.mode, RunMode::incremental);
    EXPECT_EQ(p.at, last_inc + 61min);
}

TEST(Schedule, FullRunCountsAsIncremental) {
    ScheduleConfig c = paris();
    const TimePoint last_full = utc(2024, 1, 10, 1, 45);
    const TimePoint last_inc = utc(2024, 1, 10, 0, 30);
    const PlannedRun p = next_run(last_full + 5min, last_inc, last_full, c);
    EXPECT_EQ(p.mode, RunMode::incremental);
    EXPECT_EQ(p.at, last_full + 60min);
}

TEST(Schedule, NoHistoryMeansFullNow) {
    const ScheduleConfig c = paris();
    const TimePoint now = utc(2024, 5, 1, 9, 0);
    EXPECT_EQ(next_run(now, std::nullopt, std::nullopt, c).mode, RunMode::full);
    EXPECT_EQ(next_run(now, std::nullopt, std::nullopt, c).at, now);
    // Incremental successes but never a full one: the full read is still owed.
    EXPECT_EQ(next_run(now, now - 5min, std::nullopt, c).mode, RunMode::full);
}

TEST(Schedule, NightlyFullAtLocalTime) {
    const ScheduleConfig c = paris();
    // Winter, UTC+1: 02:30 local is 01:30 UTC.
    const TimePoint last_full = utc(2024, 1, 10, 1, 40);
    const TimePoint last_inc = utc(2024, 1, 11, 0, 50);  // 01:50 local; the next incremental would be 02:50
    const PlannedRun p = next_run(utc(2024, 1, 11, 1, 0), last_inc, last_full, c);
    EXPECT_EQ(p.mode, RunMode::full);
    EXPECT_EQ(p.at, utc(2024, 1, 11, 1, 30));
    // Summer, UTC+2: 02:30 local is 00:30 UTC.
    EXPECT_EQ(nightly_instant(date::local_days{date::year{2024} / 7 / 1}, c), utc(2024, 7, 1, 0, 30));
}

TEST(Schedule, FullWinsWhenBothDue) {
    const ScheduleConfig c = paris();
    const TimePoint now = utc(2024, 1, 11, 1, 31);
    const PlannedRun p = next_run(now, utc(2024, 1, 10, 20, 0), utc(2024, 1, 10, 1, 40), c);
    EXPECT_EQ(p.mode, RunMode::full);
    EXPECT_EQ(p.at, now);
}

TEST(Schedule, TieBetweenFullAndIncrementalGoesToFull) {
    const ScheduleConfig c = paris();
    const TimePoint nightly = utc(2024, 1, 11, 1, 30);
    const PlannedRun p = next_run(nightly - 30min, nightly - 60min, utc(2024, 1, 10, 1, 40), c);
    EXPECT_EQ(p.mode, RunMode::full);
    EXPECT_EQ(p.at, nightly);
}

TEST(Schedule, SpringForwardNonexistentTimeRunsAtTransition) {
    const ScheduleConfig c = paris();
    // 31 March 2024: 02:00 CET jumps to 03:00 CEST (01:00 UTC); 02:30 does not exist.
    const TimePoint t = nightly_instant(date::local_days{date::year{2024} / 3 / 31}, c);
    EXPECT_EQ(t, utc(2024, 3, 31, 1, 0));
    EXPECT_EQ(next_nightly_after(utc(2024, 3, 30, 1, 40), c), utc(2024, 3, 31, 1, 0));
    // The day after: 02:30 CEST = 00:30 UTC.
    EXPECT_EQ(next_nightly_after(utc(2024, 3, 31, 1, 5), c), utc(2024, 4, 1, 0, 30));
}

TEST(Schedule, FallBackAmbiguousTimeRunsOnceAtFirstOccurrence) {
    const ScheduleConfig c = paris();
    // 27 October 2024: 03:00 CEST falls back to 02:00 CET (01:00 UTC); 02:30
    // happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    const TimePoint first = utc(2024, 10, 27, 0, 30);
    EXPECT_EQ(nightly_instant(date::local_days{date::year{2024} / 10 / 27}, c), first);
    EXPECT_EQ(next_nightly_after(utc(2024, 10, 26, 0, 40), c), first);
    // A full run that ended at 02:40 CEST is not repeated at 02:30 CET.
    const TimePoint ended = utc(2024, 10, 27, 0, 40);
    EXPECT_EQ(next_nightly_after(ended, c), utc(2024, 10, 28, 1, 30));
    const PlannedRun p = next_run(utc(2024, 10, 27, 1, 30), ended, ended, c);
    EXPECT_EQ(p.mode, RunMode::incremental);
    EXPECT_EQ(p.at, ended + 60min);
}

TEST(Schedule, CatchUpAfterDowntime) {
    const ScheduleConfig c = paris();
    // Down from 23:00 to 10:00 local (January, UTC+1): the 02:30 full was missed.
    const TimePoint last_full = utc(2024, 1, 9, 1, 50);
    const TimePoint last_inc = utc(2024, 1, 9, 22, 0);
    const TimePoint now = utc(2024, 1, 10, 9, 0);
    PlannedRun p = next_run(now, last_inc, last_full, c);
    EXPECT_EQ(p.mode, RunMode::full);
    EXPECT_EQ(p.at, now);
    // Down only from 14:00 to 18:00: the full is not owed, the incremental is.
    p = next_run(utc(2024, 1, 10, 17, 0), utc(2024, 1, 10, 13, 0), utc(2024, 1, 10, 1, 50), c);
    EXPECT_EQ(p.mode, RunMode::incremental);
    EXPECT_EQ(p.at, utc(2024, 1, 10, 17, 0));
}

TEST(Schedule, NullZoneIsUtc) {
    ScheduleConfig c;
    c.incremental_interval = 30min;
    c.full_hour = 3;
    c.full_minute = 15;
    EXPECT_EQ(next_nightly_after(utc(2024, 6, 1, 3, 15), c), utc(2024, 6, 2, 3, 15));
    EXPECT_EQ(next_nightly_after(utc(2024, 6, 1, 3, 14), c), utc(2024, 6, 1, 3, 15));
}

// Drives next_run the way the daemon loop does (next starts only after the
// previous ended) across both 2024 DST changes; every full run must be at the
// nightly instant, once per local day.
struct SimulatedRun {
    RunMode mode;
    TimePoint start;
    TimePoint end;
};

std::vector<SimulatedRun> simulate(TimePoint from, TimePoint until, std::chrono::minutes run_length,
                                   const ScheduleConfig& c) {
    std::vector<SimulatedRun> runs;
    std::optional<TimePoint> last_inc, last_full = from - 1min;
    TimePoint now = from;
    while (now < until) {
        const PlannedRun p = next_run(now, last_inc, last_full, c);
        const TimePoint start = std::max(p.at, now);
        const TimePoint end = start + run_length;
        runs.push_back({p.mode, start, end});
        (p.mode == RunMode::full ? last_full : last_inc) = end;
        now = end;
    }
    return runs;
}

void check_nights(const std::vector<SimulatedRun>& runs, const std::vector<TimePoint>& expected_full_starts) {
    std::vector<TimePoint> full_starts;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (i > 0) {
            EXPECT_GE(runs[i].start, runs[i - 1].end) << "runs overlap";
        }
        if (runs[i].mode == RunMode::full) full_starts.push_back(runs[i].start);
        if (i > 0 && runs[i].mode == RunMode::incremental) {
            EXPECT_LE(runs[i].start - runs[i - 1].end, 60min);
        }
    }
    // A full run due while an incremental runs waits for it (at most one run length).
    ASSERT_EQ(full_starts.size(), expected_full_starts.size());
    for (std::size_t i = 0; i < full_starts.size(); ++i) {
        EXPECT_GE(full_starts[i], expected_full_starts[i]);
        EXPECT_LE(full_starts[i], expected_full_starts[i] + 3min);
    }
}

TEST(Schedule, SimulatedSpringForwardWeekend) {
    const ScheduleConfig c = paris();
    const auto runs = simulate(utc(2024, 3, 29, 12, 0), utc(2024, 4, 2, 12, 0), 3min, c);
    check_nights(runs,
                 {utc(2024, 3, 30, 1, 30), utc(2024, 3, 31, 1, 0), utc(2024, 4, 1, 0, 30), utc(2024, 4, 2, 0, 30)});
}

TEST(Schedule, SimulatedFallBackWeekend) {
    const ScheduleConfig c = paris();
    const auto runs = simulate(utc(2024, 10, 25, 12, 0), utc(2024, 10, 29, 12, 0), 3min, c);
    check_nights(
        runs, {utc(2024, 10, 26, 0, 30), utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30), utc(2024, 10, 29, 1, 30)});
}

TEST(Schedule, LongRunsDelayButNeverOverlap) {
    ScheduleConfig c = paris();
    c.incremental_interval = 15min;
    // Runs longer than the interval: the next starts right after the previous ends.
    const auto runs = simulate(utc(2024, 2, 1, 12, 0), utc(2024, 2, 1, 18, 0), 40min, c);
    for (std::size_t i = 1; i < runs.size(); ++i) {
        EXPECT_GE(runs[i].start, runs[i - 1].end);
        EXPECT_EQ(runs[i].start, runs[i - 1].end + 15min);
    }
}

}  // namespace
