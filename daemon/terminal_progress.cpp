#include "marin/daemon/terminal_progress.hpp"

#include <algorithm>
#include <unistd.h>

#include <fmt/format.h>

namespace marin::daemon {

std::string format_duration(std::chrono::seconds d) {
  long long s = std::max<long long>(0, d.count());
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

namespace {

double seconds_between(TimePoint a, TimePoint b) {
  return std::max(0.0, std::chrono::duration<double>(b - a).count());
}

std::string pages_text(const StreamProgress& s) {
  if (s.pages_total) return fmt::format("{}/{}", s.pages_done, *s.pages_total);
  return fmt::format("{}/?", s.pages_done);
}

std::string eta_text(const StreamProgress& s, TimePoint now) {
  if (s.state != StreamState::running) return std::string(to_string(s.state));
  if (!s.pages_total || s.pages_done == 0 || s.pages_done >= *s.pages_total) return "-";
  const double elapsed = seconds_between(s.started_at, now);
  if (elapsed <= 0) return "-";
  const double per_page = elapsed / double(s.pages_done);
  const auto remaining = std::chrono::seconds(static_cast<long long>(per_page * double(*s.pages_total - s.pages_done)));
  return format_duration(remaining);
}

std::string rate_text(std::uint64_t rows, double elapsed) {
  if (elapsed < 1) return "-";
  return compact_count(static_cast<std::uint64_t>(double(rows) / elapsed));
}

std::size_t name_width(const std::vector<StreamProgress>& streams) {
  std::size_t w = 6;  // "stream"
  for (const auto& s : streams) w = std::max(w, s.name.size());
  return w;
}

}  // namespace

std::vector<std::string> render_progress_table(const ProgressSnapshot& snapshot) {
  std::vector<std::string> lines;
  if (!snapshot.current) return lines;
  const TimePoint now = snapshot.taken_at;
  const std::size_t w = name_width(snapshot.streams);
  lines.push_back(fmt::format("{} sync, {} elapsed", to_string(snapshot.current->mode),
                              format_duration(std::chrono::duration_cast<std::chrono::seconds>(
                                  now - snapshot.current->started_at))));
  lines.push_back(fmt::format("{:<{}}  {:>13}  {:>9}  {:>7}  {:>8}", "stream", w, "pages", "rows", "rows/s", "eta"));
  std::uint64_t pages = 0, rows = 0;
  for (const StreamProgress& s : snapshot.streams) {
    pages += s.pages_done;
    rows += s.rows;
    const double elapsed = seconds_between(s.started_at, s.finished_at.value_or(now));
    lines.push_back(fmt::format("{:<{}}  {:>13}  {:>9}  {:>7}  {:>8}", s.name, w, pages_text(s), compact_count(s.rows),
                                rate_text(s.rows, elapsed), eta_text(s, now)));
  }
  const double run_elapsed = seconds_between(snapshot.current->started_at, now);
  std::string listings;
  if (snapshot.current->listings_known > 0) {
    listings = fmt::format("  ({}/{} listings)", snapshot.current->listings_done, snapshot.current->listings_known);
  }
  lines.push_back(fmt::format("{:<{}}  {:>13}  {:>9}  {:>7}{}", "total", w, pages, compact_count(rows),
                              rate_text(rows, run_elapsed), listings));
  return lines;
}

std::vector<std::string> render_summary_table(const FinishedRun& run) {
  std::vector<std::string> lines;
  const std::size_t w = name_width(run.streams);
  lines.push_back(fmt::format("{:<{}}  {:>9}  {:>9}  {:>8}  {}", "stream", w, "pages", "rows", "time", "state"));
  std::uint64_t pages = 0;
  for (const StreamProgress& s : run.streams) {
    pages += s.pages_done;
    const auto d = std::chrono::duration_cast<std::chrono::seconds>(s.finished_at.value_or(run.ended_at) - s.started_at);
    std::string state(to_string(s.state));
    if (s.state == StreamState::failed && !s.error.empty()) state += ": " + s.error;
    lines.push_back(fmt::format("{:<{}}  {:>9}  {:>9}  {:>8}  {}", s.name, w, s.pages_done, s.rows,
                                format_duration(d), state));
  }
  const auto total = std::chrono::duration_cast<std::chrono::seconds>(run.ended_at - run.started_at);
  lines.push_back(fmt::format("{:<{}}  {:>9}  {:>9}  {:>8}  {} run {}", "total", w, pages, run.rows,
                              format_duration(total), to_string(run.mode), outcome_text(run)));
  if (!run.summary.empty()) lines.push_back(run.summary);
  return lines;
}

TerminalProgress::TerminalProgress(const ProgressBoard& board, std::shared_ptr<spdlog::logger> logger,
                                   TerminalProgressOptions options, std::FILE* out)
    : board_(board), logger_(std::move(logger)), options_(options), out_(out), display_(options.display) {
  if (display_ == ProgressDisplay::automatic) {
    display_ = (out_ != nullptr && ::isatty(::fileno(out_)) == 1) ? ProgressDisplay::table : ProgressDisplay::log_lines;
  }
  if (display_ == ProgressDisplay::table && out_ == nullptr) display_ = ProgressDisplay::off;
  if (display_ == ProgressDisplay::log_lines && !logger_) display_ = ProgressDisplay::off;
}

TerminalProgress::~TerminalProgress() { stop(); }

void TerminalProgress::start() {
  if (display_ == ProgressDisplay::off || thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void TerminalProgress::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TerminalProgress::erase_previous() {
  if (drawn_lines_ > 0) {
    // To the start of the first line drawn, then clear to the end of the screen.
    std::fprintf(out_, "\x1b[%zuF\x1b[J", drawn_lines_);
    drawn_lines_ = 0;
  }
}

void TerminalProgress::draw_table() {
  const std::vector<std::string> lines = render_progress_table(board_.snapshot());
  erase_previous();
  for (const std::string& line : lines) std::fprintf(out_, "\x1b[2K%s\n", line.c_str());
  drawn_lines_ = lines.size();
  std::fflush(out_);
}

void TerminalProgress::loop() {
  std::optional<TimePoint> last_summarized;
  {
    const ProgressSnapshot snap = board_.snapshot();
    if (!snap.recent_runs.empty()) last_summarized = snap.recent_runs.front().ended_at;
  }
  auto print_new_summary = [&](const ProgressSnapshot& snap) {
    if (snap.recent_runs.empty() || snap.recent_runs.front().ended_at == last_summarized) return;
    last_summarized = snap.recent_runs.front().ended_at;
    erase_previous();
    for (const std::string& line : render_summary_table(snap.recent_runs.front())) {
      std::fprintf(out_, "%s\n", line.c_str());
    }
    std::fflush(out_);
  };

  const auto interval = display_ == ProgressDisplay::table ? options_.table_interval : options_.log_interval;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    const ProgressSnapshot snap = board_.snapshot();
    if (display_ == ProgressDisplay::table) {
      print_new_summary(snap);
      if (snap.current) draw_table();
    } else if (snap.current) {
      logger_->info("progress: {}", status_line(snap));
    }
    lock.lock();
  }
  lock.unlock();
  if (display_ == ProgressDisplay::table) {
    const ProgressSnapshot snap = board_.snapshot();
    if (snap.current) {
      draw_table();  // stopped mid-run: leave the last state on screen
      drawn_lines_ = 0;
    } else {
      print_new_summary(snap);
    }
  }
}

}  // namespace marin::daemon
