// A run's face to its observers: its start and its end, each reported once,
// whoever started the run (`sync` or the daemon).
#pragma once

#include <chrono>
#include <memory>

#include <spdlog/logger.h>

#include "marin/run/run_once.hpp"

namespace marin::run {

class RunReporting {
  public:
    RunReporting(RunObservers observers, model::RunMode mode, std::shared_ptr<spdlog::logger> log);

    // The run starts: the board shows it, the metrics count it in progress.
    void begin();
    // The run ended: its rows and outcome in the metrics, its details and end
    // on the board, the display stopped, then its summary logged (the only
    // place a run's summary is logged). `stop_requested`: a failure during a
    // stop request counts as interrupted.
    void end(const RunReport& report, bool stop_requested);

  private:
    RunObservers observers_;
    model::RunMode mode_;
    std::shared_ptr<spdlog::logger> log_;
    std::chrono::system_clock::time_point started_{};
};

}  // namespace marin::run
