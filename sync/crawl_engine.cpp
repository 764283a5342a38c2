#include "marin/sync/crawl_engine.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <unordered_set>

#include "marin/sync/listing.hpp"
#include "marin/sync/page_reader.hpp"
#include "marin/sync/value_conversion.hpp"

namespace marin::sync {

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_reported_failures = 20;
constexpr std::uint64_t max_logged_rejections = 10;
constexpr std::size_t stats_sample_size = 3;

std::string format_date(std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buf;
}

// An id as text whether the API sent it as a string or a number.
std::string id_text(const boost::json::object& record, std::string_view field) {
    auto it = record.find(field);
    if (it == record.end()) return {};
    const auto& v = it->value();
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_int64()) return std::to_string(v.get_int64());
    if (v.is_uint64()) return std::to_string(v.get_uint64());
    return {};
}

bool flag_set(const boost::json::object& record, std::string_view field) {
    auto it = record.find(field);
    if (it == record.end()) return false;
    const auto& v = it->value();
    if (v.is_bool()) return v.get_bool();
    if (v.is_string()) return v.get_string() == "true" || v.get_string() == "1";
    if (v.is_int64()) return v.get_int64() != 0;
    return false;
}

}  // namespace

struct CrawlEngine::State {
    ApiClient& api;
    RowSink& sink;
    CrawlSettings settings;
    std::shared_ptr<spdlog::logger> log;
    CrawlObserver* observer;
    const std::atomic<bool>& stop;

    CrawlReport report;
    std::vector<Listing> pending;  // a stack: children first keeps it short
    unsigned busy = 0;
    bool aborted = false;  // fatal error or refused key: no new listing starts
    std::unique_ptr<asio::steady_timer> wakeup;

    std::int64_t stats_start = 0, stats_end = 0;
    std::string stats_start_date;
    std::string skip_cutoff_date;  // campaigns that ended before this day are skipped (incremental)

    State(ApiClient& a, RowSink& s, CrawlSettings cs, std::shared_ptr<spdlog::logger> l, CrawlObserver* o,
          const std::atomic<bool>& st)
        : api(a), sink(s), settings(cs), log(std::move(l)), observer(o), stop(st) {
        using namespace std::chrono;
        const auto today = floor<days>(settings.now);
        const auto start_day = today - days(settings.stats_days);
        stats_start = duration_cast<seconds>(sys_days(start_day).time_since_epoch()).count();
        // Days are the account's days: in a time zone ahead of UTC "today"
        // is already tomorrow's UTC date, so the window ends two UTC days on.
        stats_end = duration_cast<seconds>(sys_days(today + days(2)).time_since_epoch()).count() - 1;
        stats_start_date = format_date(start_day);
        report.stats_start = stats_start;
        report.stats_end = stats_end;
        report.stats_from = stats_start_date;
        report.stats_to = format_date(today + days(1));
        skip_cutoff_date = format_date(today - days(settings.skip_ended_days));
    }

    bool should_stop() const { return aborted || stop.load(std::memory_order_relaxed); }

    void notify() {
        if (wakeup) wakeup->cancel();
    }

    void enqueue(Listing l) {
        if (observer) observer->on_listing_queued(listing_stream(l.kind));
        pending.push_back(std::move(l));
        notify();
    }

    void fail_listing(const Listing& l, const std::string& why) {
        ++report.listings_failed;
        if (report.failures.size() < max_reported_failures)
            report.failures.push_back(listing_scope(l).name + ": " + why);
        log->warn("listing {} failed, its removals are not reconciled this run: {}", listing_scope(l).name, why);
    }

    void note_shrunk(const std::string& scope, std::pair<std::int64_t, std::int64_t> totals, int read) {
        if (read == 1) {
            ++report.listings_reread;
            log->warn("listing {} shrank while it was read (total {} then {}): records may have moved past the "
                      "reader; reading it again",
                      scope, totals.first, totals.second);
        } else {
            log->warn("listing {} shrank again while it was read again (total {} then {}): only rows neither "
                      "read showed are marked removed",
                      scope, totals.first, totals.second);
        }
    }

    void abort(std::string why) {
        if (report.fatal_error.empty()) report.fatal_error = std::move(why);
        aborted = true;
        api.cancel_waits();
        notify();
    }

