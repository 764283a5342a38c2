#pragma once
// The wall clock as an injectable function: the schedule, the health check and
// the progress rates read time through it, so tests move time instead of
// sleeping.
#include <chrono>
#include <functional>

namespace marin::run {

using TimePoint = std::chrono::system_clock::time_point;
using NowFn = std::function<TimePoint()>;

inline TimePoint system_now() { return std::chrono::system_clock::now(); }

}  // namespace marin::run
