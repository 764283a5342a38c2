// One sync run, start to end: the run lock, the writer, the API client and the
// crawl, recorded in marin.sync_runs. Blocking; used by `sync` and, on its run
// thread, by `daemon`.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "marin/config/settings.hpp"
#include "marin/daemon/metrics.hpp"
#include "marin/daemon/progress.hpp"
#include "marin/storage/run_log.hpp"
#include "marin/sync/crawl_engine.hpp"

namespace marin::app {

class StopSignals;

struct RunContext {
    const config::Settings& settings;
    std::shared_ptr<spdlog::logger> log;
    daemon::Metrics* metrics = nullptr;
    daemon::ProgressBoard* progress = nullptr;
    // The daemon loop records run starts and ends on the progress board and
    // in the metrics itself; a one-shot sync has run_once do it.
    bool record_run_lifecycle = true;
    // A one-shot sync's signals, passed on to the crawl at once (the daemon
    // has only the flag of run_once's `stop`).
    StopSignals* signals = nullptr;
};

struct RunReport {
    int exit_code = 1;  // exit_codes.hpp
    bool interrupted = false;
    std::int64_t run_id = 0;
    std::string summary;  // one line
    std::string error;    // empty on success
    sync::CrawlReport crawl;
    storage::RunTotals totals;
    std::chrono::steady_clock::duration wall{};
};

RunReport run_once(const RunContext& context, sync::CrawlMode mode, const std::atomic<bool>& stop);

std::string_view mode_name(sync::CrawlMode mode);

}  // namespace marin::app
