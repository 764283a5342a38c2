// The progress board shown to a person: a live table on a terminal, log lines elsewhere.
#include "marin/run/terminal_progress.hpp"

#include <algorithm>
#include <unistd.h>

#include <fmt/format.h>

namespace marin::run {

std::string format_duration(std::chrono::seconds d) {
    long long s = std::max<long long>(0, d.count());
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

namespace {

double seconds_between(TimePoint a, TimePoint b) { return std::max(0.0, std::chrono::duration<double>(b - a).count()); }

// "412/1274+" while more listings (so more pages) can come, "412/1274" once
// every listing of the stream is known, "412" when nothing is known.
std::string of_text(std::uint64_t done, std::uint64_t known, bool more) {
    if (known == 0 && !more) return std::to_string(done);
    return fmt::format("{}/{}{}", compact_count(done), compact_count(std::max(known, done)), more ? "+" : "");
}

std::string live_state(const StreamProgress& s) {
    std::string text = state_text(s);
    if (s.state == StreamState::reading) {
        if (const auto f = stream_fraction(s)) text += fmt::format(" {:.0f}%", *f * 100);
        if (s.listings_failed > 0) text += fmt::format(", {} failed", s.listings_failed);
    }
    return text;
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

std::string render_run_line(const CurrentRun& run, TimePoint now) {
    std::string line = fmt::format("{} sync: {} | {}/{} listings{} | {} requests | {} rows", to_string(run.mode),
                                   to_string(run.phase), run.listings_done, run.listings_known,
                                   run.all_known ? "" : " known so far", run.requests, compact_count(run.rows));
    if (run.rows_per_second) line += fmt::format(" | {} rows/s", compact_count(std::uint64_t(*run.rows_per_second)));
    line += " | " + format_eta(run);
    if (run.eta && !run.eta_basis.empty()) line += " (" + run.eta_basis + ")";
    line += fmt::format(" | {} elapsed",
                        format_duration(std::chrono::duration_cast<std::chrono::seconds>(now - run.started_at)));
    return line;
}

std::vector<std::string> render_progress_table(const ProgressSnapshot& snapshot) {
    std::vector<std::string> lines;
    if (!snapshot.current) return lines;
    const TimePoint now = snapshot.taken_at;
    const std::size_t w = name_width(snapshot.streams);
    lines.push_back(render_run_line(*snapshot.current, now));
    lines.push_back(fmt::format("{:<{}}  {:>11}  {:>13}  {:>9}  {:>7}  {}", "stream", w, "listings", "pages", "rows",
                                "rows/s", "state"));
    for (const StreamProgress& s : snapshot.streams) {
        const double elapsed = s.started_at ? seconds_between(*s.started_at, s.finished_at.value_or(now)) : 0;
        lines.push_back(fmt::format("{:<{}}  {:>11}  {:>13}  {:>9}  {:>7}  {}", s.name, w,
                                    of_text(s.listings_ended, s.listings_known, s.more_can_come),
                                    of_text(s.pages_done, s.pages_known, s.more_can_come), compact_count(s.rows),
                                    rate_text(s.rows, elapsed), live_state(s)));
    }
    return lines;
}

std::vector<std::string> render_summary_table(const FinishedRun& run) {
    std::vector<std::string> lines;
    const std::size_t w = name_width(run.streams);
    lines.push_back(fmt::format("{:<{}}  {:>9}  {:>9}  {:>9}  {:>8}  {}", "stream", w, "listings", "pages", "rows",
                                "time", "state"));
    std::uint64_t pages = 0, listings = 0;
    for (const StreamProgress& s : run.streams) {
        pages += s.pages_done;
        listings += s.listings_ended;
        const auto d =
            s.started_at
                ? std::chrono::duration_cast<std::chrono::seconds>(s.finished_at.value_or(run.ended_at) - *s.started_at)
                : std::chrono::seconds(0);
        lines.push_back(fmt::format("{:<{}}  {:>9}  {:>9}  {:>9}  {:>8}  {}", s.name, w, s.listings_ended, s.pages_done,
                                    s.rows, format_duration(d), state_text(s)));
    }
    const auto total = std::chrono::duration_cast<std::chrono::seconds>(run.ended_at - run.started_at);
    lines.push_back(fmt::format("{:<{}}  {:>9}  {:>9}  {:>9}  {:>8}  {} run {}, {} requests", "total", w, listings,
                                pages, run.rows, format_duration(total), to_string(run.mode), outcome_text(run),
                                run.requests));
    return lines;
}

TerminalProgress::TerminalProgress(const ProgressBoard& board, std::shared_ptr<spdlog::logger> logger,
                                   TerminalProgressOptions options, std::FILE* out)
    : board_(board), logger_(std::move(logger)), options_(options), out_(out), display_(options.display) {
    if (display_ == ProgressDisplay::automatic) {
        display_ =
            (out_ != nullptr && ::isatty(::fileno(out_)) == 1) ? ProgressDisplay::table : ProgressDisplay::log_lines;
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
    // The end-of-run summary is not printed here: the command prints it once,
    // after its own last log line (a summary here too printed it twice).
    const auto interval = display_ == ProgressDisplay::table ? options_.table_interval : options_.log_interval;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, interval, [this] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        const ProgressSnapshot snap = board_.snapshot();
        if (display_ == ProgressDisplay::table) {
            if (snap.current) {
                draw_table();
            } else {
                erase_previous();  // the run is over: its live frame goes
                std::fflush(out_);
            }
        } else if (snap.current) {
            logger_->info("progress: {}", status_line(snap));
        }
        lock.lock();
    }
    lock.unlock();
    if (display_ == ProgressDisplay::table) {
        if (board_.snapshot().current) {
            draw_table();  // stopped mid-run: leave the last state on screen
            drawn_lines_ = 0;
        } else {
            erase_previous();
            std::fflush(out_);
        }
    }
}

}  // namespace marin::run
