// SIGTERM/SIGINT of a one-shot `sync`, taken by sigwait on their own thread and passed on by callback.
#include "stop_signals.hpp"

#include <pthread.h>
#include <unistd.h>

#include <cstdio>

namespace marin::app {

StopSignals::StopSignals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGUSR1);  // wakes the waiter at destruction
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    waiter_ = std::thread([this] {
        for (;;) {
            int sig = 0;
            if (sigwait(&set_, &sig) != 0) continue;
            if (done_.load()) return;
            if (sig == SIGUSR1) continue;
            if (stop_.exchange(true)) {
                static const char msg[] = "marin-sync: second stop signal, exiting now\n";
                [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
                std::_Exit(1);
            }
            relay_.request();
        }
    });
}

StopSignals::~StopSignals() {
    done_.store(true);
    pthread_kill(waiter_.native_handle(), SIGUSR1);
    waiter_.join();
}

void StopSignals::on_stop(std::function<void()> callback) { relay_.on_stop(std::move(callback)); }

}  // namespace marin::app
