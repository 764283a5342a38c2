// marin-sync: mirrors the Marin Social API into PostgreSQL.
// main only reads the command line and hands over to a command.
#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "command_support.hpp"
#include "marin/run/exit_codes.hpp"

int main(int argc, char** argv) {
    using namespace marin::app;
    CLI::App cli{"marin-sync: mirrors the Marin Social API into PostgreSQL", "marin-sync"};
    cli.set_version_flag("--version", version_string());
    cli.require_subcommand(1);

    CommonOptions common;
    std::string config_file, log_level;
    auto add_common = [&](CLI::App* sub) {
        sub->add_option("--config", config_file, "settings file (TOML); environment variables override it")
            ->check(CLI::ExistingFile);
        sub->add_option("--log-level", log_level, "trace, debug, info, warn or error (overrides log.level)");
    };

    bool full = false, no_wait = false, wait = false;
    auto* sync = cli.add_subcommand("sync", "one run, then exit (incremental unless --full)");
    sync->add_flag("--full", full, "re-read everything and reconcile removals");
    auto* wait_opt = sync->add_flag("--wait", wait, "if another run holds the lock, wait for it (default)");
    sync->add_flag("--no-wait", no_wait, "if another run holds the lock, exit 1 at once")->excludes(wait_opt);
    add_common(sync);

    auto* daemon = cli.add_subcommand("daemon", "run on a schedule until SIGTERM");
    add_common(daemon);
    auto* migrate = cli.add_subcommand("migrate", "create or upgrade the schema, then exit");
    add_common(migrate);
    int limit = 20;
    auto* status = cli.add_subcommand("status", "recent runs and what each wrote");
    status->add_option("--limit", limit, "how many runs")->check(CLI::Range(1, 10000));
    add_common(status);

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = cli.exit(e);
        return code == 0 ? marin::run::exit_success : marin::run::exit_bad_usage;
    }
    if (!config_file.empty()) common.config_file = config_file;
    if (!log_level.empty()) common.log_level = log_level;

    if (*sync) {
        std::optional<bool> wait_for_lock;
        if (no_wait) wait_for_lock = false;
        if (wait) wait_for_lock = true;
        return command_sync(common, full, wait_for_lock);
    }
    if (*daemon) return command_daemon(common);
    if (*migrate) return command_migrate(common);
    if (*status) return command_status(common, limit);
    return marin::run::exit_bad_usage;
}