    // Whether an incremental run may skip a campaign's ad sets and ads:
    // deleted and archived campaigns are frozen on the networks, and one that
    // ended before the statistics lookback began has nothing left to change.
    bool incremental_skips(const boost::json::object& campaign) const {
        if (settings.mode != CrawlMode::incremental) return false;
        if (flag_set(campaign, "deleted") || flag_set(campaign, "archived")) return true;
        auto it = campaign.find("end_date");
        if (it == campaign.end() || !it->value().is_string()) return false;
        auto ts = normalize_timestamp(it->value().get_string());
        return ts && ts->substr(0, 10) < skip_cutoff_date;
    }

    Listing child(ListingKind kind) const {
        Listing c{};
        c.kind = kind;
        return c;
    }

    // Children of one record, found while its listing is read.
    void collect_children(const Listing& l, const boost::json::object& record, std::vector<Listing>& out,
                          std::unordered_set<std::string>& seen_ids) {
        const std::string id = id_text(record, "id");
        if (id.empty() || !seen_ids.insert(id).second) return;  // repeated record: children once
        switch (l.kind) {
            case ListingKind::accounts:
                for (auto kind : {ListingKind::account_publisher_objects, ListingKind::account_funding_instruments,
                                  ListingKind::account_lead_forms, ListingKind::account_audiences,
                                  ListingKind::account_targeting_clusters}) {
                    auto c = child(kind);
                    c.account_id = id;
                    out.push_back(std::move(c));
                }
                break;
            case ListingKind::media_plans: {
                auto users = child(ListingKind::media_plan_users);
                users.media_plan_id = id;
                out.push_back(std::move(users));
                auto stats = child(ListingKind::media_plan_statistics);
                stats.media_plan_id = id;
                stats.stats_start = stats_start;
                stats.stats_end = stats_end;
                stats.stats_fallback_date = stats_start_date;
                out.push_back(std::move(stats));
                break;
            }
            case ListingKind::campaigns: {
                if (incremental_skips(record)) {
                    ++report.listings_skipped;
                    break;
                }
                const std::string media_plan = id_text(record, "client_id");
                if (media_plan.empty()) {
                    log->warn("campaign {} has no client_id: its ad sets and ads cannot be listed", id);
                    break;
                }
                auto c = child(ListingKind::campaign_ad_sets);
                c.media_plan_id = media_plan;
                c.campaign_id = id;
                out.push_back(std::move(c));
                break;
            }
            case ListingKind::campaign_ad_sets: {
                auto c = child(ListingKind::ad_set_ads);
                c.media_plan_id = l.media_plan_id;
                c.campaign_id = l.campaign_id;
                c.ad_set_id = id;
                out.push_back(std::move(c));
                break;
            }
            default: break;
        }
    }

    // Listings whose records have no children to list: the only ones a
    // resumed run can skip (a parent listing must be read again to find
    // its children).
    static bool is_leaf(ListingKind kind) {
        switch (kind) {
            case ListingKind::account_publisher_objects:
            case ListingKind::account_funding_instruments:
            case ListingKind::account_lead_forms:
            case ListingKind::account_audiences:
            case ListingKind::account_targeting_clusters:
            case ListingKind::media_plan_users:
            case ListingKind::ad_set_ads:
            case ListingKind::campaign_ads:
            case ListingKind::media_plan_statistics: return true;
            default: return false;
        }
    }

