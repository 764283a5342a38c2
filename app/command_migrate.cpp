// `marin-sync migrate`: creates or upgrades the schema.
#include <cstdio>

#include "command_support.hpp"
#include "marin/run/exit_codes.hpp"
#include "marin/config/load.hpp"
#include "marin/storage/migrator.hpp"

namespace marin::app {

int command_migrate(const CommonOptions& common) {
    const auto settings = load_or_report(common, config::Environment::from_process());
    if (!settings) return run::exit_bad_usage;
    auto log = make_run_logger(*settings);
    try {
        const auto applied = storage::Migrator::migrate(settings->database.connection_string(), log);
        if (applied.empty())
            log->info("schema is current (version {})", storage::latest_schema_version());
        else
            log->info("applied {} migration(s); schema is at version {}", applied.size(),
                      storage::latest_schema_version());
        return run::exit_success;
    } catch (const std::exception& e) {
        log->error("migrate failed on {}: {}", config::mask_dsn(settings->database.dsn), e.what());
        return run::exit_run_failed;
    }
}

}  // namespace marin::app
