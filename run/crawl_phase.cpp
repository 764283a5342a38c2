// The crawl phase: writer, API client and crawl engine on one Asio thread, from begin_run to finish_run.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "marin/run/exit_codes.hpp"
#include "marin/run/run_observers.hpp"
#include "marin/storage/mirror_writer.hpp"
#include "marin/sync/api_client.hpp"
#include "marin/sync/tls_context.hpp"
#include "phases.hpp"
#include "run_lock_watch.hpp"
#include "writer_sink.hpp"

namespace marin::run {

namespace asio = boost::asio;

namespace {
// How often the run lock's session is asked whether it still holds the
// lock: a lost lock stops the run within about this (plus a check's own
// time, a few seconds at most).
constexpr std::chrono::milliseconds lock_check_interval{1000};
}  // namespace

CrawlPhase crawl_phase(const RunSettings& settings, sync::CrawlSettings crawl_cfg, model::RunMode mode,
                       RunObservers observers, storage::RunLock& lock, const std::shared_ptr<spdlog::logger>& log,
                       const std::atomic<bool>& stop, StopNotice* stop_notice, RunReport& report) {
    asio::io_context io(1);
    RunRequestObserver requests(observers.metrics, observers.progress);
    RunProgressObserver progress(observers.progress, observers.metrics);
    auto tls = sync::make_tls_context(settings.api);
    auto writer_cfg = settings.writer;
    writer_cfg.write_lock = storage::WriteLockPolicy{settings.lock_mode, settings.lock_timeout};
    writer_cfg.stop = &stop;
    storage::MirrorWriter writer(std::move(writer_cfg), log);
    sync::ApiClient api(io.get_executor(), settings.api, tls, log, &requests);
    WriterSink sink(writer);
    sync::CrawlEngine engine(api, sink, std::move(crawl_cfg), log, &progress);
    // The lock is checked from here on; a lost one stops the crawl as a stop
    // request would, and the writer's session holds the write lock, so a
    // second run cannot write before this one has stopped.
    RunLockWatch lock_watch(lock, stop, lock_check_interval, log, [&engine] { engine.request_stop(); });
    if (stop_notice) stop_notice->on_stop([&lock_watch] { lock_watch.request_stop(); });
    struct Unsubscribe {
        StopNotice* notice;
        ~Unsubscribe() {
            if (notice) notice->on_stop({});
        }
    } unsubscribe{stop_notice};

    CrawlPhase out;
    std::exception_ptr failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await writer.ready();
            std::string mode_text(to_string(mode));
            report.run_id = co_await writer.begin_run(std::move(mode_text));
            sink.set_run_id(report.run_id);
            log->info("{} sync started (run {})", to_string(mode), report.run_id);
            report.crawl = co_await engine.run();
            const auto& crawl = report.crawl;
            const auto outcome = settle_outcome(crawl, lock_watch.lost(), report);

            if (mode == model::RunMode::full && crawl.complete()) {
                // Named locals, not temporaries inside co_await (docs/design.md, "GCC 12 and coroutine frames").
                auto sample = crawl.stats_sample;
                auto window = settings.crawl.stats_window;
                auto figures_log = log;
                out.api_totals =
                    co_await fetch_period_totals(api, std::move(sample), std::move(window), std::move(figures_log));
            }

            auto totals = co_await writer.totals();
            report.totals.tables = std::move(totals);
            for (const auto& [table, counts] : crawl.tables) {
                report.totals.tables[table].read += counts.read;
                report.totals.sanitized_values += counts.sanitized;
            }
            report.totals.requests_by_status = requests.requests_by_status();
            report.totals.retries = requests.retries();
            report.totals.listings_not_applicable = static_cast<std::int64_t>(crawl.listings_not_applicable);
            report.totals.listings_reread = static_cast<std::int64_t>(crawl.listings_reread);
            co_await writer.finish_run(report.run_id, outcome, report.totals, report.error);
        },
        [&](std::exception_ptr e) { failure = e; });
    io.run();

    out.requests = requests.requests();
    report.totals.retries = requests.retries();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const std::exception& e) {
            record_failure(report, e.what());
        }
    }
    return out;
}

}  // namespace marin::run
