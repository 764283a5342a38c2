#pragma once
// Is the mirror fresh? /healthz answers from this.
#include <chrono>
#include <optional>
#include <string>

#include "marin/run/clock.hpp"

namespace marin::daemon {

struct HealthStatus {
    bool ok = false;
    std::string reason;  // "ok", or why not, e.g. "last successful run 3h12m ago (max 2h00m)"
};

// Healthy when the last successful run (of any mode) ended less than max_age ago.
HealthStatus evaluate_health(std::optional<run::TimePoint> last_success, run::TimePoint now,
                             std::chrono::seconds max_age);

}  // namespace marin::daemon
