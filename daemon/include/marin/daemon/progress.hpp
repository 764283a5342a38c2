#pragma once
// What the run in progress is doing, stream by stream, and how the last runs
// ended. Written by the crawl (any thread), read by the terminal renderer, the
// status page and the sd_notify STATUS line. Thread-safe; snapshot() copies.
//
// A "stream" is one table's crawl (e.g. "campaigns"); it may span many
// listings (one per parent), so page totals are added as each listing's first
// page tells its nb_pages.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marin/daemon/clock.hpp"
#include "marin/daemon/schedule.hpp"

namespace marin::daemon {

enum class StreamState { running, done, failed };
std::string_view to_string(StreamState state);

struct StreamProgress {
  std::string name;
  std::uint64_t pages_done = 0;
  std::optional<std::uint64_t> pages_total;  // sum of known nb_pages
  std::uint64_t rows = 0;
  TimePoint started_at;
  std::optional<TimePoint> finished_at;
  StreamState state = StreamState::running;
  std::string error;  // when failed
};

struct CurrentRun {
  RunMode mode = RunMode::incremental;
  TimePoint started_at;
  std::uint64_t listings_done = 0;
  std::uint64_t listings_known = 0;
};

struct FinishedRun {
  RunMode mode = RunMode::incremental;
  TimePoint started_at;
  TimePoint ended_at;
  bool ok = false;
  bool interrupted = false;
  std::uint64_t rows = 0;
  std::string summary;
  std::vector<StreamProgress> streams;  // as they were at the end
};
std::string_view outcome_text(const FinishedRun& run);  // "ok" / "failed" / "interrupted"

struct ProgressSnapshot {
  TimePoint taken_at;
  std::optional<CurrentRun> current;
  std::vector<StreamProgress> streams;    // of the current run, in start order
  std::vector<FinishedRun> recent_runs;   // newest first
};

class ProgressBoard {
 public:
  explicit ProgressBoard(NowFn now = system_now, std::size_t keep_runs = 20);

  // Run boundaries. The daemon loop calls these around each run; a one-shot
  // `sync` calls them itself. begin_run clears the streams of the last run.
  void begin_run(RunMode mode);
  void end_run(bool ok, bool interrupted, std::string summary);

  // Streams; an unknown name is created on first use.
  void stream_started(std::string_view stream);
  void add_pages_total(std::string_view stream, std::uint64_t pages);  // a listing's nb_pages
  void add_pages(std::string_view stream, std::uint64_t pages = 1);
  void add_rows(std::string_view stream, std::uint64_t rows);
  void stream_done(std::string_view stream);
  void stream_failed(std::string_view stream, std::string_view error);

  // Listings (one per parent and table) known to exist, and read to their end.
  void add_listings_known(std::uint64_t n);
  void add_listings_done(std::uint64_t n = 1);

  ProgressSnapshot snapshot() const;

 private:
  StreamProgress& stream_locked(std::string_view stream);

  NowFn now_;
  std::size_t keep_runs_;
  mutable std::mutex mutex_;
  std::optional<CurrentRun> current_;
  std::vector<StreamProgress> streams_;
  std::deque<FinishedRun> recent_;
};

// One line saying what the run does, for sd_notify STATUS= and plain logs:
// "full sync: 412/1203 listings, 53k rows" or "idle; last run: incremental ok ...".
std::string status_line(const ProgressSnapshot& snapshot);

// "53k", "1.2M": compact counts for narrow displays.
std::string compact_count(std::uint64_t n);

}  // namespace marin::daemon
