#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <sstream>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>

#include "marin/daemon/logging.hpp"
#include "marin/daemon/progress.hpp"
#include "marin/daemon/terminal_progress.hpp"

namespace {

using namespace std::chrono_literals;
using namespace marin::daemon;

struct FakeClock {
  std::atomic<TimePoint::rep> ticks{TimePoint{std::chrono::seconds(1'700'000'000)}.time_since_epoch().count()};
  TimePoint now() const { return TimePoint{TimePoint::duration{ticks.load()}}; }
  void advance(std::chrono::nanoseconds d) {
    ticks += std::chrono::duration_cast<TimePoint::duration>(d).count();
  }
  NowFn fn() { return [this] { return now(); }; }
};

TEST(ProgressBoard, TracksStreamsAndRuns) {
  FakeClock clock;
  ProgressBoard board(clock.fn(), 3);
  board.begin_run(RunMode::full);
  board.add_listings_known(10);
  board.stream_started("campaigns");
  board.add_pages_total("campaigns", 4);
  board.add_pages_total("campaigns", 6);
  board.add_pages("campaigns", 3);
  board.add_rows("campaigns", 53'000);
  board.add_listings_done(4);
  board.add_rows("ads", 10);  // created on first use
  clock.advance(10s);
  board.stream_done("campaigns");
  board.stream_failed("ads", "HTTP 500");

  ProgressSnapshot s = board.snapshot();
  ASSERT_TRUE(s.current);
  EXPECT_EQ(s.current->mode, RunMode::full);
  ASSERT_EQ(s.streams.size(), 2u);
  EXPECT_EQ(s.streams[0].name, "campaigns");
  EXPECT_EQ(s.streams[0].pages_total, 10u);
  EXPECT_EQ(s.streams[0].pages_done, 3u);
  EXPECT_EQ(s.streams[0].state, StreamState::done);
  EXPECT_EQ(s.streams[1].state, StreamState::failed);
  EXPECT_EQ(status_line(s), "full sync: 4/10 listings, 53k rows");

  board.end_run(false, false, "ads failed");
  s = board.snapshot();
  EXPECT_FALSE(s.current);
  EXPECT_TRUE(s.streams.empty());
  ASSERT_EQ(s.recent_runs.size(), 1u);
  EXPECT_EQ(s.recent_runs[0].rows, 53'010u);
  EXPECT_EQ(outcome_text(s.recent_runs[0]), "failed");
  EXPECT_EQ(status_line(s), "idle; last run: full failed, 53k rows");

  for (int i = 0; i < 5; ++i) {
    board.begin_run(RunMode::incremental);
    board.end_run(true, false, "");
  }
  EXPECT_EQ(board.snapshot().recent_runs.size(), 3u);  // keep_runs
}

TEST(ProgressBoard, StatusLineWithoutListings) {
  ProgressBoard board;
  EXPECT_EQ(status_line(board.snapshot()), "idle");
  board.begin_run(RunMode::incremental);
  board.add_pages("ads", 12);
  board.add_rows("ads", 1'500'000);
  EXPECT_EQ(status_line(board.snapshot()), "incremental sync: 1 streams, 12 pages, 1.5M rows");
}

TEST(TerminalRender, TableHasRatesAndEta) {
  FakeClock clock;
  ProgressBoard board(clock.fn());
  board.begin_run(RunMode::full);
  board.stream_started("campaigns");
  board.add_pages_total("campaigns", 100);
  clock.advance(100s);
  board.add_pages("campaigns", 50);
  board.add_rows("campaigns", 5000);
  const auto lines = render_progress_table(board.snapshot());
  ASSERT_EQ(lines.size(), 4u);  // heading, column names, one stream, total
  EXPECT_NE(lines[0].find("full sync, 1m40s elapsed"), std::string::npos) << lines[0];
  EXPECT_NE(lines[2].find("campaigns"), std::string::npos);
  EXPECT_NE(lines[2].find("50/100"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find(" 50 "), std::string::npos) << lines[2];     // rows/s
  EXPECT_NE(lines[2].find("1m40s"), std::string::npos) << lines[2];    // eta
  EXPECT_EQ(lines[3].rfind("total", 0), 0u);
}

TEST(TerminalRender, SummaryTable) {
  FakeClock clock;
  ProgressBoard board(clock.fn());
  board.begin_run(RunMode::incremental);
  board.add_pages("ads", 2);
  board.add_rows("ads", 20);
  clock.advance(65s);
  board.end_run(false, true, "stopped by SIGTERM");
  const auto lines = render_summary_table(board.snapshot().recent_runs.front());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_NE(lines[1].find("failed: interrupted"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("incremental run interrupted"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("1m05s"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3], "stopped by SIGTERM");
}

TEST(TerminalProgress, RedrawsInPlaceAndPrintsSummary) {
  ProgressBoard board;
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  TerminalProgressOptions options;
  options.display = ProgressDisplay::table;
  options.table_interval = 5ms;
  TerminalProgress renderer(board, nullptr, options, out);
  board.begin_run(RunMode::full);
  board.add_rows("campaigns", 10);
  renderer.start();
  // Many 5 ms intervals: a loaded machine still redraws a few times.
  std::this_thread::sleep_for(300ms);
  board.end_run(true, false, "done");
  std::this_thread::sleep_for(150ms);
  renderer.stop();
  std::rewind(out);
  std::string text;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, out)) text.append(buf, n);
  std::fclose(out);
  EXPECT_NE(text.find("\x1b[2K"), std::string::npos);
  EXPECT_NE(text.find("F\x1b[J"), std::string::npos);  // cursor up + clear on redraw
  EXPECT_NE(text.find("full run ok"), std::string::npos) << text;
}

TEST(TerminalProgress, LogsPlainLinesWhenNotATerminal) {
  std::ostringstream captured;
  auto logger = make_logger("progress", spdlog::level::info, LogFormat::text,
                            std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
  ProgressBoard board;
  TerminalProgressOptions options;
  options.log_interval = 5ms;
  std::FILE* out = std::tmpfile();  // a file: not a TTY
  TerminalProgress renderer(board, logger, options, out);
  EXPECT_EQ(renderer.effective_display(), ProgressDisplay::log_lines);
  board.begin_run(RunMode::incremental);
  board.add_rows("ads", 7);
  renderer.start();
  std::this_thread::sleep_for(300ms);
  renderer.stop();
  std::fclose(out);
  EXPECT_NE(captured.str().find("progress: incremental sync: 1 streams, 0 pages, 7 rows"), std::string::npos)
      << captured.str();
}

TEST(TerminalRender, Durations) {
  EXPECT_EQ(format_duration(45s), "45s");
  EXPECT_EQ(format_duration(200s), "3m20s");
  EXPECT_EQ(format_duration(3720s), "1h02m");
  EXPECT_EQ(compact_count(9999), "9999");
  EXPECT_EQ(compact_count(53'400), "53k");
}

}  // namespace
