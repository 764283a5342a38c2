#pragma once
// The HTML page at "/": self-contained (inline CSS, no script, no external
// asset), refreshes itself every 5 s.
#include <optional>
#include <string>
#include <string_view>

#include "marin/daemon/health.hpp"
#include "marin/run/progress.hpp"
#include "marin/daemon/schedule.hpp"

namespace marin::daemon {

struct StatusPageData {
    std::string version;
    run::ProgressSnapshot progress;
    HealthStatus health;
    std::optional<PlannedRun> next_run;
};

std::string render_status_page(const StatusPageData& data);

std::string html_escape(std::string_view text);

}  // namespace marin::daemon
