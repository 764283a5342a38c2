#pragma once
// Loggers for the whole program. In the journal: "<N>" syslog priority
// prefixes and no timestamp (journald stamps lines itself). On a terminal or in
// a file: ISO timestamp, level, logger name, message.
// Nothing here masks secrets: callers format the API key out (sync::mask_key)
// before a value reaches a log call.
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/common.h>
#include <spdlog/logger.h>

namespace marin::daemon {

enum class LogFormat {
    automatic,  // journald when stderr is connected to the journal, text otherwise
    journald,
    text,
};

// Logs to stderr.
std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::level::level_enum level,
                                            LogFormat format = LogFormat::automatic);
// Same layout onto a given sink (tests, or a file).
std::shared_ptr<spdlog::logger> make_logger(const std::string& name, spdlog::level::level_enum level, LogFormat format,
                                            spdlog::sink_ptr sink);

// automatic resolved against the process's stderr.
LogFormat resolve_log_format(LogFormat format);

// True when $JOURNAL_STREAM ("dev:ino") names the file stderr is.
bool stderr_is_journal();

// sd-daemon.h priorities: trace/debug 7, info 6, warn 4, error 3, critical 2.
int syslog_priority(spdlog::level::level_enum level);

// "trace" ... "critical", "off"; throws std::invalid_argument naming the value.
spdlog::level::level_enum parse_log_level(std::string_view name);
LogFormat parse_log_format(std::string_view name);  // "auto" "journald" "text"

}  // namespace marin::daemon
