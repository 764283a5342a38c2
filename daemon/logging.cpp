// The daemon's logger: journald fields under systemd, plain text elsewhere.
#include "marin/daemon/logging.hpp"

#include <cstdlib>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <systemd/sd-daemon.h>

namespace marin::daemon {

int syslog_priority(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return 7;  // SD_DEBUG
        case spdlog::level::info:
            return 6;  // SD_INFO
        case spdlog::level::warn:
            return 4;  // SD_WARNING
        case spdlog::level::err:
            return 3;  // SD_ERR
        case spdlog::level::critical:
            return 2;  // SD_CRIT
        default:
            return 6;
    }
}

namespace {

static_assert(SD_DEBUG[1] == '7' && SD_INFO[1] == '6' && SD_WARNING[1] == '4' && SD_ERR[1] == '3' && SD_CRIT[1] == '2',
              "syslog priorities as in sd-daemon.h");

// %* in the pattern: "<N>" read by journald as the line's priority.
class PriorityFlag final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        const char text[] = {'<', static_cast<char>('0' + syslog_priority(msg.level)), '>'};
        dest.append(text, text + sizeof text);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<PriorityFlag>(); }
};

}  // namespace

bool stderr_is_journal() {
    const char* value = std::getenv("JOURNAL_STREAM");
    if (value == nullptr) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(value, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (::fstat(STDERR_FILENO, &st) != 0) return false;
    return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

LogFormat resolve_log_format(LogFormat format) {
    if (format != LogFormat::automatic) return format;
    return stderr_is_journal() ? LogFormat::journald : LogFormat::text;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::level::level_enum level, LogFormat format,
                                            spdlog::sink_ptr sink) {
    format = resolve_log_format(format);
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (format == LogFormat::journald) {
        // No timestamp: journald stamps each line on arrival.
        formatter->add_flag<PriorityFlag>('*').set_pattern("%*[%n] %v");
    } else {
        // ISO 8601 local time with offset, then level and logger name.
        formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ [%n] %v");
    }
    sink->set_formatter(std::move(formatter));
    auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
    logger->set_level(level);
    // Warnings and worse reach the journal or terminal at once.
    logger->flush_on(spdlog::level::warn);
    return logger;
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::level::level_enum level,
                                            LogFormat format) {
    format = resolve_log_format(format);
    spdlog::sink_ptr sink;
    if (format == LogFormat::journald) {
        sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();  // no colour codes in the journal
    } else {
        sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();  // colours only on a terminal
    }
    return make_logger(name, level, format, std::move(sink));
}

spdlog::level::level_enum parse_log_level(std::string_view name) {
    static constexpr std::pair<std::string_view, spdlog::level::level_enum> level_names[] = {
        {"trace", spdlog::level::trace},       {"debug", spdlog::level::debug},  {"info", spdlog::level::info},
        {"warn", spdlog::level::warn},         {"warning", spdlog::level::warn}, {"error", spdlog::level::err},
        {"critical", spdlog::level::critical}, {"off", spdlog::level::off}};
    for (const auto& [text, level] : level_names) {
        if (text == name) return level;
    }
    throw std::invalid_argument(
        fmt::format("log level \"{}\": expected trace, debug, info, warn, error, critical or off", name));
}

LogFormat parse_log_format(std::string_view name) {
    if (name == "auto" || name == "automatic") return LogFormat::automatic;
    if (name == "journald" || name == "journal") return LogFormat::journald;
    if (name == "text") return LogFormat::text;
    throw std::invalid_argument(fmt::format("log format \"{}\": expected auto, journald or text", name));
}

}  // namespace marin::daemon
