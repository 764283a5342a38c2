// Watches the run lock's session during a run and stops the run when the lock is lost.
#include "run_lock_watch.hpp"

namespace marin::run {

namespace {
// How often a stop request is passed on to the run's flag (the crawl looks
// at that flag every 100 ms too).
constexpr std::chrono::milliseconds stop_poll{100};
}  // namespace

RunLockWatch::RunLockWatch(storage::RunLock& lock, const std::atomic<bool>& outer_stop,
                           std::chrono::milliseconds interval, std::shared_ptr<spdlog::logger> log)
    : lock_(lock), outer_stop_(outer_stop), log_(std::move(log)), thread_([this, interval] { watch(interval); }) {}

RunLockWatch::~RunLockWatch() {
    {
        std::lock_guard guard(mutex_);
        done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::optional<std::string> RunLockWatch::lost() const {
    std::lock_guard guard(mutex_);
    return lost_;
}

void RunLockWatch::watch(std::chrono::milliseconds interval) {
    auto next_check = std::chrono::steady_clock::now() + interval;
    std::unique_lock guard(mutex_);
    while (!done_) {
        wake_.wait_for(guard, stop_poll, [this] { return done_; });
        if (done_) break;
        if (outer_stop_.load()) stop_ = true;
        if (std::chrono::steady_clock::now() < next_check) continue;
        guard.unlock();  // the check talks to the server: lost() stays answerable meanwhile
        auto why = lock_.lost();
        guard.lock();
        next_check = std::chrono::steady_clock::now() + interval;
        if (!why) continue;
        lost_ = *why;
        log_->error("{}; stopping the run so that no two runs write at once", *why);
        stop_ = true;
        // A lost lock stays lost; a stop request needs no forwarding now.
        break;
    }
}

}  // namespace marin::run
