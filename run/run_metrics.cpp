// The progress board's run-level figures as Prometheus gauges.
#include "marin/run/run_metrics.hpp"

#include <iterator>

#include <fmt/format.h>

namespace marin::run {

namespace {

void gauge(std::string& out, std::string_view name, std::string_view help, double value) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} gauge\n{} {}\n", name, help, name, name, value);
}

}  // namespace

std::string render_run_metrics(const ProgressSnapshot& snapshot) {
    const CurrentRun idle{};
    const CurrentRun& run = snapshot.current ? *snapshot.current : idle;
    std::string out;
    gauge(out, "marin_run_listings_done", "Listings of the run in progress that ended (read, failed or unfinished).",
          double(run.listings_done));
    gauge(out, "marin_run_listings_known",
          "Listings of the run in progress known so far (more may come until every "
          "parent is read).",
          double(run.listings_known));
    gauge(out, "marin_run_listings_failed", "Listings of the run in progress that failed.",
          double(run.listings_failed));
    gauge(out, "marin_run_requests", "HTTP responses received by the run in progress.", double(run.requests));
    gauge(out, "marin_run_rows_read", "Records read by the run in progress.", double(run.rows));
    gauge(out, "marin_run_rows_per_second", "Records read per second by the run in progress, since it started.",
          run.rows_per_second.value_or(0));
    gauge(out, "marin_run_eta_seconds",
          "Estimated seconds until the run in progress ends; -1 when there is no "
          "estimate yet (see docs/progress.md).",
          run.eta ? double(run.eta->count()) : -1.0);
    out +=
        "# HELP marin_run_phase Phase of the run in progress (1 for the current one).\n"
        "# TYPE marin_run_phase gauge\n";
    for (const RunPhase p :
         {RunPhase::starting, RunPhase::listing_objects, RunPhase::reading_statistics, RunPhase::finishing}) {
        fmt::format_to(std::back_inserter(out), "marin_run_phase{{phase=\"{}\"}} {}\n", to_string(p),
                       snapshot.current && run.phase == p ? 1 : 0);
    }
    fmt::format_to(std::back_inserter(out), "marin_run_phase{{phase=\"idle\"}} {}\n", snapshot.current ? 0 : 1);
    return out;
}

}  // namespace marin::run
