// Whether the mirror is fresh enough for /healthz.
#include "marin/daemon/health.hpp"

#include <fmt/format.h>

#include "marin/run/terminal_progress.hpp"  // run::format_duration

namespace marin::daemon {

HealthStatus evaluate_health(std::optional<run::TimePoint> last_success, run::TimePoint now,
                             std::chrono::seconds max_age) {
    if (!last_success) return {false, "no successful run recorded yet"};
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *last_success);
    if (age < max_age) return {true, "ok"};
    return {false, fmt::format("last successful run ended {} ago (max {})", run::format_duration(age),
                               run::format_duration(max_age))};
}

}  // namespace marin::daemon
