// A run's start and end reach its observers once, and its summary is logged once.
#include <gtest/gtest.h>

#include <sstream>

#include <spdlog/sinks/ostream_sink.h>

#include "marin/run/exit_codes.hpp"
#include "run_reporting.hpp"

namespace {

using namespace marin;

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

TEST(RunReporting, StartAndEndReportedOnceSummaryLoggedOnce) {
    std::ostringstream out;
    auto log = std::make_shared<spdlog::logger>("run", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    run::Metrics metrics;
    run::ProgressBoard board;
    run::RunReporting reporting(run::RunObservers{&metrics, &board, nullptr}, model::RunMode::full, log);
    reporting.begin();
    ASSERT_TRUE(board.snapshot().current);
    EXPECT_NE(metrics.render_prometheus().find("marin_run_in_progress{mode=\"full\"} 1"), std::string::npos);

    run::RunReport report;
    report.exit_code = run::exit_success;
    report.run_id = 7;
    report.summary = "full sync succeeded in 1.0s: THE-SUMMARY";
    reporting.end(report, false);
    log->flush();

    const auto snap = board.snapshot();
    EXPECT_FALSE(snap.current);
    ASSERT_EQ(snap.recent_runs.size(), 1u);
    EXPECT_TRUE(snap.recent_runs[0].ok);
    EXPECT_EQ(snap.recent_runs[0].run_id, 7);
    const auto text = metrics.render_prometheus();
    EXPECT_NE(text.find("marin_runs_total{mode=\"full\",outcome=\"success\"} 1"), std::string::npos) << text;
    EXPECT_NE(text.find("marin_run_in_progress{mode=\"full\"} 0"), std::string::npos) << text;
    EXPECT_EQ(occurrences(out.str(), "THE-SUMMARY"), 1u) << out.str();
    EXPECT_NE(text.find("marin_last_success_timestamp_seconds{mode=\"full\"}"), std::string::npos) << text;
    EXPECT_NE(text.find("marin_key_refused_runs_total 0"), std::string::npos) << text;
}

// A run refused for its key, one stopped by the removal guard, and a figures
// check that disagreed each reach their counter; none is a success.
TEST(RunReporting, CountsTheEventsTheAlertsWatch) {
    auto log = std::make_shared<spdlog::logger>("run");
    run::Metrics metrics;
    for (int i = 0; i < 2; ++i) {
        run::RunReporting reporting(run::RunObservers{&metrics, nullptr, nullptr}, model::RunMode::full, log);
        reporting.begin();
        run::RunReport report;
        report.exit_code = i == 0 ? run::exit_key_refused : run::exit_run_failed;
        if (i == 1) report.error = "storing /ads failed: removal guard: ads would lose 90% of its rows";
        report.figures_disagreeing = 2;
        reporting.end(report, false);
    }
    const auto text = metrics.render_prometheus();
    EXPECT_NE(text.find("marin_key_refused_runs_total 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("marin_removal_guard_trips_total 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("marin_figures_check_disagreements_total 4\n"), std::string::npos) << text;
    EXPECT_NE(text.find("marin_runs_total{mode=\"full\",outcome=\"failed\"} 2"), std::string::npos) << text;
    EXPECT_EQ(text.find("marin_last_success_timestamp_seconds{"), std::string::npos) << text;
}

TEST(RunReporting, AFailureDuringAStopRequestCountsAsInterrupted) {
    auto log = std::make_shared<spdlog::logger>("run");
    run::Metrics metrics;
    run::ProgressBoard board;
    run::RunReporting reporting(run::RunObservers{&metrics, &board, nullptr}, model::RunMode::incremental, log);
    reporting.begin();
    run::RunReport report;
    report.exit_code = run::exit_run_failed;
    report.summary = "incremental sync failed";
    reporting.end(report, true);
    ASSERT_EQ(board.snapshot().recent_runs.size(), 1u);
    EXPECT_TRUE(board.snapshot().recent_runs[0].interrupted);
    EXPECT_NE(metrics.render_prometheus().find("marin_runs_total{mode=\"incremental\",outcome=\"interrupted\"} 1"),
              std::string::npos);
}

}  // namespace
