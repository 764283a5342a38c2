// The [database] and [sync] settings: connection, queue and batch sizes,
// statistics windows, the removal guard and the run lock.
#include "loader_parts.hpp"

namespace marin::config::detail {

void read_database(const SettingsReader& reader, Section& s, DatabaseSection& db) {
    if (const auto* node = reader.read_string(s, "dsn", db.dsn, "a string (a libpq connection string or URI)")) {
        if (db.dsn.empty()) {
            reader.fail(node->source(),
                        "database.dsn = \"\" is empty (allowed a libpq connection string or a postgresql:// URI)");
        }
    }
    reader.read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "statement_timeout_s",
                                                                          db.statement_timeout, 0, 86400);
    reader.read_duration<std::chrono::milliseconds, std::chrono::seconds>(s, "connect_timeout_s", db.connect_timeout, 1,
                                                                          300);
    reader.read_integer(s, "queue_capacity", db.queue_capacity, 1, 1024);
    reader.read_integer(s, "batch_rows", db.batch_rows, 1, 100000);
}

void read_sync(const SettingsReader& reader, Section& s, SyncSection& sync) {
    reader.read_integer(s, "stats_lookback_days", sync.stats_lookback_days, 1, 365);
    reader.read_integer(s, "stats_full_days", sync.stats_full_days, 1, 1095);
    reader.read_number(s, "removal_guard_ratio", sync.removal_guard_ratio, 0, 1);
    reader.read_integer(s, "removal_guard_min_rows", sync.removal_guard_min_rows, 0, 1000000000);
    reader.read_integer(s, "incremental_skip_ended_days", sync.incremental_skip_ended_days, 0, 3650);
    reader.read_enum(s, "lock_wait", sync.lock_wait,
                     std::array{std::pair{std::string_view("wait"), SyncSection::LockWait::wait},
                                std::pair{std::string_view("fail"), SyncSection::LockWait::fail}});
    reader.read_duration<std::chrono::seconds, std::chrono::seconds>(s, "lock_timeout_s", sync.lock_timeout, 1, 86400);
    if (sync.stats_full_days < sync.stats_lookback_days) {
        const toml::node* at = s.table() ? s.table()->get("stats_full_days") : nullptr;
        if (!at) at = s.table()->get("stats_lookback_days");
        reader.fail(at->source(),
                    "sync.stats_full_days = " + std::to_string(sync.stats_full_days) +
                        " is less than sync.stats_lookback_days = " + std::to_string(sync.stats_lookback_days) +
                        " (allowed stats_lookback_days..1095)");
    }
}

}  // namespace marin::config::detail
