// A session advisory lock on a connection of its own, held for a whole run,
// so that two runs (two processes, two hosts) never write the mirror at once.
// Blocking API: call it off the Asio thread.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "marin/storage/errors.hpp"

namespace marin::storage {

enum class LockMode : std::uint8_t {
    wait,       // wait up to the timeout for the holder to finish
    fail_fast,  // throw RunLockBusy at once when held
};

// The lock is held by another session. what() names the holder (backend pid,
// application_name, client address, since when) when PostgreSQL shows it.
class RunLockBusy : public StorageError {
  public:
    using StorageError::StorageError;
};

class RunLock {
  public:
    // Connects, then takes the lock. fail_fast: throws RunLockBusy when held.
    // wait: waits at most `timeout` (0 = forever), then throws RunLockBusy.
    // Connection problems throw StorageError.
    static std::unique_ptr<RunLock> acquire(const std::string& dsn, LockMode mode,
                                            std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

    ~RunLock();  // releases the lock (closing the session releases it too)
    RunLock(const RunLock&) = delete;
    RunLock& operator=(const RunLock&) = delete;

    // True while the session is alive and still holds the lock (asks the
    // server). A false here means another run may start: stop writing.
    bool held();
    // nullopt while held; else what happened to the lock, e.g. "lost the run
    // lock: its session (backend pid 123) ended: ...". Asks the server on
    // the lock's session with a statement timeout of a few seconds, so a
    // check never blocks longer (a dead network path: the TCP keepalives of
    // the connection string). Call it every few seconds during a run.
    std::optional<std::string> lost();
    // Backend pid of the session holding the lock.
    int backend_pid() const;

  private:
    struct Impl;
    explicit RunLock(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// The write lock: a second advisory lock, held by the writer's own mirror
// session (WriterSettings::write_lock). The run lock's session may be ended
// from outside while its run still writes; the writer's session cannot be
// without the writer failing. So however the run lock was lost, a second
// run's writer cannot start while the first one's still lives.
struct WriteLockPolicy {
    LockMode mode = LockMode::fail_fast;
    std::chrono::milliseconds timeout{0};  // wait: how long (0 = forever)
};

}  // namespace marin::storage
