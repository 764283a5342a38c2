// Keeps the run lock real for the whole run, and carries stop requests to
// the crawl. The lock lives on a session of its own that is idle for the
// whole run, so a DBA's idle-connection killer, a pooler or a failover can
// end it unnoticed, and a second run could then take the lock. This thread
// asks the lock's session every `interval` whether it still holds the lock;
// when it does not, the run stops (failed, naming the lost lock). The write
// lock held by the writer's own session (storage::WriteLockPolicy) keeps a
// second run from writing until then.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <spdlog/logger.h>

#include "marin/storage/run_lock.hpp"

namespace marin::run {

class RunLockWatch {
  public:
    // Starts watching. `on_stop` (the crawl's request_stop) is called once,
    // on this watch's thread, when the lock is lost or a stop is requested:
    // by request_stop(), or by `outer_stop`, a flag its owner sets without
    // telling anyone (the daemon's run hook), read at each lock check. Both
    // must outlive the watch.
    RunLockWatch(storage::RunLock& lock, const std::atomic<bool>& outer_stop, std::chrono::milliseconds interval,
                 std::shared_ptr<spdlog::logger> log, std::function<void()> on_stop);
    ~RunLockWatch();  // stops the thread; call before the lock goes
    RunLockWatch(const RunLockWatch&) = delete;
    RunLockWatch& operator=(const RunLockWatch&) = delete;

    // Passes a stop on at once (a signal). Callable from any thread.
    void request_stop();
    // What happened to the lock, once it was lost.
    std::optional<std::string> lost() const;

  private:
    void watch(std::chrono::milliseconds interval);

    storage::RunLock& lock_;
    const std::atomic<bool>& outer_stop_;
    std::shared_ptr<spdlog::logger> log_;
    std::function<void()> on_stop_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    bool stop_requested_ = false;
    std::optional<std::string> lost_;
    std::thread thread_;  // last: starts once the rest is built
};

}  // namespace marin::run
