#include "run_once.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_set>

#include "exit_codes.hpp"
#include "marin/storage/mirror_writer.hpp"
#include "marin/storage/run_failures.hpp"
#include "marin/storage/run_lock.hpp"
#include "marin/sync/api_client.hpp"
#include "marin/sync/page_reader.hpp"
#include "marin/sync/tls_context.hpp"
#include "run_lock_watch.hpp"
#include "stop_signals.hpp"
#include "recorded_runs.hpp"
#include "run_observers.hpp"
#include "settings_bridge.hpp"
#include "writer_sink.hpp"

namespace marin::app {

namespace asio = boost::asio;

std::string_view mode_name(sync::CrawlMode mode) { return mode == sync::CrawlMode::full ? "full" : "incremental"; }

namespace {

daemon::RunMode daemon_mode(sync::CrawlMode mode) {
    return mode == sync::CrawlMode::full ? daemon::RunMode::full : daemon::RunMode::incremental;
}

void publish_row_metrics(daemon::Metrics* metrics, const storage::RunTotals& totals) {
    if (!metrics) return;
    for (const auto& [table, c] : totals.tables) {
        const auto name = model::table_spec(table).name;
        metrics->add_rows(name, daemon::RowKind::inserted, static_cast<std::uint64_t>(c.inserted));
        metrics->add_rows(name, daemon::RowKind::changed, static_cast<std::uint64_t>(c.changed));
        metrics->add_rows(name, daemon::RowKind::unchanged, static_cast<std::uint64_t>(c.unchanged));
        metrics->add_rows(name, daemon::RowKind::removed, static_cast<std::uint64_t>(c.removed));
    }
    metrics->add_listings_reread(static_cast<std::uint64_t>(totals.listings_reread));
}

std::string summarize(sync::CrawlMode mode, const RunReport& r, std::int64_t requests, std::int64_t retries) {
    storage::TableCounts sum;
    for (const auto& [table, c] : r.totals.tables) sum += c;
    const double secs = std::chrono::duration<double>(r.wall).count();
    std::string outcome = r.exit_code == exit_success ? "succeeded" : (r.interrupted ? "interrupted" : "failed");
    auto line = fmt::format(
        "{} sync {} in {:.1f}s: {} requests ({} retries), {} rows read, {} inserted, {} changed, {} unchanged, "
        "{} removed, {} values sanitized, {} listings skipped, {} resumed",
        mode_name(mode), outcome, secs, requests, retries, sum.read, sum.inserted, sum.changed, sum.unchanged,
        sum.removed, r.totals.sanitized_values, r.crawl.listings_skipped, r.crawl.listings_resumed);
    if (r.crawl.listings_not_applicable > 0)
        line += fmt::format("; {} listings did not apply to their parent (nothing removed under them)",
                            r.crawl.listings_not_applicable);
    if (r.crawl.listings_reread > 0)
        line += fmt::format("; {} listings read twice (their total fell while read)", r.crawl.listings_reread);
    if (!r.error.empty()) line += "; " + r.error;
    return line;
}

// How often the run lock's session is asked whether it still holds the
// lock: a lost lock stops the run within about this (plus a check's own
// time, a few seconds at most).
constexpr std::chrono::milliseconds lock_check_interval{1000};

// How long an interrupted run stays worth resuming: past this, what it read
// may have changed, and the next run reads everything again.
constexpr auto resume_window = std::chrono::hours(12);

// The listings the last run of this mode completed, when that run was
// interrupted or failed recently: this run skips them (a crash costs a
// re-read of the unfinished listings only).
std::unordered_set<std::string> resumable_listings(const std::string& dsn, sync::CrawlMode mode,
                                                   const std::shared_ptr<spdlog::logger>& log,
                                                   std::chrono::milliseconds timeout) {
    for (const auto& run : storage::recent_runs(dsn, 20, timeout)) {
        if (run.mode != mode_name(mode)) continue;
        if (run.outcome != storage::RunOutcome::interrupted && run.outcome != storage::RunOutcome::failed) return {};
        if (std::chrono::system_clock::now() - run.started_at > resume_window) return {};
        const auto done = storage::completed_listings(dsn, run.run_id, timeout);
        if (!done.empty())
            log->info("resuming run {} ({}): {} listings it completed are not read again", run.run_id,
                      storage::to_string(run.outcome), done.size());
        return {done.begin(), done.end()};
    }
    return {};
}

// The figures check of a full run (analysts rely on sums adding up): for a
// sample of media plans, the API's own period totals against the sum of the
// mirrored ad-level days over the same window.
struct PeriodTotals {
    std::string media_plan_id;
    std::int64_t impressions = 0, clicks = 0;
    long double spent = 0;
    std::string spent_text;
};

long double number_of(const boost::json::object& row, std::string_view field) {
    auto it = row.find(field);
    if (it == row.end()) return 0;
    const auto& v = it->value();
    if (v.is_number()) return static_cast<long double>(v.to_number<double>());
    if (v.is_string()) return std::strtold(std::string(v.get_string()).c_str(), nullptr);
    return 0;
}

// The API's own media-plan figures (level=client, one row per day) over the
// crawl's window, every page, summed over the days the mirror keeps: days
// before stats_from are buckets the window may cut, as in the crawl.
asio::awaitable<std::vector<PeriodTotals>> fetch_period_totals(sync::ApiClient& api, const sync::CrawlReport& crawl,
                                                               const std::shared_ptr<spdlog::logger>& log) {
    std::vector<PeriodTotals> out;
    for (const auto& mp : crawl.stats_sample) {
        PeriodTotals t;
        t.media_plan_id = mp;
        sync::QueryParams query = {{"level", "client"},
                                   {"aggregate", "day"},
                                   {"start_date", std::to_string(crawl.stats_start)},
                                   {"end_date", std::to_string(crawl.stats_end)}};
        const std::string path = "/clients/" + mp + "/statistics";
        try {
            sync::PageReader reader(api, path, std::move(query), "/clients/{id}/statistics");
            bool dated = true;
            while (auto page = co_await reader.next()) {
                for (const auto& row : page->data) {
                    if (!row.is_object()) continue;
                    const auto& o = row.get_object();
                    const auto* date = o.if_contains("date");
                    if (!date || !date->is_string()) {
                        dated = false;
                        continue;
                    }
                    const std::string day(date->get_string());
                    if (day < crawl.stats_from || day > crawl.stats_to) continue;
                    t.impressions += static_cast<std::int64_t>(number_of(o, "impression"));
                    t.clicks += static_cast<std::int64_t>(number_of(o, "click"));
                    t.spent += number_of(o, "spent");
                }
            }
            if (!dated) throw std::runtime_error("its level=client rows carry no date");
            t.spent_text = fmt::format("{:.2f}", static_cast<double>(t.spent));
            out.push_back(std::move(t));
        } catch (const std::exception& e) {
            log->warn("figures check: cannot read the daily totals of media plan {}: {}", mp, e.what());
        }
    }
    co_return out;
}

void check_figures(const std::string& dsn, const RunReport& report, const std::vector<PeriodTotals>& api_totals,
                   const std::shared_ptr<spdlog::logger>& log, std::chrono::milliseconds timeout) {
    try {
        boost::json::array check;
        for (const auto& t : api_totals) {
            const auto sums = storage::media_plan_stats_sums(dsn, t.media_plan_id, report.crawl.stats_from,
                                                             report.crawl.stats_to, timeout);
            // Counts must match exactly; money to the cent.
            const bool agree = std::to_string(t.impressions) == sums.impressions &&
                               std::to_string(t.clicks) == sums.clicks &&
                               std::fabs(static_cast<double>(t.spent - std::strtold(sums.spent.c_str(), nullptr))) <
                                   0.005;
            if (!agree)
                log->warn("figures check: media plan {} from {} to {} disagrees: the API's level=client figures are {} "
                          "impressions, {} clicks, {} spent; the mirror's ad-level rows sum to {}, {}, {}",
                          t.media_plan_id, report.crawl.stats_from, report.crawl.stats_to, t.impressions, t.clicks,
                          t.spent_text, sums.impressions, sums.clicks, sums.spent);
            check.push_back(boost::json::object{
                {"media_plan_id", t.media_plan_id},
                {"from", report.crawl.stats_from},
                {"to", report.crawl.stats_to},
                {"api", {{"impressions", t.impressions}, {"clicks", t.clicks}, {"spent", t.spent_text}}},
                {"mirror",
                 {{"impressions", std::stoll(sums.impressions)}, {"clicks", std::stoll(sums.clicks)}, {"spent", sums.spent}}},
                {"agree", agree}});
        }
        storage::record_stats_check(dsn, report.run_id, boost::json::serialize(check), timeout);
        log->info("figures check: {} of {} sampled media plans agree with the API's totals",
                  std::count_if(check.begin(), check.end(), [](const auto& c) { return c.at("agree").as_bool(); }),
                  check.size());
    } catch (const std::exception& e) {
        log->warn("figures check failed: {}", e.what());
    }
}

}  // namespace

RunReport run_once(const RunContext& ctx, sync::CrawlMode mode, const std::atomic<bool>& stop) {
    const auto& settings = ctx.settings;
    auto& log = ctx.log;
    RunReport report;
    const auto started = std::chrono::steady_clock::now();
    const auto started_wall = std::chrono::system_clock::now();

    for (const auto& warning : settings.warnings) log->warn("{}", warning);
    // database.statement_timeout_s bounds the run's bookkeeping statements as
    // it bounds the writer's (capped at a minute): a lock held on
    // marin.sync_runs fails the run within the setting instead of stalling it.
    const auto bookkeeping = storage::bookkeeping_timeout(settings.database.statement_timeout);
    const auto dsn = settings.database.connection_string();

    std::unique_ptr<storage::RunLock> lock;
    try {
        log->debug("waiting for the run lock");
        lock = storage::RunLock::acquire(dsn, lock_mode(settings),
                                         std::chrono::duration_cast<std::chrono::milliseconds>(settings.sync.lock_timeout));
        storage::mark_abandoned_runs(dsn, log, bookkeeping);
    } catch (const std::exception& e) {
        report.exit_code = exit_run_failed;
        report.error = e.what();
        report.summary = fmt::format("{} sync not started: {}", mode_name(mode), e.what());
        return report;
    }

    auto crawl_cfg = crawl_settings(settings, mode);
    try {
        crawl_cfg.resume_completed = resumable_listings(dsn, mode, log, bookkeeping);
    } catch (const std::exception& e) {
        log->warn("cannot read the checkpoints of the last run, reading everything: {}", e.what());
    }

    if (ctx.record_run_lifecycle) {
        if (ctx.metrics) ctx.metrics->set_run_in_progress(daemon_mode(mode), true);
        if (ctx.progress) ctx.progress->begin_run(daemon_mode(mode));
    }
    if (ctx.progress) {
        try {
            ctx.progress->set_baseline(previous_run_baseline(dsn, mode_name(mode), bookkeeping));
        } catch (const std::exception& e) {
            log->warn("cannot read the previous run for the ETA: {}", e.what());
        }
    }

    asio::io_context io(1);
    RunRequestObserver requests(ctx.metrics, ctx.progress);
    RunProgressObserver progress(ctx.progress, ctx.metrics);
    const auto api_cfg = api_settings(settings);
    auto tls = sync::make_tls_context(api_cfg);
    auto writer_cfg = writer_settings(settings);
    writer_cfg.write_lock = storage::WriteLockPolicy{
        lock_mode(settings), std::chrono::duration_cast<std::chrono::milliseconds>(settings.sync.lock_timeout)};
    writer_cfg.stop = &stop;
    storage::MirrorWriter writer(std::move(writer_cfg), log);
    sync::ApiClient api(io.get_executor(), api_cfg, tls, log, &requests);
    WriterSink sink(writer);
    sync::CrawlEngine engine(api, sink, std::move(crawl_cfg), log, &progress);
    // The lock is checked from here on; a lost one stops the crawl as a stop
    // request would, and the writer's session holds the write lock, so a
    // second run cannot write before this one has stopped.
    RunLockWatch lock_watch(*lock, stop, lock_check_interval, log, [&engine] { engine.request_stop(); });
    if (ctx.signals) ctx.signals->on_stop([&lock_watch] { lock_watch.request_stop(); });
    struct Unsubscribe {
        StopSignals* signals;
        ~Unsubscribe() { if (signals) signals->on_stop({}); }
    } unsubscribe{ctx.signals};

    std::vector<PeriodTotals> api_totals;
    std::exception_ptr failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await writer.ready();
            std::string mode_text(mode_name(mode));
            report.run_id = co_await writer.begin_run(std::move(mode_text));
            sink.set_run_id(report.run_id);
            log->info("{} sync started (run {})", mode_name(mode), report.run_id);
            report.crawl = co_await engine.run();
            const auto& crawl = report.crawl;

            storage::RunOutcome outcome = storage::RunOutcome::succeeded;
            if (auto lost = lock_watch.lost()) {
                outcome = storage::RunOutcome::failed;
                report.exit_code = exit_run_failed;
                report.error = *lost + "; the run stopped so that no two runs write at once (the next run resumes)";
                if (!crawl.fatal_error.empty()) report.error += "; also: " + crawl.fatal_error;
            } else if (crawl.auth_refused) {
                outcome = storage::RunOutcome::failed;
                report.exit_code = exit_key_refused;
                report.error = crawl.fatal_error;
            } else if (!crawl.fatal_error.empty()) {
                outcome = storage::RunOutcome::failed;
                report.exit_code = exit_run_failed;
                report.error = crawl.fatal_error;
            } else if (crawl.interrupted) {
                outcome = storage::RunOutcome::interrupted;
                report.exit_code = exit_run_failed;
                report.interrupted = true;
                report.error = "interrupted by a stop request; the next run resumes";
            } else if (crawl.listings_failed > 0) {
                outcome = storage::RunOutcome::failed;
                report.exit_code = exit_run_failed;
                report.error = fmt::format("{} listings failed (their removals were not reconciled); first: {}",
                                           crawl.listings_failed,
                                           crawl.failures.empty() ? std::string("?") : crawl.failures.front());
            } else {
                report.exit_code = exit_success;
            }

            if (mode == sync::CrawlMode::full && crawl.complete())
                api_totals = co_await fetch_period_totals(api, crawl, log);

            auto totals = co_await writer.totals();
            report.totals.tables = std::move(totals);
            for (const auto& [name, counts] : crawl.tables) {
                if (auto id = model::table_by_name(name)) report.totals.tables[*id].read += counts.read;
                report.totals.sanitized_values += static_cast<std::int64_t>(counts.sanitized);
            }
            report.totals.requests_by_status = requests.requests_by_status();
            report.totals.retries = requests.retries();
            report.totals.listings_not_applicable = static_cast<std::int64_t>(crawl.listings_not_applicable);
            report.totals.listings_reread = static_cast<std::int64_t>(crawl.listings_reread);
            report.wall = std::chrono::steady_clock::now() - started;
            co_await writer.finish_run(report.run_id, outcome, report.totals, report.error);
        },
        [&](std::exception_ptr e) { failure = e; });
    io.run();

    report.wall = std::chrono::steady_clock::now() - started;
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            report.exit_code = report.exit_code == exit_key_refused ? exit_key_refused : exit_run_failed;
            if (report.error.empty()) report.error = e.what();
            else report.error += std::string("; then: ") + e.what();
        }
    }
    if (report.crawl.listings_failed > 0 && report.run_id > 0) {
        try {
            storage::record_run_failures(
                dsn, report.run_id,
                {static_cast<std::int64_t>(report.crawl.listings_failed), report.crawl.failures}, bookkeeping);
        } catch (const std::exception& e) {
            log->warn("{}", e.what());
        }
    }
    if (!api_totals.empty()) check_figures(dsn, report, api_totals, log, bookkeeping);
    if (report.exit_code == exit_success && report.run_id > 0) {
        try {
            storage::forget_completed_listings(dsn, report.run_id, bookkeeping);
        } catch (const std::exception& e) {
            log->warn("{}", e.what());
        }
    }
    report.summary = summarize(mode, report, requests.requests(), requests.retries());
    publish_row_metrics(ctx.metrics, report.totals);
    if (ctx.metrics)
        for (const auto& [endpoint, n] : report.crawl.not_applicable_by_listing)
            ctx.metrics->add_listings_not_applicable(endpoint, n);
    const bool ok = report.exit_code == exit_success;
    if (ctx.metrics && ctx.record_run_lifecycle) {
        ctx.metrics->set_run_in_progress(daemon_mode(mode), false);
        ctx.metrics->record_run(daemon_mode(mode),
                                ok ? daemon::RunOutcome::success
                                   : (report.interrupted ? daemon::RunOutcome::interrupted : daemon::RunOutcome::failed),
                                started_wall, std::chrono::system_clock::now());
        if (ok) ctx.metrics->set_last_success(mode_name(mode), std::chrono::system_clock::now());
    }
    // Per stream: a table's last success is the end of the last run that read
    // all its listings.
    if (ctx.metrics && ok)
        for (const auto& [name, counts] : report.crawl.tables)
            ctx.metrics->set_last_success(name, std::chrono::system_clock::now());
    if (ctx.progress) {
        daemon::FinishedRun details;
        details.run_id = report.run_id;
        details.error = report.error;
        details.listings_failed = report.crawl.listings_failed;
        details.failed_listings = report.crawl.failures;
        ctx.progress->set_run_details(std::move(details));
    }
    if (ctx.progress && ctx.record_run_lifecycle) ctx.progress->end_run(ok, report.interrupted, report.summary);
    return report;
}

}  // namespace marin::app
