#pragma once
// The effective settings of one marin-sync process: plain data with the
// defaults that apply when neither the config file nor the environment says
// otherwise. load_settings() (load.hpp) fills and validates them; the app
// converts each section into the settings struct of the library that uses
// it, so this header depends on nothing but the standard library.
//
// The TOML key of each member is given in its comment; durations are
// integers whose unit is the key's suffix (_ms, _s, _min, _days).
// config/marin-sync.example.toml documents every key.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace marin::config {

using namespace std::chrono_literals;

struct ApiSection {
    std::string base_url = "https://api.mysocialpixel.com";  // api.base_url, env MARIN_API_URL
    // The agency token. Never printed: describe() masks it, errors never hold it.
    // Resolved from MARIN_API_KEY > MARIN_API_KEY_FILE >
    // $CREDENTIALS_DIRECTORY/marin-api-key > api.key_file > api.key.
    std::string key;
    // Where `key` came from, for the log ("MARIN_API_KEY", "file /path (from
    // MARIN_API_KEY_FILE)", ...); empty when no key is set.
    std::string key_origin;
    std::string key_file;                                // api.key_file (relative paths: to the config file's folder)
    std::string ca_file;                                 // api.ca_file; "" = the system trust store
    bool tls_verify = true;                              // api.tls_verify
    unsigned max_in_flight = 8;                          // api.max_in_flight, 1..256
    double requests_per_second = 0;                      // api.requests_per_second, 0 = unlimited, 0..10000
    std::chrono::milliseconds connect_timeout{10s};      // api.connect_timeout_s, 1..300
    std::chrono::milliseconds read_timeout{30s};         // api.read_timeout_s, 1..3600
    std::chrono::milliseconds request_timeout{120s};     // api.request_timeout_s, 1..86400
    unsigned max_attempts = 6;                           // api.max_attempts, 1..20
    std::chrono::milliseconds backoff_initial{500ms};    // api.backoff_initial_ms, 1..600000
    std::chrono::milliseconds backoff_max{30s};          // api.backoff_max_ms, 1..3600000, >= initial
    std::uint64_t max_body_bytes = 64ull * 1024 * 1024;  // api.max_body_bytes, 1 KiB..1 GiB
    unsigned page_limit = 300;                           // api.page_limit, 1..300

    bool operator==(const ApiSection&) const = default;
};

struct DatabaseSection {
    std::string dsn = "postgresql:///marin";            // database.dsn, env MARIN_PG_DSN
    std::chrono::milliseconds statement_timeout{300s};  // database.statement_timeout_s, 0 (none)..86400
    std::chrono::milliseconds connect_timeout{10s};     // database.connect_timeout_s, 1..300
    unsigned queue_capacity = 8;                        // database.queue_capacity (batches), 1..1024
    unsigned batch_rows = 2000;                         // database.batch_rows, 1..100000

    // The DSN as libpq takes it: with connect_timeout set from
    // connect_timeout_s, unless the DSN names its own. Without it, libpq waits
    // on a server that accepts and never answers for as long as TCP lets it.
    // Also TCP keepalives (keepalives=1, idle 10 s, interval 5 s, count 3)
    // unless the DSN names any keepalives setting.
    std::string connection_string() const;

    bool operator==(const DatabaseSection&) const = default;
};

struct SyncSection {
    enum class LockWait { wait, fail };

    // Incremental runs re-read this many days of statistics. A week: the
    // networks' default attribution (Meta: 7-day click, 1-day view) restates
    // within it; a rarer, later restatement comes with the nightly full run.
    unsigned stats_lookback_days = 7;      // sync.stats_lookback_days, 1..365
    unsigned stats_full_days = 90;         // sync.stats_full_days, 1..1095, >= lookback
    double removal_guard_ratio = 0.2;      // sync.removal_guard_ratio, 0..1 (1 = off)
    unsigned removal_guard_min_rows = 50;  // sync.removal_guard_min_rows, 0..1000000000
    // Incremental runs skip campaigns that ended (or were archived or deleted)
    // longer ago than this; full runs read them all.
    unsigned incremental_skip_ended_days = 7;  // sync.incremental_skip_ended_days, 0..3650
    LockWait lock_wait = LockWait::wait;       // sync.lock_wait, "wait" | "fail"
    std::chrono::seconds lock_timeout{3600s};  // sync.lock_timeout_s, 1..86400

    bool operator==(const SyncSection&) const = default;
};

struct DaemonSection {
    std::chrono::minutes incremental_interval{60min};  // daemon.incremental_interval_min, 5..1440
    std::string full_sync_time = "02:30";              // daemon.full_sync_time, "HH:MM"
    // full_sync_time as minutes after midnight, filled by the loader.
    std::chrono::minutes full_sync_minute_of_day{2h + 30min};
    std::string timezone = "UTC";                 // daemon.timezone, IANA name (zoneinfo)
    std::chrono::minutes health_max_age{180min};  // daemon.health_max_age_min, 1..10080, >= interval
    // After a failed run the next waits this long, doubling with each failure
    // in a row up to incremental_interval (read when the daemon starts).
    std::chrono::seconds retry_delay{60s};  // daemon.retry_delay_s, 1..3600
    // Not a setting: systemd's WATCHDOG_USEC (when WATCHDOG_PID is absent or
    // ours); zero when the service has no watchdog.
    std::chrono::microseconds watchdog{0};

    bool operator==(const DaemonSection&) const = default;
};

struct MetricsSection {
    std::string listen = "127.0.0.1:9187";  // metrics.listen, "" = off
    // listen split by the loader: the IP literal (IPv6 without brackets) and the port.
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 9187;

    bool enabled() const { return !listen.empty(); }
    bool operator==(const MetricsSection&) const = default;
};

struct LogSection {
    enum class Level { trace, debug, info, warn, error };
    // automatic: journald when stderr is connected to the journal
    // ($JOURNAL_STREAM, see effective_log_format() in load.hpp), else text.
    enum class Format { automatic, journald, text };

    Level level = Level::info;          // log.level
    Format format = Format::automatic;  // log.format, "auto" | "journald" | "text"

    bool operator==(const LogSection&) const = default;
};

struct Settings {
    ApiSection api;
    DatabaseSection database;
    SyncSection sync;
    DaemonSection daemon;
    MetricsSection metrics;
    LogSection log;
    std::string source = "(defaults)";  // the config file's path, or "(defaults)"
    // Accepted but risky choices (tls_verify = false, a key sent over plain
    // http, a key in a file others can read). The app logs each at every run.
    std::vector<std::string> warnings;
};

// The names used in the TOML file ("trace", "wait", "auto", ...).
std::string_view to_string(LogSection::Level level);
std::string_view to_string(LogSection::Format format);
std::string_view to_string(SyncSection::LockWait wait);

}  // namespace marin::config
