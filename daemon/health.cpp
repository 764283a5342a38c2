#include "marin/daemon/health.hpp"

#include <fmt/format.h>

#include "marin/daemon/terminal_progress.hpp"  // format_duration

namespace marin::daemon {

HealthStatus evaluate_health(std::optional<TimePoint> last_success, TimePoint now, std::chrono::seconds max_age) {
  if (!last_success) return {false, "no successful run recorded yet"};
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - *last_success);
  if (age < max_age) return {true, "ok"};
  return {false, fmt::format("last successful run ended {} ago (max {})", format_duration(age),
                             format_duration(max_age))};
}

}  // namespace marin::daemon
