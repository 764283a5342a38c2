// The lock phase: the run lock, then the runs left 'running' by a process that is gone.
#include "phases.hpp"

namespace marin::run {

std::unique_ptr<storage::RunLock> take_run_lock(const RunSettings& settings, storage::RunLog& runs,
                                                const std::shared_ptr<spdlog::logger>& log) {
    log->debug("waiting for the run lock");
    auto lock = storage::RunLock::acquire(settings.dsn, settings.lock_mode, settings.lock_timeout);
    runs.mark_abandoned_runs(log);
    return lock;
}

}  // namespace marin::run
