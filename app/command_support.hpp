// What every subcommand does first: settings and a logger.
#pragma once

#include <memory>
#include <optional>

#include <spdlog/logger.h>

#include "commands.hpp"
#include "marin/config/environment.hpp"
#include "marin/config/settings.hpp"

namespace marin::app {

// Loads and validates the settings; nullopt after printing why (exit 2).
std::optional<config::Settings> load_or_report(const CommonOptions& common, const config::Environment& env);
std::shared_ptr<spdlog::logger> make_run_logger(const config::Settings& settings);
std::string version_string();
// Whether the database holds the schema this binary writes (migrated, not
// newer); false after logging "cannot start: <why>".
bool schema_ready(const config::Settings& settings, spdlog::logger& log);

}  // namespace marin::app
