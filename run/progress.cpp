// The progress board: what the run in progress does, stream by stream, and how the last runs ended.
#include "marin/run/progress.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "marin/run/terminal_progress.hpp"  // format_duration

namespace marin::run {

std::string_view to_string(StreamState state) {
    switch (state) {
        case StreamState::waiting:
            return "waiting for parents";
        case StreamState::reading:
            return "reading";
        case StreamState::done:
            return "done";
        case StreamState::failed:
            return "failed";
        case StreamState::skipped:
            return "skipped";
        case StreamState::stopped:
            return "stopped";
    }
    return "unknown";
}

std::string_view to_string(RunPhase phase) {
    switch (phase) {
        case RunPhase::starting:
            return "starting";
        case RunPhase::listing_objects:
            return "listing objects";
        case RunPhase::reading_statistics:
            return "reading statistics";
        case RunPhase::finishing:
            return "finishing";
    }
    return "unknown";
}

std::string state_text(const StreamProgress& s) {
    switch (s.state) {
        case StreamState::failed:
            return fmt::format("failed: {} listings", s.listings_failed);
        case StreamState::stopped:
            return fmt::format("stopped: {} of {} listings unread", s.listings_known - s.listings_ended,
                               s.listings_known);
        default:
            return std::string(to_string(s.state));
    }
}

std::optional<double> stream_fraction(const StreamProgress& s) {
    if (s.state == StreamState::done) return 1.0;
    // A failed stream was not read whole: no share says how much of it is stored.
    if (s.state == StreamState::failed || s.more_can_come || s.pages_known == 0) return std::nullopt;
    // Every listing is known; some may not have told their page count yet,
    // so the share stays below 1 until the stream is done.
    return std::min(0.99, double(s.pages_done) / double(s.pages_known));
}

std::string_view outcome_text(const FinishedRun& run) {
    if (run.running) return "running";
    if (run.interrupted) return "interrupted";
    return run.ok ? "ok" : "failed";
}

std::string removal_guard_text(const FinishedRun& run) {
    // The writer's RemovalGuardError text starts with "removal guard:" and ends
    // the run; it reaches sync_runs.error inside "storing <listing> failed: ...".
    const auto at = run.error.find("removal guard:");
    if (at == std::string::npos) return {};
    auto end = run.error.find("; then:", at);
    return run.error.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

ProgressBoard::ProgressBoard(NowFn now, std::size_t keep_runs) : now_(std::move(now)), keep_runs_(keep_runs) {}

void ProgressBoard::set_graph(ListingGraph graph) {
    std::lock_guard lock(mutex_);
    graph_ = std::move(graph);
    tallies_.assign(graph_.size(), KindTally{});
}

void ProgressBoard::begin_run(model::RunMode mode) {
    const TimePoint t = now_();
    std::lock_guard lock(mutex_);
    current_ = CurrentRun{};
    current_->mode = mode;
    current_->started_at = t;
    pending_details_ = FinishedRun{};
    tallies_.assign(graph_.size(), KindTally{});
}

void ProgressBoard::set_baseline(std::optional<RunBaseline> baseline) {
    std::lock_guard lock(mutex_);
    if (current_) current_->baseline = baseline;
}

void ProgressBoard::set_run_details(FinishedRun details) {
    std::lock_guard lock(mutex_);
    pending_details_ = std::move(details);
}

void ProgressBoard::end_run(bool ok, bool interrupted, std::string summary) {
    const TimePoint t = now_();
    std::lock_guard lock(mutex_);
    FinishedRun run = std::move(pending_details_);
    pending_details_ = FinishedRun{};
    run.mode = current_ ? current_->mode : model::RunMode::incremental;
    run.started_at = current_ ? current_->started_at : t;
    run.ended_at = t;
    run.ok = ok;
    run.interrupted = interrupted;
    run.running = false;
    run.summary = std::move(summary);
    run.requests = current_ ? current_->requests : 0;
    run.streams = streams_locked(true);
    run.rows = 0;
    for (const StreamProgress& s : run.streams) run.rows += s.rows;
    if (run.run_id != 0) std::erase_if(recent_, [&](const FinishedRun& r) { return r.run_id == run.run_id; });
    recent_.push_front(std::move(run));
    while (recent_.size() > keep_runs_) recent_.pop_back();
    current_.reset();
}

ProgressBoard::KindTally& ProgressBoard::tally_locked(std::size_t kind) {
    if (kind >= tallies_.size()) {
        // A kind outside the graph (none given): it gets a node of its own,
        // named by its number, that no one starts.
        while (graph_.size() <= kind)
            graph_.push_back(ListingNode{fmt::format("listing {}", graph_.size()), {}, false});
        tallies_.resize(graph_.size());
    }
    return tallies_[kind];
}

void ProgressBoard::listing_queued(std::size_t kind) {
    const TimePoint t = now_();
    std::lock_guard lock(mutex_);
    KindTally& k = tally_locked(kind);
    ++k.queued;
    if (!k.first_queued) k.first_queued = t;
}

void ProgressBoard::listing_page(std::size_t kind, std::uint64_t rows, std::optional<std::uint64_t> first_page_of) {
    std::lock_guard lock(mutex_);
    KindTally& k = tally_locked(kind);
    ++k.pages_done;
    k.rows += rows;
    if (first_page_of) {
        ++k.started;
        k.pages_known += std::max<std::uint64_t>(1, *first_page_of);
    }
}

void ProgressBoard::listing_ended(std::size_t kind, ListingEnd end, bool had_pages) {
    const TimePoint t = now_();
    std::lock_guard lock(mutex_);
    KindTally& k = tally_locked(kind);
    ++k.ended;
    if (had_pages) ++k.started_ended;
    if (end == ListingEnd::failed) ++k.failed;
    k.last_ended = t;
}

void ProgressBoard::add_requests(std::uint64_t n) {
    std::lock_guard lock(mutex_);
    if (current_) current_->requests += n;
}

void ProgressBoard::set_recorded_runs(std::vector<FinishedRun> runs) {
    std::lock_guard lock(mutex_);
    for (FinishedRun& r : runs) {
        auto mine = std::find_if(recent_.begin(), recent_.end(),
                                 [&](const FinishedRun& m) { return m.run_id != 0 && m.run_id == r.run_id; });
        if (mine == recent_.end()) continue;
        r.streams = mine->streams;  // sync_runs has no per-stream progress
        if (r.summary.empty()) r.summary = mine->summary;
    }
    // Runs that never reached sync_runs (the run lock was not had, say) stay.
    for (const FinishedRun& m : recent_)
        if (m.run_id == 0) runs.push_back(m);
    std::stable_sort(runs.begin(), runs.end(),
                     [](const FinishedRun& a, const FinishedRun& b) { return a.started_at > b.started_at; });
    recent_.assign(runs.begin(), runs.end());
    while (recent_.size() > keep_runs_) recent_.pop_back();
}

std::vector<StreamProgress> ProgressBoard::streams_locked(bool run_over) const {
    const std::size_t n = graph_.size();
    bool any_queued = false;
    for (const KindTally& k : tallies_) any_queued = any_queued || k.queued > 0;
    // closed[k]: no listing of kind k can still be queued. A kind is closed
    // once every kind that starts it is closed and has no listing left open;
    // top-level kinds close when the crawl has queued its first listings
    // (it queues them all at once). The graph is acyclic (object_graph.cpp).
    std::vector<int> closed(n, -1);
    std::function<bool(std::size_t, int)> is_closed = [&](std::size_t kind, int depth) -> bool {
        if (closed[kind] >= 0) return closed[kind] == 1;
        bool c = any_queued || run_over;
        if (depth > int(n)) c = false;  // a cycle would be a bug in the graph: never call it closed
        for (std::size_t s : graph_[kind].starters) {
            if (!c) break;
            c = s < n && is_closed(s, depth + 1) && tallies_[s].ended == tallies_[s].queued;
        }
        closed[kind] = c ? 1 : 0;
        return c;
    };

    std::vector<StreamProgress> streams;
    for (std::size_t kind = 0; kind < n; ++kind) {
        const ListingNode& node = graph_[kind];
        const KindTally& k = tallies_[kind];
        auto it = std::find_if(streams.begin(), streams.end(),
                               [&](const StreamProgress& s) { return s.name == node.stream; });
        if (it == streams.end()) {
            StreamProgress s;
            s.name = node.stream;
            s.statistics = node.statistics;
            s.more_can_come = false;
            streams.push_back(std::move(s));
            it = streams.end() - 1;
        }
        StreamProgress& s = *it;
        s.listings_known += k.queued;
        s.listings_ended += k.ended;
        s.listings_failed += k.failed;
        s.pages_done += k.pages_done;
        // Listings not started yet are counted at the pages their kind averaged.
        const std::uint64_t unstarted =
            k.queued - std::min(k.queued, k.started + (k.ended - std::min(k.ended, k.started_ended)));
        const std::uint64_t average = k.started > 0 ? std::max<std::uint64_t>(1, k.pages_known / k.started) : 1;
        s.pages_known += std::max(k.pages_known, k.pages_done) + unstarted * average;
        s.rows += k.rows;
        s.more_can_come = s.more_can_come || !is_closed(kind, 0);
        if (k.first_queued && (!s.started_at || *k.first_queued < *s.started_at)) s.started_at = k.first_queued;
        if (k.last_ended && (!s.finished_at || *k.last_ended > *s.finished_at)) s.finished_at = k.last_ended;
    }
    for (StreamProgress& s : streams) {
        const bool all_ended = s.listings_ended == s.listings_known;
        if (s.listings_known == 0) {
            s.state = s.more_can_come && !run_over ? StreamState::waiting : StreamState::skipped;
        } else if (!s.more_can_come && all_ended) {
            s.state = s.listings_failed > 0 ? StreamState::failed : StreamState::done;
        } else if (run_over) {
            s.state = s.listings_failed > 0 && all_ended ? StreamState::failed : StreamState::stopped;
        } else {
            s.state = StreamState::reading;
        }
        if (s.state == StreamState::waiting || s.state == StreamState::reading) s.finished_at.reset();
        if (s.state == StreamState::done) s.pages_known = s.pages_done;
    }
    return streams;
}

namespace {

// The run-level figures, from the streams (see docs/progress.md, "ETA").
void fill_run_figures(CurrentRun& run, const std::vector<StreamProgress>& streams, TimePoint now) {
    run.listings_known = run.listings_done = run.listings_failed = run.rows = run.pages_left = 0;
    bool objects_open = false, any_open = false;
    run.all_known = true;
    for (const StreamProgress& s : streams) {
        run.listings_known += s.listings_known;
        run.listings_done += s.listings_ended;
        run.listings_failed += s.listings_failed;
        run.rows += s.rows;
        run.pages_left += s.pages_known > s.pages_done ? s.pages_known - s.pages_done : 0;
        const bool open = s.state == StreamState::waiting || s.state == StreamState::reading;
        any_open = any_open || open;
        if (!s.statistics) objects_open = objects_open || open;
        run.all_known = run.all_known && !s.more_can_come;
    }
    if (run.listings_known == 0)
        run.phase = RunPhase::starting;
    else if (!any_open)
        run.phase = RunPhase::finishing;
    else if (!objects_open)
        run.phase = RunPhase::reading_statistics;
    else
        run.phase = RunPhase::listing_objects;

    const double elapsed = std::chrono::duration<double>(now - run.started_at).count();
    run.rows_per_second.reset();
    run.eta.reset();
    run.eta_basis.clear();
    if (elapsed >= 1) run.rows_per_second = double(run.rows) / elapsed;
    if (elapsed < 1 || run.requests == 0) return;
    const double requests_per_second = double(run.requests) / elapsed;
    double left = 0;
    if (run.phase == RunPhase::finishing) {
        run.eta_basis = "finishing";
    } else if (run.all_known) {
        // Every listing is known: what is left is their unread pages (listings
        // not started yet counted at their kind's average), one request each.
        left = double(run.pages_left);
        run.eta_basis = fmt::format("every listing known: {} pages left", run.pages_left);
    } else if (run.baseline && run.baseline->requests > 0) {
        // The previous run of this mode took that many requests; this one has
        // at least the pages known to be left.
        const double by_baseline = double(run.baseline->requests) - double(run.requests);
        left = std::max(by_baseline, double(run.pages_left));
        run.eta_basis = fmt::format("previous {} run: {} requests", to_string(run.mode), run.baseline->requests);
    } else {
        return;  // nothing to go by until every listing is known
    }
    run.eta = std::chrono::seconds(static_cast<long long>(left / requests_per_second + 0.5));
}

}  // namespace

ProgressSnapshot ProgressBoard::snapshot() const {
    ProgressSnapshot snap;
    snap.taken_at = now_();
    std::lock_guard lock(mutex_);
    snap.current = current_;
    if (current_) {
        snap.streams = streams_locked(false);
        fill_run_figures(*snap.current, snap.streams, snap.taken_at);
    }
    snap.recent_runs.assign(recent_.begin(), recent_.end());
    return snap;
}

std::string compact_count(std::uint64_t n) {
    if (n < 10'000) return std::to_string(n);
    if (n < 1'000'000) return fmt::format("{}k", n / 1000);
    if (n < 1'000'000'000) return fmt::format("{:.1f}M", double(n) / 1e6);
    return fmt::format("{:.1f}G", double(n) / 1e9);
}

std::string format_eta(const CurrentRun& run) {
    if (run.phase == RunPhase::finishing) return "finishing";
    if (!run.eta) return "no ETA until every listing is known";
    return "ETA " + format_duration(*run.eta);
}

std::string status_line(const ProgressSnapshot& snapshot) {
    if (snapshot.current) {
        const CurrentRun& run = *snapshot.current;
        std::string line = fmt::format("{} sync, {}: {}/{} listings{}, {} requests, {} rows", to_string(run.mode),
                                       to_string(run.phase), run.listings_done, run.listings_known,
                                       run.all_known ? "" : " known so far", run.requests, compact_count(run.rows));
        if (run.rows_per_second)
            line += fmt::format(" ({} rows/s)", compact_count(std::uint64_t(*run.rows_per_second)));
        line += ", " + format_eta(run);
        return line;
    }
    if (!snapshot.recent_runs.empty()) {
        const FinishedRun& last = snapshot.recent_runs.front();
        return fmt::format("idle; last run: {} {}, {} rows", to_string(last.mode), outcome_text(last),
                           compact_count(last.rows));
    }
    return "idle";
}

}  // namespace marin::run
