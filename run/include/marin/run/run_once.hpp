// One sync run, start to end: the run lock, the resume window, the crawl and
// its bookkeeping, recorded in marin.sync_runs and reported to the run's
// observers (progress board, metrics) and its log. Blocking; `sync` calls it
// on its main thread, `daemon` on its run thread. docs/design.md, "A run's
// rooms", draws its phases.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "marin/model/run_vocabulary.hpp"
#include "marin/run/metrics.hpp"
#include "marin/run/progress.hpp"
#include "marin/run/terminal_progress.hpp"
#include "marin/storage/mirror_writer.hpp"
#include "marin/storage/run_lock.hpp"
#include "marin/storage/run_log.hpp"
#include "marin/sync/api_settings.hpp"
#include "marin/sync/crawl_engine.hpp"

namespace marin::run {

// What a run needs, filled from the configuration by the command line
// (app/settings_bridge.cpp): the run itself reads no configuration.
struct RunSettings {
    std::string dsn;
    sync::ApiSettings api;
    storage::WriterSettings writer;  // its write lock and stop flag are the run's
    storage::LockMode lock_mode = storage::LockMode::fail_fast;
    std::chrono::milliseconds lock_timeout{0};  // wait mode: how long (0 = forever)
    sync::CrawlSettings crawl;                  // resume_completed is the run's
    // Bounds each bookkeeping statement (storage::bookkeeping_timeout).
    std::chrono::milliseconds bookkeeping_timeout = storage::default_bookkeeping_timeout;
    std::vector<std::string> warnings;  // logged at the start of every run
};

// Who watches the run; each may be null. The run reports its own start and
// end to them, once, and logs its summary once: after the display has
// stopped, so that the summary is the last line below the erased table.
struct RunObservers {
    Metrics* metrics = nullptr;
    ProgressBoard* progress = nullptr;
    TerminalProgress* display = nullptr;  // started by the caller, stopped by the run's end
};

// Tells a run of a stop request at once (a one-shot sync's signals). A run
// without one reads `stop` at each run lock check, about once a second.
class StopNotice {
  public:
    virtual ~StopNotice() = default;
    // `callback` is called once at the first stop request, or at once if it
    // already came; on_stop({}) removes it and returns only once a call in
    // progress has ended (so what it uses may then go).
    virtual void on_stop(std::function<void()> callback) = 0;
};

struct RunReport {
    int exit_code = 1;  // exit_codes.hpp
    bool interrupted = false;
    bool started = false;  // the run lock was taken
    std::int64_t run_id = 0;
    std::string summary;  // one line, logged by the run
    std::string error;    // empty on success
    sync::CrawlReport crawl;
    storage::RunTotals totals;
    std::chrono::steady_clock::duration wall{};
    std::size_t figures_disagreeing = 0;  // media plans the figures check found off
};

RunReport run_once(const RunSettings& settings, model::RunMode mode, RunObservers observers,
                   const std::shared_ptr<spdlog::logger>& log, const std::atomic<bool>& stop,
                   StopNotice* stop_notice = nullptr);

}  // namespace marin::run