    asio::awaitable<void> process(Listing l) {
        const auto table = listing_table(l.kind);
        const auto& spec = model::table_spec(table);
        const auto stream = listing_stream(l.kind);
        const auto context = listing_context(l);
        const auto scope = listing_scope(l);
        auto& counts = report.tables[std::string(spec.name)];

        if (is_leaf(l.kind) && settings.resume_completed.contains(scope.name)) {
            // Read to its end and stored by the interrupted run this one
            // resumes; carried over so that a second interruption keeps it.
            ++report.listings_resumed;
            try {
                co_await sink.checkpoint(scope);
            } catch (const std::exception& e) {
                abort(std::string("recording checkpoint ") + scope.name + " failed: " + e.what());
            }
            if (observer) observer->on_listing_done(stream, true);
            co_return;
        }

        // A removable listing whose total fell while it was read (see
        // PageReader::shrank_while_read) may have had records moved past the
        // reader: it is read a second time. The writer adds up the keys both
        // reads showed, so only rows that neither showed are marked removed.
        // (Not "nothing removed until the totals hold still": an API whose
        // totals never do would then never remove anything; a row wrongly
        // marked removed comes back the next time a read shows it.)
        std::optional<PageReader> reader;
        std::vector<model::Row> batch;
        std::vector<Listing> children;  // found on the current page
        bool any_child = false;
        std::unordered_set<std::string> child_ids;
        std::optional<ApiError> api_failure;
        bool complete = false;
        try {
            for (int read = 1;; ++read) {
                reader.emplace(api, listing_path(l), listing_query(l), std::string(listing_label(l.kind)));
                for (;;) {
                    if (should_stop()) break;
                    auto page = co_await reader->next();
                    if (!page) {
                        complete = true;
                        break;
                    }
                    for (const auto& value : page->data) {
                        ++counts.read;
                        if (!value.is_object()) {
                            ++counts.rejected;
                            continue;
                        }
                        const auto& record = value.get_object();
                        auto mapped = map_record(spec, record, context);
                        counts.sanitized += mapped.sanitized_values;
                        if (!mapped.row) {
                            if (++counts.rejected <= max_logged_rejections)
                                log->warn("{}: record skipped: {}", scope.name, mapped.problem);
                            continue;
                        }
                        collect_children(l, record, children, child_ids);
                        batch.push_back(std::move(*mapped.row));
                        if (batch.size() >= settings.batch_rows) {
                            // A named local, not a temporary inside co_await: GCC 12.
                            auto full = std::exchange(batch, {});
                            co_await sink.write(table, std::move(full), scope);
                        }
                    }
                    // Each page's rows go at once: the writer gathers them into
                    // large merges anyway, and a worker holding up to batch_rows
                    // mapped rows per long listing (statistics) made memory grow
                    // with the agency: 16 workers x 2,000 rows was +70 MB at large.
                    if (!batch.empty()) {
                        auto page_rows = std::exchange(batch, {});
                        co_await sink.write(table, std::move(page_rows), scope);
                    }
                    if (observer)
                        observer->on_page(stream, page->data.size(), read == 1 && reader->pages_read() == 1,
                                          reader->nb_pages());
                    // Children go to the queue page by page, not when the listing
                    // ends: with many requests in flight, the children of a long
                    // listing's first pages are fetched while its later pages are.
                    any_child = any_child || !children.empty();
                    for (auto it = children.rbegin(); it != children.rend(); ++it) enqueue(std::move(*it));
                    children.clear();
                }
                if (!complete || !spec.removable || !reader->shrank_while_read()) break;
                note_shrunk(scope.name, reader->shrink(), read);
                if (read == 2) break;
                complete = false;
            }
            if (complete && spec.removable) co_await sink.complete_listing(table, scope);
            if (complete && is_leaf(l.kind)) co_await sink.checkpoint(scope);
        } catch (const ApiError& e) {
            api_failure.emplace(e);
        } catch (const std::exception& e) {
            // Not the API: the sink (the database) failed. Nothing more can be
            // stored, so the crawl stops; what was committed stays committed.
            abort(std::string("storing ") + scope.name + " failed: " + e.what());
            complete = false;
        }

        if (api_failure) {
            complete = false;
            co_await handle_api_error(l, *api_failure);
        }
        if (observer) observer->on_listing_done(stream, complete);
        if (!complete) co_return;
        ++report.listings_completed;
        // Statistics are never removed, so a shrunk statistics listing is not
        // read again; it only stays out of the figures check's sample.
        if (l.kind == ListingKind::media_plan_statistics && reader->pages_read() > 0 &&
            !reader->shrank_while_read() && report.stats_sample.size() < stats_sample_size)
            report.stats_sample.push_back(l.media_plan_id);

        if (l.kind == ListingKind::campaign_ad_sets && !any_child) {
            // No ad sets (Twitter campaigns have none): the ads hang off the campaign.
            auto c = child(ListingKind::campaign_ads);
            c.media_plan_id = l.media_plan_id;
            c.campaign_id = l.campaign_id;
            enqueue(std::move(c));
        }
    }

