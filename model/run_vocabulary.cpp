// The run vocabulary: names as stored in marin.sync_runs, counts added up, the statistics window.
#include "marin/model/run_vocabulary.hpp"

#include <array>
#include <cstdio>

namespace marin::model {

namespace {
constexpr std::array<std::string_view, 4> outcome_names = {"running", "succeeded", "failed", "interrupted"};

std::string format_day(std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    std::array<char, 16> buf{};
    std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf.data();
}

std::int64_t seconds_of(std::chrono::sys_days day) {
    return std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count();
}
}  // namespace

std::string_view to_string(RunMode mode) { return mode == RunMode::full ? "full" : "incremental"; }

std::optional<RunMode> run_mode_from_string(std::string_view text) {
    if (text == "full") return RunMode::full;
    if (text == "incremental") return RunMode::incremental;
    return std::nullopt;
}

std::string_view to_string(RunOutcome outcome) { return outcome_names[static_cast<std::size_t>(outcome)]; }

std::optional<RunOutcome> run_outcome_from_string(std::string_view text) {
    for (std::size_t i = 0; i < outcome_names.size(); ++i)
        if (outcome_names[i] == text) return static_cast<RunOutcome>(i);
    return std::nullopt;
}

TableCounts& TableCounts::operator+=(const TableCounts& other) {
    read += other.read;
    inserted += other.inserted;
    changed += other.changed;
    unchanged += other.unchanged;
    removed += other.removed;
    rejected += other.rejected;
    sanitized += other.sanitized;
    return *this;
}

StatsWindow stats_window(std::chrono::system_clock::time_point now, unsigned days) {
    const auto today = std::chrono::floor<std::chrono::days>(now);
    const auto first_day = today - std::chrono::days(days);
    StatsWindow w;
    w.from = format_day(first_day);
    w.to = format_day(today + std::chrono::days(1));
    w.start = seconds_of(first_day - std::chrono::days(1));
    w.end = seconds_of(today + std::chrono::days(2)) - 1;
    return w;
}

}  // namespace marin::model
