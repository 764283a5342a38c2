// Daemon: the progress board (streams done, ETA) and its terminal rendering.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <spdlog/sinks/ostream_sink.h>

#include "marin/daemon/logging.hpp"
#include "marin/run/progress.hpp"
#include "marin/run/terminal_progress.hpp"

namespace {

using namespace std::chrono_literals;
using namespace marin::daemon;
using namespace marin::run;
using marin::model::RunMode;

struct FakeClock {
    std::atomic<TimePoint::rep> ticks{TimePoint{std::chrono::seconds(1'700'000'000)}.time_since_epoch().count()};
    TimePoint now() const { return TimePoint{TimePoint::duration{ticks.load()}}; }
    void advance(std::chrono::nanoseconds d) { ticks += std::chrono::duration_cast<TimePoint::duration>(d).count(); }
    NowFn fn() {
        return [this] { return now(); };
    }
};

// The crawl's graph in small (see model/object_graph.cpp): campaigns start
// each campaign's ads; a campaign's ad sets follow its ads listing; each ad
// set starts its own ads listing (same stream "ads"); media plans start
// statistics; accounts start lead forms.
enum Kind : std::size_t { campaigns, campaign_ads, ad_sets, ad_set_ads, media_plans, statistics, accounts, lead_forms };
ListingGraph small_graph() {
    return {{"campaigns", {}, false},  {"ads", {campaigns}, false},      {"ad_sets", {campaign_ads}, false},
            {"ads", {ad_sets}, false}, {"media_plans", {}, false},       {"statistics", {media_plans}, true},
            {"accounts", {}, false},   {"lead_forms", {accounts}, false}};
}

const StreamProgress& stream(const ProgressSnapshot& s, std::string_view name) {
    for (const auto& st : s.streams)
        if (st.name == name) return st;
    throw std::runtime_error("no stream " + std::string(name));
}

TEST(ProgressBoard, AStreamIsDoneOnlyWhenNoListingOfItCanStillCome) {
    FakeClock clock;
    ProgressBoard board(clock.fn());
    board.set_graph(small_graph());
    board.begin_run(RunMode::full);
    ProgressSnapshot s = board.snapshot();
    // Streams are listed from the graph before any listing is known.
    ASSERT_EQ(s.streams.size(), 7u);
    EXPECT_EQ(stream(s, "ads").state, StreamState::waiting);
    EXPECT_EQ(s.current->phase, RunPhase::starting);

    for (Kind k : {campaigns, media_plans, accounts}) board.listing_queued(k);
    board.listing_page(campaigns, 2, 1);  // one page: two campaigns
    board.listing_queued(campaign_ads);
    board.listing_queued(campaign_ads);
    // The campaigns listing has not ended: its records are read, but the
    // engine reports its end only after queuing what follows it.
    board.listing_page(campaign_ads, 10, 1);
    board.listing_ended(campaign_ads, ListingEnd::read, true);
    board.listing_queued(ad_sets);  // followers first, then the end
    board.listing_page(campaign_ads, 10, 1);
    board.listing_ended(campaign_ads, ListingEnd::read, true);
    s = board.snapshot();
    const auto& ads = stream(s, "ads");
    EXPECT_EQ(ads.state, StreamState::reading) << "every known ads listing is read, but more can come";
    EXPECT_TRUE(ads.more_can_come);
    EXPECT_FALSE(stream_fraction(ads)) << "never 100% while more can come";
    EXPECT_EQ(ads.listings_known, 2u);
    EXPECT_EQ(ads.listings_ended, 2u);
    EXPECT_EQ(stream(s, "lead_forms").state, StreamState::waiting);
    EXPECT_EQ(stream(s, "statistics").state, StreamState::waiting);
    EXPECT_EQ(s.current->phase, RunPhase::listing_objects);
    EXPECT_FALSE(s.current->all_known);

    board.listing_ended(campaigns, ListingEnd::read, true);
    board.listing_queued(ad_sets);
    s = board.snapshot();
    EXPECT_EQ(stream(s, "campaigns").state, StreamState::done);
    EXPECT_EQ(stream(s, "ads").state, StreamState::reading) << "ad sets still to be read";

    board.listing_page(ad_sets, 1, 1);
    board.listing_queued(ad_set_ads);
    board.listing_ended(ad_sets, ListingEnd::read, true);
    board.listing_ended(ad_sets, ListingEnd::read, false);  // did not apply (no page)
    s = board.snapshot();
    EXPECT_EQ(stream(s, "ad_sets").state, StreamState::done);
    EXPECT_FALSE(stream(s, "ads").more_can_come) << "every listing that can start ads has ended";
    EXPECT_EQ(stream(s, "ads").state, StreamState::reading);
    board.listing_page(ad_set_ads, 3, 1);
    board.listing_ended(ad_set_ads, ListingEnd::read, true);
    s = board.snapshot();
    EXPECT_EQ(stream(s, "ads").state, StreamState::done);
    EXPECT_EQ(stream(s, "ads").rows, 23u);
    EXPECT_EQ(stream_fraction(stream(s, "ads")), 1.0);

    // Accounts and media plans are read: what is left is statistics.
    board.listing_page(accounts, 1, 1);
    board.listing_ended(accounts, ListingEnd::read, true);  // no account: no lead forms
    board.listing_page(media_plans, 1, 1);
    board.listing_queued(statistics);
    board.listing_ended(media_plans, ListingEnd::read, true);
    board.listing_page(statistics, 100, 4);
    s = board.snapshot();
    EXPECT_EQ(stream(s, "lead_forms").state, StreamState::skipped);
    EXPECT_EQ(s.current->phase, RunPhase::reading_statistics);
    EXPECT_TRUE(s.current->all_known);
    EXPECT_NEAR(*stream_fraction(stream(s, "statistics")), 0.25, 1e-9);
    board.listing_page(statistics, 100, std::nullopt);
    board.listing_page(statistics, 100, std::nullopt);
    board.listing_page(statistics, 100, std::nullopt);
    board.listing_ended(statistics, ListingEnd::read, true);
    s = board.snapshot();
    EXPECT_EQ(s.current->phase, RunPhase::finishing);
    EXPECT_EQ(s.current->listings_known, s.current->listings_done);
}

TEST(ProgressBoard, FinalStatesAndRunDetails) {
    FakeClock clock;
    ProgressBoard board(clock.fn(), 3);
    board.set_graph(small_graph());
    board.begin_run(RunMode::full);
    for (Kind k : {campaigns, media_plans, accounts}) board.listing_queued(k);
    board.listing_page(campaigns, 5, 1);
    board.listing_ended(campaigns, ListingEnd::read, true);
    board.listing_page(accounts, 1, 1);
    board.listing_queued(lead_forms);
    board.listing_queued(lead_forms);
    board.listing_ended(accounts, ListingEnd::read, true);
    board.listing_ended(lead_forms, ListingEnd::failed, false);
    board.listing_ended(lead_forms, ListingEnd::failed, false);
    board.listing_page(media_plans, 1, 1);
    board.listing_queued(statistics);
    board.listing_queued(statistics);
    board.listing_ended(media_plans, ListingEnd::read, true);
    board.listing_page(statistics, 50, 3);
    board.listing_ended(statistics, ListingEnd::unfinished, true);  // stopped
    FinishedRun details;
    details.run_id = 42;
    details.error = "storing x failed: removal guard: ads would lose 90%; then: y";
    details.listings_failed = 2;
    details.failed_listings = {"lead_forms@account:1: HTTP 500"};
    board.set_run_details(details);
    clock.advance(65s);
    board.end_run(false, true, "full sync interrupted");

    const ProgressSnapshot s = board.snapshot();
    EXPECT_FALSE(s.current);
    EXPECT_TRUE(s.streams.empty());
    ASSERT_EQ(s.recent_runs.size(), 1u);
    const FinishedRun& run = s.recent_runs.front();
    EXPECT_EQ(run.run_id, 42);
    EXPECT_EQ(run.rows, 57u);
    EXPECT_EQ(removal_guard_text(run), "removal guard: ads would lose 90%");
    auto final_state = [&](std::string_view name) {
        for (const auto& st : run.streams)
            if (st.name == name) return state_text(st);
        return std::string("?");
    };
    EXPECT_EQ(final_state("campaigns"), "done");
    EXPECT_EQ(final_state("lead_forms"), "failed: 2 listings");
    EXPECT_EQ(final_state("ads"), "skipped");
    EXPECT_EQ(final_state("statistics"), "stopped: 1 of 2 listings unread");
    EXPECT_EQ(status_line(s), "idle; last run: full interrupted, 57 rows");

    // sync_runs replaces the history; this process's run keeps its streams.
    FinishedRun recorded = run;
    recorded.streams.clear();
    FinishedRun older;
    older.run_id = 41;
    older.ok = true;
    board.set_recorded_runs({recorded, older});
    const auto after = board.snapshot().recent_runs;
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(after[0].streams.size(), run.streams.size());
    EXPECT_EQ(after[1].run_id, 41);
    for (int i = 0; i < 5; ++i) {
        board.begin_run(RunMode::incremental);
        board.end_run(true, false, "");
    }
    EXPECT_EQ(board.snapshot().recent_runs.size(), 3u);  // keep_runs
}

TEST(ProgressBoard, EtaFromThePreviousRunThenFromTheKnownPages) {
    FakeClock clock;
    ProgressBoard board(clock.fn());
    board.set_graph(small_graph());
    board.begin_run(RunMode::full);
    board.listing_queued(media_plans);
    board.add_requests(10);
    clock.advance(10s);
    ProgressSnapshot s = board.snapshot();
    EXPECT_FALSE(s.current->eta) << "no previous run, statistics not known yet";
    EXPECT_EQ(format_eta(*s.current), "no ETA until every listing is known");

    board.set_baseline(RunBaseline{110, 5000, std::chrono::seconds(100)});
    s = board.snapshot();
    ASSERT_TRUE(s.current->eta);
    EXPECT_EQ(*s.current->eta, 100s) << "100 requests left at 1 request/s";
    EXPECT_EQ(s.current->eta_basis, "previous full run: 110 requests");

    // Every listing known: the pages left decide (4 + 3 unstarted at the
    // average of 4 pages), the previous run no longer.
    board.listing_page(media_plans, 2, 1);
    board.listing_queued(statistics);
    board.listing_queued(statistics);
    board.listing_ended(media_plans, ListingEnd::read, true);
    board.listing_page(statistics, 100, 5);
    s = board.snapshot();
    EXPECT_TRUE(s.current->all_known);
    EXPECT_EQ(s.current->pages_left, 9u);  // 4 of the started listing, 5 of the other
    EXPECT_EQ(*s.current->eta, 9s);
    EXPECT_EQ(s.current->rows, 102u);
    EXPECT_EQ(status_line(s), "full sync, reading statistics: 1/3 listings, 10 requests, 102 rows (10 rows/s), ETA 9s");
}

TEST(TerminalRender, RunLineFirstThenStreams) {
    FakeClock clock;
    ProgressBoard board(clock.fn());
    board.set_graph(small_graph());
    board.begin_run(RunMode::full);
    board.listing_queued(campaigns);
    board.listing_page(campaigns, 2, 3);
    board.listing_queued(campaign_ads);
    board.listing_page(campaign_ads, 50, 1);
    board.listing_ended(campaign_ads, ListingEnd::read, true);
    board.add_requests(20);
    clock.advance(100s);
    const auto lines = render_progress_table(board.snapshot());
    ASSERT_EQ(lines.size(), 9u);  // run line, column names, seven streams
    EXPECT_EQ(lines[0],
              "full sync: listing objects | 1/2 listings known so far | 20 requests | 52 rows | 0 rows/s | "
              "no ETA until every listing is known | 1m40s elapsed");
    EXPECT_NE(lines[2].find("campaigns"), std::string::npos);
    EXPECT_NE(lines[2].find("1/3 "), std::string::npos) << lines[2];  // pages of a known listing
    EXPECT_NE(lines[3].find("1/1+"), std::string::npos) << lines[3];  // ads: more can come
    EXPECT_NE(lines[3].find("reading"), std::string::npos) << lines[3];
    EXPECT_EQ(lines[3].find('%'), std::string::npos) << lines[3];
    EXPECT_NE(lines[4].find("waiting for parents"), std::string::npos) << lines[4];
}

TEST(TerminalRender, SummaryTable) {
    FakeClock clock;
    ProgressBoard board(clock.fn());
    board.set_graph(small_graph());
    board.begin_run(RunMode::incremental);
    for (Kind k : {campaigns, media_plans, accounts}) board.listing_queued(k);
    board.listing_page(campaigns, 20, 2);
    board.listing_page(campaigns, 20, std::nullopt);
    board.listing_ended(campaigns, ListingEnd::read, true);
    clock.advance(65s);
    board.end_run(false, true, "stopped by SIGTERM");
    const auto lines = render_summary_table(board.snapshot().recent_runs.front());
    ASSERT_EQ(lines.size(), 9u);
    EXPECT_NE(lines[1].find("campaigns"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("done"), std::string::npos) << lines[1];
    EXPECT_NE(lines[2].find("skipped"), std::string::npos) << lines[2];
    EXPECT_NE(lines[4].find("stopped: 1 of 1 listings unread"), std::string::npos) << lines[4];
    EXPECT_NE(lines[8].find("incremental run interrupted"), std::string::npos) << lines[8];
    EXPECT_NE(lines[8].find("1m05s"), std::string::npos) << lines[8];
    for (const auto& l : lines) EXPECT_EQ(l.find("running"), std::string::npos) << l;
}

TEST(TerminalProgress, RedrawsInPlaceAndErasesTheTableWhenTheRunEnds) {
    ProgressBoard board;
    std::FILE* out = std::tmpfile();
    ASSERT_NE(out, nullptr);
    TerminalProgressOptions options;
    options.display = ProgressDisplay::table;
    options.table_interval = 5ms;
    TerminalProgress renderer(board, nullptr, options, out);
    board.begin_run(RunMode::full);
    board.listing_queued(0);
    board.listing_page(0, 10, 1);
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
    EXPECT_NE(text.find("full sync: listing objects"), std::string::npos) << text;
    // The last thing written erases the last frame: the summary is the
    // command's to print, once.
    EXPECT_TRUE(text.ends_with("F\x1b[J")) << text;
    EXPECT_EQ(text.find("full run ok"), std::string::npos) << text;
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
    board.listing_queued(0);
    board.listing_page(0, 7, 1);
    renderer.start();
    std::this_thread::sleep_for(300ms);
    renderer.stop();
    std::fclose(out);
    EXPECT_NE(captured.str().find("progress: incremental sync, listing objects: 0/1 listings, 0 requests, 7 rows"),
              std::string::npos)
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
