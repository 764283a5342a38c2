// The subcommands of marin-sync (CONTRACT.md, "Command line").
#pragma once

#include <optional>
#include <string>

namespace marin::app {

struct CommonOptions {
    std::optional<std::string> config_file;
    std::optional<std::string> log_level;  // overrides log.level
};

int command_sync(const CommonOptions& common, bool full, std::optional<bool> wait_for_lock);
int command_daemon(const CommonOptions& common);
int command_migrate(const CommonOptions& common);
int command_status(const CommonOptions& common, int limit);

}  // namespace marin::app