    asio::awaitable<void> handle_api_error(const Listing& l, const ApiError& e) {
        switch (e.kind()) {
            case ApiError::Kind::auth_refused:
                report.auth_refused = true;
                abort(std::string("the API refused the key: ") + e.what());
                co_return;
            case ApiError::Kind::cancelled: co_return;  // stopping: the listing stays unfinished
            case ApiError::Kind::not_found: {
                const auto parent = listing_parent(l);
                if (!parent.table) break;
                // The parent vanished between its listing and this one.
                ++report.parents_gone;
                log->info("{}: parent gone (404), marking it removed", listing_scope(l).name);
                try {
                    auto key = parent.key;
                    co_await sink.mark_gone(*parent.table, std::move(key));
                } catch (const std::exception& se) {
                    abort(std::string("marking a gone parent failed: ") + se.what());
                }
                co_return;
            }
            default: break;
        }
        fail_listing(l, e.what());
    }

    asio::awaitable<void> worker() {
        for (;;) {
            if (should_stop()) co_return;
            if (pending.empty()) {
                if (busy == 0) {
                    notify();  // everyone else is idle too: the crawl is over
                    co_return;
                }
                boost::system::error_code ec;
                co_await wakeup->async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            Listing l = std::move(pending.back());
            pending.pop_back();
            ++busy;
            co_await process(std::move(l));
            --busy;
            notify();
        }
    }

    // The stop flag is set from another thread (a signal); the crawl looks
    // at it between pages, and this watcher also wakes idle workers and
    // interrupts backoff waits promptly.
    // It ends when the last worker has ended (workers_left reaches 0).
    unsigned workers_left = 0;
    std::unique_ptr<asio::steady_timer> stop_tick;

    asio::awaitable<void> stop_watcher() {
        while (workers_left > 0) {
            if (stop.load() && !report.interrupted) {
                report.interrupted = true;
                api.cancel_waits();
                notify();
            }
            stop_tick->expires_after(100ms);
            boost::system::error_code ec;
            co_await stop_tick->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
    }
};

CrawlEngine::CrawlEngine(ApiClient& api, RowSink& sink, CrawlSettings settings,
                         std::shared_ptr<spdlog::logger> logger, CrawlObserver* observer,
                         const std::atomic<bool>& stop)
    : state_(std::make_unique<State>(api, sink, settings, std::move(logger), observer, stop)) {}

CrawlEngine::~CrawlEngine() = default;

asio::awaitable<CrawlReport> CrawlEngine::run() {
    auto& s = *state_;
    auto executor = co_await asio::this_coro::executor;
    s.wakeup = std::make_unique<asio::steady_timer>(executor, asio::steady_timer::time_point::max());

    // Top-level listings; the rest is discovered from them.
    for (auto kind : {ListingKind::users, ListingKind::advertisers, ListingKind::accounts, ListingKind::campaigns,
                      ListingKind::media_plans})
        s.enqueue(s.child(kind));

    // Workers plus the stop watcher; run() returns only after all ended, so
    // none outlives the state it uses.
    const unsigned workers = std::max(1u, s.settings.concurrent_listings);
    s.workers_left = workers;
    s.stop_tick = std::make_unique<asio::steady_timer>(executor);
    unsigned running = workers + 1;
    asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
    auto on_exit = [&](bool is_worker) {
        return [&, is_worker](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    s.abort(std::string("crawl worker failed: ") + ex.what());
                }
            }
            if (is_worker && --s.workers_left == 0) s.stop_tick->cancel();
            if (--running == 0) all_done.cancel();
        };
    };
    asio::co_spawn(executor, s.stop_watcher(), on_exit(false));
    for (unsigned i = 0; i < workers; ++i) asio::co_spawn(executor, s.worker(), on_exit(true));
    boost::system::error_code ec;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));

    if (s.stop.load()) s.report.interrupted = true;
    try {
        co_await s.sink.flush();
    } catch (const std::exception& e) {
        if (s.report.fatal_error.empty()) s.report.fatal_error = std::string("storing rows failed: ") + e.what();
    }
    co_return std::move(s.report);
}

}  // namespace marin::sync
