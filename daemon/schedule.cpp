// When the next run is due, and of which mode: a pure function of the clock.
#include "marin/daemon/schedule.hpp"

#include <algorithm>
#include <stdexcept>

namespace marin::daemon {

namespace {

// Local wall time -> instant. Nonexistent (spring forward): the transition,
// the first valid instant after it. Ambiguous (fall back): the first occurrence.
run::TimePoint to_instant(date::local_seconds local, const date::time_zone* zone) {
    if (zone == nullptr) return run::TimePoint{local.time_since_epoch()};
    const date::local_info info = zone->get_info(local);
    switch (info.result) {
        case date::local_info::unique:
            return date::sys_seconds{local.time_since_epoch() - info.first.offset};
        case date::local_info::nonexistent:
            return info.second.begin;
        case date::local_info::ambiguous:
            return date::sys_seconds{local.time_since_epoch() - info.first.offset};
    }
    throw std::logic_error("date::local_info: unknown result");
}

date::local_days local_day_of(run::TimePoint t, const date::time_zone* zone) {
    const auto secs = date::floor<std::chrono::seconds>(t);
    const date::local_seconds local =
        zone == nullptr ? date::local_seconds{secs.time_since_epoch()} : zone->to_local(secs);
    return date::floor<date::days>(local);
}

}  // namespace

run::TimePoint nightly_instant(date::local_days day, const ScheduleConfig& config) {
    const date::local_seconds local =
        day + std::chrono::hours(config.full_hour) + std::chrono::minutes(config.full_minute);
    return to_instant(local, config.zone);
}

run::TimePoint next_nightly_after(run::TimePoint t, const ScheduleConfig& config) {
    // The local day of t, and the one before in case the nightly instant of the
    // previous day lies after t (never with sane offsets, but cheap to check).
    date::local_days day = local_day_of(t, config.zone) - date::days{1};
    for (int i = 0; i < 4; ++i, day += date::days{1}) {
        const run::TimePoint candidate = nightly_instant(day, config);
        if (candidate > t) return candidate;
    }
    throw std::logic_error("next_nightly_after: no nightly instant within three days");
}

PlannedRun next_run(run::TimePoint now, std::optional<run::TimePoint> last_incremental_success,
                    std::optional<run::TimePoint> last_full_success, const ScheduleConfig& config) {
    const run::TimePoint full_at = last_full_success ? next_nightly_after(*last_full_success, config) : now;

    std::optional<run::TimePoint> last_any = last_full_success;
    if (last_incremental_success && (!last_any || *last_incremental_success > *last_any)) {
        last_any = last_incremental_success;
    }
    const run::TimePoint incremental_at = last_any ? *last_any + config.incremental_interval : now;

    if (full_at <= now) return {model::RunMode::full, now};
    if (incremental_at <= now) return {model::RunMode::incremental, now};
    if (full_at <= incremental_at) return {model::RunMode::full, full_at};
    return {model::RunMode::incremental, incremental_at};
}

}  // namespace marin::daemon
