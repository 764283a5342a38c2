// A stop request passed on at once to the run that listens for it
// (run::StopNotice): a one-shot sync's signal thread and the daemon loop
// call request(), the run's lock watch listens.
#pragma once

#include <functional>
#include <mutex>

#include "marin/run/run_once.hpp"

namespace marin::run {

class StopRelay final : public StopNotice {
  public:
    // Calls the listener the first time since the last reset(), on this
    // thread; remembered for a listener that comes later.
    void request();
    // A new run: an earlier request is forgotten.
    void reset();
    void on_stop(std::function<void()> callback) override;

  private:
    std::mutex mutex_;  // held while the listener runs: on_stop({}) waits for it
    bool requested_ = false;
    std::function<void()> listener_;
};

}  // namespace marin::run
