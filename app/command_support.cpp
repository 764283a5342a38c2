// What every subcommand does first: load the settings, make the logger.
#include "command_support.hpp"

#include <cstdio>

#include "marin/config/load.hpp"
#include "marin/daemon/logging.hpp"
#include "marin/storage/migrator.hpp"
#include "marin/storage/run_log.hpp"
#include "settings_bridge.hpp"

namespace marin::app {

std::string version_string() { return MARIN_VERSION; }

std::optional<config::Settings> load_or_report(const CommonOptions& common, const config::Environment& env) {
    try {
        std::optional<std::filesystem::path> file;
        if (common.config_file) file = *common.config_file;
        auto settings = config::load_settings(file, env);
        if (common.log_level) {
            using L = config::LogSection::Level;
            const auto& l = *common.log_level;
            if (l == "trace")
                settings.log.level = L::trace;
            else if (l == "debug")
                settings.log.level = L::debug;
            else if (l == "info")
                settings.log.level = L::info;
            else if (l == "warn")
                settings.log.level = L::warn;
            else if (l == "error")
                settings.log.level = L::error;
            else
                throw config::ConfigError("--log-level " + l + " is not one of trace, debug, info, warn, error");
        }
        return settings;
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "marin-sync: %s\n", e.what());
        return std::nullopt;
    }
}

std::shared_ptr<spdlog::logger> make_run_logger(const config::Settings& settings) {
    return daemon::make_logger("marin-sync", log_level(settings), log_format(settings));
}

bool schema_ready(const config::Settings& settings, spdlog::logger& log) {
    try {
        storage::Migrator::check_schema(settings.database.connection_string(),
                                        storage::bookkeeping_timeout(settings.database.statement_timeout));
        return true;
    } catch (const std::exception& e) {
        log.error("cannot start: {}", e.what());
        return false;
    }
}

}  // namespace marin::app
