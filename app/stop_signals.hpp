// SIGTERM/SIGINT for a one-shot `sync`: the first asks the run to stop (it
// commits what is in flight and records itself interrupted), a second one
// exits at once. Signals are blocked in every thread and taken by sigwait on
// a thread of their own, so no code runs inside a signal handler.
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

namespace marin::app {

class StopSignals {
public:
    StopSignals();  // call before any other thread starts
    ~StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

    const std::atomic<bool>& stop_flag() const { return stop_; }

private:
    sigset_t set_{};
    std::atomic<bool> stop_{false};
    std::atomic<bool> done_{false};
    std::thread waiter_;
};

}  // namespace marin::app
