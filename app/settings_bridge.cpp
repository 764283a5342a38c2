// Fills each library's settings from the validated configuration.
#include "settings_bridge.hpp"

#include "marin/storage/run_log.hpp"

#include <date/tz.h>

namespace marin::app {

sync::ApiSettings api_settings(const config::Settings& s) {
    sync::ApiSettings a;
    a.base_url = s.api.base_url;
    a.key = s.api.key;
    a.ca_file = s.api.ca_file;
    a.tls_verify = s.api.tls_verify;
    a.max_in_flight = s.api.max_in_flight;
    a.requests_per_second = s.api.requests_per_second;
    a.connect_timeout = s.api.connect_timeout;
    a.read_timeout = s.api.read_timeout;
    a.request_timeout = s.api.request_timeout;
    a.max_attempts = s.api.max_attempts;
    a.backoff_initial = s.api.backoff_initial;
    a.backoff_max = s.api.backoff_max;
    a.max_body_bytes = s.api.max_body_bytes;
    a.page_limit = s.api.page_limit;
    return a;
}

storage::WriterSettings writer_settings(const config::Settings& s) {
    storage::WriterSettings w;
    w.dsn = s.database.connection_string();
    w.channel_capacity = s.database.queue_capacity;
    w.statement_timeout = s.database.statement_timeout;
    w.removal_guard_ratio = s.sync.removal_guard_ratio;
    w.removal_guard_min_rows = s.sync.removal_guard_min_rows;
    return w;
}

storage::LockMode lock_mode(const config::Settings& s) {
    return s.sync.lock_wait == config::SyncSection::LockWait::wait ? storage::LockMode::wait
                                                                   : storage::LockMode::fail_fast;
}

sync::CrawlSettings crawl_settings(const config::Settings& s, model::RunMode mode) {
    sync::CrawlSettings c;
    c.mode = mode;
    c.now = std::chrono::system_clock::now();
    // The statistics window, computed once: the crawl reads it, the figures
    // check compares over it.
    c.stats_window =
        model::stats_window(c.now, mode == model::RunMode::full ? s.sync.stats_full_days : s.sync.stats_lookback_days);
    c.skip_ended_days = s.sync.incremental_skip_ended_days;
    // More listings in progress than requests in flight, so that mapping and
    // waiting on the writer overlap with requests.
    c.concurrent_listings = s.api.max_in_flight * 2;
    c.batch_rows = s.database.batch_rows;
    return c;
}

run::RunSettings run_settings(const config::Settings& s, model::RunMode mode) {
    run::RunSettings r;
    r.dsn = s.database.connection_string();
    r.api = api_settings(s);
    r.writer = writer_settings(s);
    r.lock_mode = lock_mode(s);
    r.lock_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(s.sync.lock_timeout);
    r.crawl = crawl_settings(s, mode);
    r.bookkeeping_timeout = storage::bookkeeping_timeout(s.database.statement_timeout);
    r.warnings = s.warnings;
    return r;
}

daemon::ScheduleConfig schedule_config(const config::Settings& s) {
    daemon::ScheduleConfig c;
    c.incremental_interval = s.daemon.incremental_interval;
    const auto minute_of_day = s.daemon.full_sync_minute_of_day.count();
    c.full_hour = static_cast<int>(minute_of_day / 60);
    c.full_minute = static_cast<int>(minute_of_day % 60);
    c.zone = date::locate_zone(s.daemon.timezone);
    return c;
}

spdlog::level::level_enum log_level(const config::Settings& s) {
    using L = config::LogSection::Level;
    switch (s.log.level) {
        case L::trace:
            return spdlog::level::trace;
        case L::debug:
            return spdlog::level::debug;
        case L::info:
            return spdlog::level::info;
        case L::warn:
            return spdlog::level::warn;
        case L::error:
            return spdlog::level::err;
    }
    return spdlog::level::info;
}

daemon::LogFormat log_format(const config::Settings& s) {
    using F = config::LogSection::Format;
    switch (s.log.format) {
        case F::automatic:
            return daemon::LogFormat::automatic;
        case F::journald:
            return daemon::LogFormat::journald;
        case F::text:
            return daemon::LogFormat::text;
    }
    return daemon::LogFormat::automatic;
}

}  // namespace marin::app
