// The [daemon], [metrics] and [log] settings: schedule, health, metrics
// listener, log level and format.
#include "loader_parts.hpp"

namespace marin::config::detail {

namespace {

constexpr std::string_view default_zoneinfo_dir = "/usr/share/zoneinfo";

}  // namespace

void read_daemon(const SettingsReader& reader, Section& s, DaemonSection& daemon, const Environment& env) {
    reader.read_duration<std::chrono::minutes, std::chrono::minutes>(s, "incremental_interval_min",
                                                                     daemon.incremental_interval, 5, 1440);
    reader.read_duration<std::chrono::seconds, std::chrono::seconds>(s, "retry_delay_s", daemon.retry_delay, 1, 3600);
    if (const auto* node = reader.read_string(s, "full_sync_time", daemon.full_sync_time, "a string \"HH:MM\"")) {
        auto minute = detail::parse_time_of_day(daemon.full_sync_time);
        if (!minute) {
            reader.fail(node->source(), "daemon.full_sync_time = " + render(*node) +
                                            " is not a valid time of day (allowed \"HH:MM\", 00:00..23:59)");
        }
        daemon.full_sync_minute_of_day = *minute;
    }
    if (const auto* node = reader.read_string(s, "timezone", daemon.timezone, "a string (an IANA time zone name)")) {
        auto dir = non_empty(env, "TZDIR").value_or(std::string(default_zoneinfo_dir));
        if (auto why = detail::check_timezone(daemon.timezone, dir)) {
            reader.fail(node->source(), "daemon.timezone = " + render(*node) + " is not a known time zone: " + *why +
                                            " (allowed an IANA name such as \"UTC\" or \"Europe/Paris\")");
        }
    }
    const auto* health = s.take("health_max_age_min");
    if (health)
        daemon.health_max_age = std::chrono::minutes(reader.integer("daemon.health_max_age_min", *health, 1, 10080));
    if (daemon.health_max_age < daemon.incremental_interval) {
        const toml::node* at = health ? health : s.table()->get("incremental_interval_min");
        reader.fail(at->source(), "daemon.health_max_age_min = " + std::to_string(daemon.health_max_age.count()) +
                                      " is less than daemon.incremental_interval_min = " +
                                      std::to_string(daemon.incremental_interval.count()) +
                                      ": the daemon would report itself unhealthy between runs (allowed "
                                      "incremental_interval_min..10080)");
    }
}

void read_metrics(const SettingsReader& reader, Section& s, MetricsSection& metrics) {
    const auto* node = reader.read_string(s, "listen", metrics.listen, "a string \"HOST:PORT\" (\"\" = off)");
    if (!node) return;
    if (metrics.listen.empty()) {
        metrics.listen_host.clear();
        metrics.listen_port = 0;
        return;
    }
    auto address = detail::parse_listen(metrics.listen);
    if (!address) {
        reader.fail(node->source(),
                    "metrics.listen = " + render(*node) +
                        " is not a valid listen address (allowed \"IPV4:PORT\" or \"[IPV6]:PORT\" with an IP "
                        "address, not a name, and port 1..65535, e.g. \"127.0.0.1:9187\"; \"\" turns metrics "
                        "off)");
    }
    metrics.listen_host = address->host;
    metrics.listen_port = address->port;
}

void read_log(const SettingsReader& reader, Section& s, LogSection& log) {
    using L = LogSection::Level;
    using F = LogSection::Format;
    reader.read_enum(
        s, "level", log.level,
        std::array{std::pair{std::string_view("trace"), L::trace}, std::pair{std::string_view("debug"), L::debug},
                   std::pair{std::string_view("info"), L::info}, std::pair{std::string_view("warn"), L::warn},
                   std::pair{std::string_view("error"), L::error}});
    reader.read_enum(
        s, "format", log.format,
        std::array{std::pair{std::string_view("auto"), F::automatic},
                   std::pair{std::string_view("journald"), F::journald}, std::pair{std::string_view("text"), F::text}});
}

}  // namespace marin::config::detail
