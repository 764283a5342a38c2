// `marin-sync status`: prints the recent runs of marin.sync_runs.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cstdio>

#include "command_support.hpp"
#include "marin/run/exit_codes.hpp"
#include "marin/config/load.hpp"
#include "marin/storage/run_log.hpp"

namespace marin::app {

int command_status(const CommonOptions& common, int limit) {
    const auto settings = load_or_report(common, config::Environment::from_process());
    if (!settings) return run::exit_bad_usage;
    try {
        const auto runs = storage::recent_runs(settings->database.connection_string(), limit,
                                               storage::bookkeeping_timeout(settings->database.statement_timeout));
        // "reread": listings read twice because their total fell while read.
        std::printf("%-6s %-11s %-20s %-9s %-11s %9s %9s %9s %9s %9s %7s  %s\n", "run", "mode", "started (UTC)",
                    "duration", "outcome", "requests", "inserted", "changed", "unchanged", "removed", "reread",
                    "error");
        for (const auto& r : runs) {
            model::TableCounts sum;
            for (const auto& [table, c] : r.totals.tables) sum += c;
            std::int64_t requests = 0;
            for (const auto& [status, n] : r.totals.requests_by_status) requests += n;
            std::string duration = "-";
            if (r.finished_at)
                duration = fmt::format(
                    "{}s", std::chrono::duration_cast<std::chrono::seconds>(*r.finished_at - r.started_at).count());
            const auto started =
                fmt::format("{:%Y-%m-%d %H:%M:%S}", std::chrono::floor<std::chrono::seconds>(r.started_at));
            std::printf("%-6lld %-11s %-20s %-9s %-11s %9lld %9lld %9lld %9lld %9lld %7lld  %s\n",
                        static_cast<long long>(r.run_id), r.mode.c_str(), started.c_str(), duration.c_str(),
                        std::string(model::to_string(r.outcome)).c_str(), static_cast<long long>(requests),
                        static_cast<long long>(sum.inserted), static_cast<long long>(sum.changed),
                        static_cast<long long>(sum.unchanged), static_cast<long long>(sum.removed),
                        static_cast<long long>(r.totals.listings_reread), r.error.substr(0, 200).c_str());
        }
        if (runs.empty()) std::printf("(no runs yet)\n");
        return run::exit_success;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "marin-sync: status failed on %s: %s\n", config::mask_dsn(settings->database.dsn).c_str(),
                     e.what());
        return run::exit_run_failed;
    }
}

}  // namespace marin::app
