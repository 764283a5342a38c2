// SIGTERM/SIGINT for a one-shot `sync`: the first asks the run to stop (it
// commits what is in flight and records itself interrupted), a second one
// exits at once. Signals are blocked in every thread and taken by sigwait on
// a thread of their own, so no code runs inside a signal handler.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <thread>

#include "marin/run/stop_relay.hpp"

namespace marin::app {

class StopSignals final : public run::StopNotice {
  public:
    StopSignals();  // call before any other thread starts
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    // Set by the first signal (for what only takes a flag).
    const std::atomic<bool>& stop_flag() const { return stop_; }
    // `callback` is called on the signal thread at the first signal, or at
    // once if it already came; on_stop({}) removes it, and returns only once
    // a call in progress has ended (so what it uses may then go).
    void on_stop(std::function<void()> callback) override;

  private:
    sigset_t set_{};
    std::atomic<bool> stop_{false};
    std::atomic<bool> done_{false};
    run::StopRelay relay_;
    std::thread waiter_;
};

}  // namespace marin::app
