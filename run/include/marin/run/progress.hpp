#pragma once
// What the run in progress is doing, run-wide and stream by stream, and how
// the last runs ended. Written by the crawl (one thread), read by the terminal
// renderer, the status page, the metrics and the sd_notify STATUS line.
// Thread-safe; snapshot() copies.
//
// A "stream" is one table's crawl (e.g. "ads"); it spans many listings (one
// per parent, maybe of several kinds). Whether more listings of a stream can
// still come is not guessed from its name: the board is given the listing
// graph (which listing kinds start which), and a stream is done only when no
// listing that could start one of its listings is still queued or being read.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marin/run/clock.hpp"
#include "marin/model/run_vocabulary.hpp"

namespace marin::run {

// One listing kind of the crawl, as the board needs it. The index in the
// graph is the kind's number (the app builds it from model::all_listings()).
struct ListingNode {
    std::string stream;                 // e.g. "ads" (two kinds may share one)
    std::vector<std::size_t> starters;  // kinds whose end or records queue this kind
    bool statistics = false;            // its stream is a statistics stream (the run's "reading statistics" phase)
};
using ListingGraph = std::vector<ListingNode>;

// How a listing ended, for the stream's tally.
enum class ListingEnd { read, failed, unfinished };

enum class StreamState {
    waiting,  // none of its listings is known yet, and its parents are still being read
    reading,  // some listings known, more may come or some are unread
    done,     // no listing of it can still be queued, and all of them were read
    failed,   // as done, but some listings failed (run end: "failed: N listings")
    skipped,  // no listing of it was ever queued (no parent had one, or the run stopped first)
    stopped,  // the run ended with some of its listings unread
};
std::string_view to_string(StreamState state);

struct StreamProgress {
    std::string name;
    bool statistics = false;
    std::uint64_t listings_known = 0;
    std::uint64_t listings_ended = 0;  // read, failed or left unfinished
    std::uint64_t listings_failed = 0;
    std::uint64_t pages_done = 0;
    std::uint64_t pages_known = 0;  // sum of nb_pages of the listings started so far
    std::uint64_t rows = 0;
    bool more_can_come = true;            // a listing that may queue more of it is not done yet
    std::optional<TimePoint> started_at;  // first listing queued
    std::optional<TimePoint> finished_at;
    StreamState state = StreamState::waiting;
};
// "done", "failed: 3 listings", "waiting for parents", "skipped", ...
std::string state_text(const StreamProgress& s);
// Share of the stream read, only when it is known: 1 once done, below 1
// while reading with every listing known, none while more can come or when failed.
std::optional<double> stream_fraction(const StreamProgress& s);

enum class RunPhase { starting, listing_objects, reading_statistics, finishing };
std::string_view to_string(RunPhase phase);

// What the previous run of the same mode took (from marin.sync_runs).
struct RunBaseline {
    std::uint64_t requests = 0;
    std::uint64_t rows = 0;
    std::chrono::seconds duration{0};
};

struct CurrentRun {
    model::RunMode mode = model::RunMode::incremental;
    TimePoint started_at;
    RunPhase phase = RunPhase::starting;
    std::uint64_t listings_done = 0;  // ended (read, failed or unfinished)
    std::uint64_t listings_known = 0;
    std::uint64_t listings_failed = 0;
    std::uint64_t requests = 0;
    std::uint64_t rows = 0;
    std::uint64_t pages_left = 0;  // pages known to exist and not read yet (a lower bound)
    bool all_known = false;        // no listing can still be queued
    std::optional<RunBaseline> baseline;
    std::optional<double> rows_per_second;
    std::optional<std::chrono::seconds> eta;
    std::string eta_basis;  // how the ETA was made, e.g. "previous full run: 5210 requests"
};

struct FinishedRun {
    std::int64_t run_id = 0;  // 0 when not known
    model::RunMode mode = model::RunMode::incremental;
    TimePoint started_at;
    TimePoint ended_at;
    bool ok = false;
    bool interrupted = false;
    bool running = false;  // from sync_runs: begun, not ended (another process's run)
    std::uint64_t rows = 0;
    std::uint64_t requests = 0;
    std::string summary;
    std::string error;
    std::uint64_t listings_failed = 0;
    std::vector<std::string> failed_listings;  // first few, key masked
    std::vector<StreamProgress> streams;       // as they were at the end (this process's runs only)
};
std::string_view outcome_text(const FinishedRun& run);  // "ok" / "failed" / "interrupted" / "running"
// The removal guard's message in a run's error ("" when it did not trip).
std::string removal_guard_text(const FinishedRun& run);

struct ProgressSnapshot {
    TimePoint taken_at;
    std::optional<CurrentRun> current;
    std::vector<StreamProgress> streams;   // of the current run, in graph order
    std::vector<FinishedRun> recent_runs;  // newest first
};

class ProgressBoard {
  public:
    explicit ProgressBoard(NowFn now = system_now, std::size_t keep_runs = 20);

    // The listing graph; set once before the first run (empty: streams appear
    // as they are reported and none is known to be done before the run ends).
    void set_graph(ListingGraph graph);

    // Run boundaries, reported by the run itself (run_reporting.cpp), whoever
    // started it. begin_run clears the streams of the last run.
    void begin_run(model::RunMode mode);
    void set_baseline(std::optional<RunBaseline> baseline);  // for the ETA of the current run
    // What the run knows of its end (run id, error, failed listings), kept for
    // the end_run that follows.
    void set_run_details(FinishedRun details);
    void end_run(bool ok, bool interrupted, std::string summary);

    // The crawl, by listing kind (an index into the graph).
    void listing_queued(std::size_t kind);
    void listing_page(std::size_t kind, std::uint64_t rows, std::optional<std::uint64_t> first_page_of);
    // had_pages: at least one page of it was read (so its nb_pages is counted).
    void listing_ended(std::size_t kind, ListingEnd end, bool had_pages);
    void add_requests(std::uint64_t n = 1);

    // Runs recorded in marin.sync_runs (newest first), so that a restart loses
    // nothing: they replace the in-memory history, keeping the per-stream
    // detail of runs this process made and its runs that never reached it.
    void set_recorded_runs(std::vector<FinishedRun> runs);

    ProgressSnapshot snapshot() const;

  private:
    struct KindTally {
        std::uint64_t queued = 0, ended = 0, failed = 0, pages_done = 0, pages_known = 0, rows = 0;
        std::uint64_t started = 0;        // listings whose first page was read
        std::uint64_t started_ended = 0;  // of those, ended
        std::optional<TimePoint> first_queued, last_ended;
    };
    std::vector<StreamProgress> streams_locked(bool run_over) const;
    KindTally& tally_locked(std::size_t kind);

    NowFn now_;
    std::size_t keep_runs_;
    mutable std::mutex mutex_;
    ListingGraph graph_;
    std::vector<KindTally> tallies_;
    std::optional<CurrentRun> current_;
    FinishedRun pending_details_;
    std::deque<FinishedRun> recent_;
};

// One line saying what the run does, for sd_notify STATUS= and plain logs:
// "full sync, listing objects: 412/1203 listings known so far, 1630 requests,
// 53k rows (410 rows/s), ETA 3m20s" or "idle; last run: incremental ok ...".
std::string status_line(const ProgressSnapshot& snapshot);

// "ETA 3m20s", "finishing", or why there is none yet.
std::string format_eta(const CurrentRun& run);

// "53k", "1.2M": compact counts for narrow displays.
std::string compact_count(std::uint64_t n);

}  // namespace marin::run
