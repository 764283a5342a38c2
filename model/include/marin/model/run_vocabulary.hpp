// The words every library uses for a run, defined once so that sync,
// storage, the run and the daemon say the same thing: its mode, how it
// ended, what it did to a table, which rows a listing covers, and the days
// of statistics it reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace marin::model {

// incremental: recent changes and a statistics look-back; full: everything,
// and removals reconciled.
enum class RunMode : std::uint8_t { incremental, full };

// "incremental" / "full": the text in marin.sync_runs.mode, the `mode`
// metric label and log lines.
std::string_view to_string(RunMode mode);
std::optional<RunMode> run_mode_from_string(std::string_view text);

enum class RunOutcome : std::uint8_t {
    running,  // begun, not finished (or its process died: storage's mark_abandoned_runs)
    succeeded,
    failed,       // ended by an error; what was written stays written
    interrupted,  // stopped by a stop request, or found abandoned by a later process
};
// "running", "succeeded", "failed", "interrupted": marin.sync_runs.outcome.
std::string_view to_string(RunOutcome outcome);
std::optional<RunOutcome> run_outcome_from_string(std::string_view text);

// What one run did to one table. read = records received from the API;
// rejected = records that could not be keyed (not stored); sanitized =
// values the mapper made safe to store; inserted + changed + unchanged =
// distinct keys merged; removed = rows marked _removed_at (cascades
// included). The crawl fills the first three, the writer the rest.
struct TableCounts {
    std::int64_t read = 0;
    std::int64_t inserted = 0;
    std::int64_t changed = 0;
    std::int64_t unchanged = 0;
    std::int64_t removed = 0;
    std::int64_t rejected = 0;
    std::int64_t sanitized = 0;

    TableCounts& operator+=(const TableCounts& other);
};

// Which rows of a table one listing covers: those whose parent columns hold
// these values (nullopt = IS NULL, e.g. ads listed per campaign without an
// ad-set link: {{"campaign_id","9"},{"ad_set_id",nullopt}}); an empty filter
// covers the whole table. Columns must be columns of the table's spec.
// `name` identifies the listing within the run in logs and checkpoints
// ("ads@adset:123"); empty: the rows belong to no listing that will be
// completed (incremental reads, statistics), and their keys are not recorded.
struct ListingScope {
    std::string name;
    std::vector<std::pair<std::string, std::optional<std::string>>> parent_filter;
};

// The statistics a run reads. Days are the account's days, and the API may
// apply start_date to the second: a window starting at UTC midnight of the
// first day would cut that day for any account east or west of UTC, and a
// cut day would overwrite the whole one stored earlier. So the request's
// window starts at UTC midnight a day before `from`, and rows of days before
// `from` are dropped: `from` is then whole for every offset within a day. In
// a time zone ahead of UTC "today" is already tomorrow's UTC date, so the
// window ends at the end of the UTC day after `to`.
struct StatsWindow {
    std::string from, to;             // the days whose statistics are kept, YYYY-MM-DD
    std::int64_t start = 0, end = 0;  // the request's window, UNIX seconds
};
// The window of `days` days back from the UTC day of `now`.
StatsWindow stats_window(std::chrono::system_clock::time_point now, unsigned days);

}  // namespace marin::model
