#include "marin/daemon/progress.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace marin::daemon {

std::string_view to_string(StreamState state) {
  switch (state) {
    case StreamState::running: return "running";
    case StreamState::done: return "done";
    case StreamState::failed: return "failed";
  }
  return "unknown";
}

std::string_view outcome_text(const FinishedRun& run) {
  if (run.interrupted) return "interrupted";
  return run.ok ? "ok" : "failed";
}

ProgressBoard::ProgressBoard(NowFn now, std::size_t keep_runs) : now_(std::move(now)), keep_runs_(keep_runs) {}

void ProgressBoard::begin_run(RunMode mode) {
  const TimePoint t = now_();
  std::lock_guard lock(mutex_);
  current_ = CurrentRun{mode, t, 0, 0};
  streams_.clear();
}

void ProgressBoard::end_run(bool ok, bool interrupted, std::string summary) {
  const TimePoint t = now_();
  std::lock_guard lock(mutex_);
  FinishedRun run;
  run.mode = current_ ? current_->mode : RunMode::incremental;
  run.started_at = current_ ? current_->started_at : t;
  run.ended_at = t;
  run.ok = ok;
  run.interrupted = interrupted;
  run.summary = std::move(summary);
  for (StreamProgress& s : streams_) {
    run.rows += s.rows;
    if (s.state == StreamState::running && !ok) {
      // A stream still running when the run ended did not complete.
      s.state = StreamState::failed;
      if (s.error.empty()) s.error = interrupted ? "interrupted" : "run ended";
    }
    if (!s.finished_at) s.finished_at = t;
  }
  run.streams = streams_;
  recent_.push_front(std::move(run));
  while (recent_.size() > keep_runs_) recent_.pop_back();
  current_.reset();
}

StreamProgress& ProgressBoard::stream_locked(std::string_view stream) {
  auto it = std::find_if(streams_.begin(), streams_.end(), [&](const StreamProgress& s) { return s.name == stream; });
  if (it != streams_.end()) return *it;
  StreamProgress s;
  s.name = std::string(stream);
  s.started_at = now_();
  streams_.push_back(std::move(s));
  return streams_.back();
}

void ProgressBoard::stream_started(std::string_view stream) {
  std::lock_guard lock(mutex_);
  StreamProgress& s = stream_locked(stream);
  s.state = StreamState::running;
  s.finished_at.reset();
}

void ProgressBoard::add_pages_total(std::string_view stream, std::uint64_t pages) {
  std::lock_guard lock(mutex_);
  StreamProgress& s = stream_locked(stream);
  s.pages_total = s.pages_total.value_or(0) + pages;
}

void ProgressBoard::add_pages(std::string_view stream, std::uint64_t pages) {
  std::lock_guard lock(mutex_);
  stream_locked(stream).pages_done += pages;
}

void ProgressBoard::add_rows(std::string_view stream, std::uint64_t rows) {
  std::lock_guard lock(mutex_);
  stream_locked(stream).rows += rows;
}

void ProgressBoard::stream_done(std::string_view stream) {
  const TimePoint t = now_();
  std::lock_guard lock(mutex_);
  StreamProgress& s = stream_locked(stream);
  s.state = StreamState::done;
  s.finished_at = t;
}

void ProgressBoard::stream_failed(std::string_view stream, std::string_view error) {
  const TimePoint t = now_();
  std::lock_guard lock(mutex_);
  StreamProgress& s = stream_locked(stream);
  s.state = StreamState::failed;
  s.error = std::string(error);
  s.finished_at = t;
}

void ProgressBoard::add_listings_known(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  if (current_) current_->listings_known += n;
}

void ProgressBoard::add_listings_done(std::uint64_t n) {
  std::lock_guard lock(mutex_);
  if (current_) current_->listings_done += n;
}

ProgressSnapshot ProgressBoard::snapshot() const {
  ProgressSnapshot snap;
  snap.taken_at = now_();
  std::lock_guard lock(mutex_);
  snap.current = current_;
  if (current_) snap.streams = streams_;
  snap.recent_runs.assign(recent_.begin(), recent_.end());
  return snap;
}

std::string compact_count(std::uint64_t n) {
  if (n < 10'000) return std::to_string(n);
  if (n < 1'000'000) return fmt::format("{}k", n / 1000);
  if (n < 1'000'000'000) return fmt::format("{:.1f}M", double(n) / 1e6);
  return fmt::format("{:.1f}G", double(n) / 1e9);
}

std::string status_line(const ProgressSnapshot& snapshot) {
  if (snapshot.current) {
    const CurrentRun& run = *snapshot.current;
    std::uint64_t rows = 0, pages = 0;
    for (const StreamProgress& s : snapshot.streams) {
      rows += s.rows;
      pages += s.pages_done;
    }
    if (run.listings_known > 0) {
      return fmt::format("{} sync: {}/{} listings, {} rows", to_string(run.mode), run.listings_done,
                         run.listings_known, compact_count(rows));
    }
    return fmt::format("{} sync: {} streams, {} pages, {} rows", to_string(run.mode), snapshot.streams.size(),
                       compact_count(pages), compact_count(rows));
  }
  if (!snapshot.recent_runs.empty()) {
    const FinishedRun& last = snapshot.recent_runs.front();
    return fmt::format("idle; last run: {} {}, {} rows", to_string(last.mode), outcome_text(last),
                       compact_count(last.rows));
  }
  return "idle";
}

}  // namespace marin::daemon
