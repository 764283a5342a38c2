#include "run_once.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <unordered_set>

#include "exit_codes.hpp"
#include "marin/storage/errors.hpp"
#include "marin/storage/mirror_writer.hpp"
#include "marin/storage/run_lock.hpp"
#include "marin/sync/api_client.hpp"
#include "marin/sync/tls_context.hpp"
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
    if (!r.error.empty()) line += "; " + r.error;
    return line;
}

// How long an interrupted run stays worth resuming: past this, what it read
// may have changed, and the next run reads everything again.
constexpr auto resume_window = std::chrono::hours(12);

// The listings the last run of this mode completed, when that run was
// interrupted or failed recently: this run skips them (a crash costs a
// re-read of the unfinished listings only).
std::unordered_set<std::string> resumable_listings(const std::string& dsn, sync::CrawlMode mode,
                                                   const std::shared_ptr<spdlog::logger>& log) {
    for (const auto& run : storage::recent_runs(dsn, 20)) {
        if (run.mode != mode_name(mode)) continue;
        if (run.outcome != storage::RunOutcome::interrupted && run.outcome != storage::RunOutcome::failed) return {};
        if (std::chrono::system_clock::now() - run.started_at > resume_window) return {};
        const auto done = storage::completed_listings(dsn, run.run_id);
        if (!done.empty())
            log->info("resuming run {} ({}): {} listings it completed are not read again", run.run_id,
                      storage::to_string(run.outcome), done.size());
        return {done.begin(), done.end()};
    }
    return {};
}

}  // namespace

RunReport run_once(const RunContext& ctx, sync::CrawlMode mode, const std::atomic<bool>& stop) {
    const auto& settings = ctx.settings;
    auto& log = ctx.log;
    RunReport report;
    const auto started = std::chrono::steady_clock::now();
    const auto started_wall = std::chrono::system_clock::now();

    for (const auto& warning : settings.warnings) log->warn("{}", warning);

    std::unique_ptr<storage::RunLock> lock;
    try {
        log->debug("waiting for the run lock");
        lock = storage::RunLock::acquire(settings.database.dsn, lock_mode(settings),
                                         std::chrono::duration_cast<std::chrono::milliseconds>(settings.sync.lock_timeout));
        storage::mark_abandoned_runs(settings.database.dsn, log);
    } catch (const std::exception& e) {
        report.exit_code = exit_run_failed;
        report.error = e.what();
        report.summary = fmt::format("{} sync not started: {}", mode_name(mode), e.what());
        return report;
    }

    auto crawl_cfg = crawl_settings(settings, mode);
    try {
        crawl_cfg.resume_completed = resumable_listings(settings.database.dsn, mode, log);
    } catch (const std::exception& e) {
        log->warn("cannot read the checkpoints of the last run, reading everything: {}", e.what());
    }

    if (ctx.record_run_lifecycle) {
        if (ctx.metrics) ctx.metrics->set_run_in_progress(daemon_mode(mode), true);
        if (ctx.progress) ctx.progress->begin_run(daemon_mode(mode));
    }

    asio::io_context io(1);
    RunRequestObserver requests(ctx.metrics);
    RunProgressObserver progress(ctx.progress, ctx.metrics);
    const auto api_cfg = api_settings(settings);
    auto tls = sync::make_tls_context(api_cfg);
    storage::MirrorWriter writer(writer_settings(settings), log);
    sync::ApiClient api(io.get_executor(), api_cfg, tls, log, &requests);
    WriterSink sink(writer);
    sync::CrawlEngine engine(api, sink, std::move(crawl_cfg), log, &progress, stop);

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
            if (crawl.auth_refused) {
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

            auto totals = co_await writer.totals();
            report.totals.tables = std::move(totals);
            for (const auto& [name, counts] : crawl.tables) {
                if (auto id = model::table_by_name(name)) report.totals.tables[*id].read += counts.read;
                report.totals.sanitized_values += static_cast<std::int64_t>(counts.sanitized);
            }
            report.totals.requests_by_status = requests.requests_by_status();
            report.totals.retries = requests.retries();
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
    if (report.exit_code == exit_success && report.run_id > 0) {
        try {
            storage::forget_completed_listings(settings.database.dsn, report.run_id);
        } catch (const std::exception& e) {
            log->warn("{}", e.what());
        }
    }
    report.summary = summarize(mode, report, requests.requests(), requests.retries());
    publish_row_metrics(ctx.metrics, report.totals);
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
    if (ctx.progress && ctx.record_run_lifecycle) ctx.progress->end_run(ok, report.interrupted, report.summary);
    return report;
}

}  // namespace marin::app
