#pragma once
// Shows the progress board to a person. On a terminal: a compact table redrawn
// in place (ANSI cursor-up + clear-line) about twice a second, erased when
// the run ends (the command prints the summary once). Elsewhere (journald, a pipe): a plain progress line
// through the logger every ten seconds or so.
//
// Runs its own small thread so it works the same for a one-shot `sync` and for
// the daemon. Start it, then stop() (or destroy it) when the run is over.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "marin/run/progress.hpp"

namespace marin::run {

enum class ProgressDisplay { automatic, table, log_lines, off };

struct TerminalProgressOptions {
    ProgressDisplay display = ProgressDisplay::automatic;  // automatic: table when `out` is a TTY
    std::chrono::milliseconds table_interval{500};
    std::chrono::milliseconds log_interval{10'000};
};

class TerminalProgress {
  public:
    TerminalProgress(const ProgressBoard& board, std::shared_ptr<spdlog::logger> logger,
                     TerminalProgressOptions options = {}, std::FILE* out = stderr);
    ~TerminalProgress();
    TerminalProgress(const TerminalProgress&) = delete;
    TerminalProgress& operator=(const TerminalProgress&) = delete;

    void start();
    // Stops the thread; in table mode erases the live table once the run is
    // over (the caller prints render_summary_table once), or leaves the last
    // frame when a run is still in progress. Idempotent.
    void stop();

    ProgressDisplay effective_display() const { return display_; }

  private:
    void loop();
    void draw_table();
    void erase_previous();

    const ProgressBoard& board_;
    std::shared_ptr<spdlog::logger> logger_;
    TerminalProgressOptions options_;
    std::FILE* out_;
    ProgressDisplay display_;
    std::size_t drawn_lines_ = 0;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

// Pure renderers (tested directly).
// The run-level line: mode, phase, listings done of known so far, requests,
// rows, rows/s, ETA and its basis, elapsed.
std::string render_run_line(const CurrentRun& run, TimePoint now);
// Live table: the run-level line, then one row per stream (listings and
// pages done of known, "+" while more can come; rows; rows/s; state).
std::vector<std::string> render_progress_table(const ProgressSnapshot& snapshot);
// End-of-run table: per stream listings, pages, rows, duration and final
// state ("done", "failed: N listings", "skipped"); then the run's total.
std::vector<std::string> render_summary_table(const FinishedRun& run);
// "1h02m", "3m20s", "45s".
std::string format_duration(std::chrono::seconds d);

}  // namespace marin::run
