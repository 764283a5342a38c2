// The run lock's watch thread: a lock check every interval, and a stop passed on to the crawl once.
#include "run_lock_watch.hpp"

namespace marin::run {

RunLockWatch::RunLockWatch(storage::RunLock& lock, const std::atomic<bool>& outer_stop,
                           std::chrono::milliseconds interval, std::shared_ptr<spdlog::logger> log,
                           std::function<void()> on_stop)
    : lock_(lock),
      outer_stop_(outer_stop),
      log_(std::move(log)),
      on_stop_(std::move(on_stop)),
      thread_([this, interval] { watch(interval); }) {}

RunLockWatch::~RunLockWatch() {
    {
        std::lock_guard guard(mutex_);
        done_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void RunLockWatch::request_stop() {
    {
        std::lock_guard guard(mutex_);
        stop_requested_ = true;
    }
    wake_.notify_all();
}

std::optional<std::string> RunLockWatch::lost() const {
    std::lock_guard guard(mutex_);
    return lost_;
}

void RunLockWatch::watch(std::chrono::milliseconds interval) {
    bool stop_passed = false;
    auto next_check = std::chrono::steady_clock::now() + interval;
    std::unique_lock guard(mutex_);
    while (!done_) {
        // Woken by request_stop(), the destructor, or the next lock check.
        wake_.wait_until(guard, next_check, [&] { return done_ || (stop_requested_ && !stop_passed); });
        if (done_) break;
        if (!stop_passed && (stop_requested_ || outer_stop_.load())) {
            stop_passed = true;
            guard.unlock();
            on_stop_();
            guard.lock();
        }
        if (std::chrono::steady_clock::now() < next_check) continue;
        guard.unlock();  // the check talks to the server: lost() stays answerable meanwhile
        auto why = lock_.lost();
        guard.lock();
        next_check = std::chrono::steady_clock::now() + interval;
        if (!why) continue;
        lost_ = *why;
        log_->error("{}; stopping the run so that no two runs write at once", *why);
        guard.unlock();
        if (!stop_passed) on_stop_();
        guard.lock();
        // A lost lock stays lost; a stop needs no passing on now.
        break;
    }
}

}  // namespace marin::run
