// The settings' names as text, and the libpq connection string built from
// [database] (connect timeout and TCP keepalives added).
#include "marin/config/settings.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace marin::config {

std::string_view to_string(LogSection::Level level) {
    switch (level) {
        case LogSection::Level::trace:
            return "trace";
        case LogSection::Level::debug:
            return "debug";
        case LogSection::Level::info:
            return "info";
        case LogSection::Level::warn:
            return "warn";
        case LogSection::Level::error:
            return "error";
    }
    return "?";
}

std::string_view to_string(LogSection::Format format) {
    switch (format) {
        case LogSection::Format::automatic:
            return "auto";
        case LogSection::Format::journald:
            return "journald";
        case LogSection::Format::text:
            return "text";
    }
    return "?";
}

std::string DatabaseSection::connection_string() const {
    std::vector<std::pair<std::string, std::string>> added;
    if (dsn.find("connect_timeout") == std::string::npos) {
        const auto seconds = std::max<long long>(1, (connect_timeout.count() + 999) / 1000);
        added.emplace_back("connect_timeout", std::to_string(seconds));
    }
    // TCP keepalives: a dead network path (a failover, a firewall dropping the
    // flow) is noticed in about idle + interval x count = 25 s, not at the
    // operating system's two hours, on every session (the run lock's one is
    // idle for a whole run). A DSN naming any keepalives setting keeps its own.
    if (dsn.find("keepalives") == std::string::npos) {
        added.emplace_back("keepalives", "1");
        added.emplace_back("keepalives_idle", "10");
        added.emplace_back("keepalives_interval", "5");
        added.emplace_back("keepalives_count", "3");
    }
    const bool uri = dsn.starts_with("postgresql://") || dsn.starts_with("postgres://");
    std::string out = dsn;
    for (const auto& [key, value] : added) {
        if (uri)
            out += (out.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
        else
            out += " " + key + "=" + value;
    }
    return out;
}

std::string_view to_string(SyncSection::LockWait wait) {
    switch (wait) {
        case SyncSection::LockWait::wait:
            return "wait";
        case SyncSection::LockWait::fail:
            return "fail";
    }
    return "?";
}

}  // namespace marin::config
