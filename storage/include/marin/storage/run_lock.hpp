// A session advisory lock on a connection of its own, held for a whole run,
// so that two runs (two processes, two hosts) never write the mirror at once.
// Blocking API: call it off the Asio thread.
#pragma once

#include <chrono>
#include <memory>
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
    // Backend pid of the session holding the lock.
    int backend_pid() const;

private:
    struct Impl;
    explicit RunLock(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace marin::storage
