#include "marin/sync/crawl_engine.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <bitset>
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

// The listings under one that has followers (model::ListingSpec::then): a
// campaign's ad-set listing and the ads listings of its ad sets. When the
// last of them is done, the followers start (the campaign's ads listing).
struct SubtreeJoin {
    Listing root;               // the listing with followers, as it was queued
    unsigned open = 0;          // listings of the subtree queued and not done yet
    bool all_complete = true;   // every one done so far was read to its end
    bool root_went = false;     // the root's parent is gone: no followers
};

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

    std::string skip_cutoff_date;  // campaigns that ended before this day are skipped (incremental)
    std::bitset<model::listing_kind_count> not_applicable_logged;

    State(ApiClient& a, RowSink& s, CrawlSettings cs, std::shared_ptr<spdlog::logger> l, CrawlObserver* o,
          const std::atomic<bool>& st)
        : api(a), sink(s), settings(cs), log(std::move(l)), observer(o), stop(st) {
        using namespace std::chrono;
        const auto today = floor<days>(settings.now);
        skip_cutoff_date = format_date(today - days(settings.skip_ended_days));
    }

    bool should_stop() const { return aborted || stop.load(std::memory_order_relaxed); }

    // A record as it came, for an error message: at most 300 bytes (cut on
    // a character boundary, so the message stays valid UTF-8 for sync_runs),
    // with the key masked should the record carry a URL with it.
    std::string quote_record(const boost::json::value& record) const {
        auto text = shorten_text(boost::json::serialize(record), 300);
        return api.masked(text);
    }

    void notify() {
        if (wakeup) wakeup->cancel();
    }

    void enqueue(Listing l) {
        if (l.subtree) ++l.subtree->open;
        if (observer) observer->on_listing_queued(l.kind);
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

    // Whether an incremental run may skip a record's children (a campaign's
    // ad sets and ads): deleted and archived campaigns are frozen on the
    // networks, and one that ended long ago has nothing left to change.
    bool incremental_skips(const boost::json::object& campaign) const {
        if (settings.mode != model::RunMode::incremental) return false;
        if (flag_set(campaign, "deleted") || flag_set(campaign, "archived")) return true;
        auto it = campaign.find("end_date");
        if (it == campaign.end() || !it->value().is_string()) return false;
        auto ts = normalize_timestamp(it->value().get_string());
        return ts && ts->substr(0, 10) < skip_cutoff_date;
    }

    // A listing of `kind` under the ids of `from` (a parent's listing, or
    // the listing it follows), with what the graph derives from them.
    Listing make_listing(ListingKind kind, const Listing& from) const {
        Listing c;
        c.kind = kind;
        c.ids = from.ids;
        c.subtree = from.subtree;
        const auto& spec = model::listing_spec(kind);
        if (spec.statistics) {
            c.stats_start = settings.stats_window.start;
            c.stats_end = settings.stats_window.end;
            c.stats_first_day = settings.stats_window.from;
        }
        return c;
    }

    // Children of one record, found while its listing is read.
    void collect_children(const Listing& l, const boost::json::object& record, std::vector<Listing>& out,
                          std::unordered_set<std::string>& seen_ids) {
        const auto& spec = spec_of(l);
        if (spec.children.empty() || !spec.record_id) return;
        const std::string id = id_text(record, "id");
        if (id.empty() || !seen_ids.insert(id).second) return;  // repeated record: children once
        if (spec.incremental_skips_frozen && incremental_skips(record)) {
            ++report.listings_skipped;
            return;
        }
        Listing base = l;
        base.id(*spec.record_id) = id;
        for (const auto& from_record : spec.record_ids) {
            base.id(from_record.id) = id_text(record, from_record.field);
            if (base.id(from_record.id).empty()) {
                log->warn("{} {} has no {}: the listings under it cannot be read", spec.stream, id,
                          from_record.field);
                return;
            }
        }
        for (auto kind : spec.children) out.push_back(make_listing(kind, base));
    }

    // A listing of a subtree is done: the last one starts the root's
    // followers (model::ListingSpec::then), unless the root's parent is gone
    // or the crawl is stopping.
    void leave_subtree(const Listing& l, bool complete, bool parent_gone) {
        auto& join = *l.subtree;
        join.all_complete = join.all_complete && complete;
        if (parent_gone && l.kind == join.root.kind) join.root_went = true;
        if (--join.open > 0 || join.root_went || should_stop()) return;
        for (auto kind : spec_of(join.root).then) {
            Listing follower = make_listing(kind, join.root);
            follower.subtree.reset();
            // A campaign whose complete ad-set listing is empty has no ad in
            // any ad set: should its ads listing not apply, that is what it
            // holds (the removal guard still bounds what one run removes).
            follower.after_complete_subtree = join.all_complete;
            enqueue(std::move(follower));
        }
    }

    // Whether other listings' rows count as seen by this one (it is their
    // removals_by): when it does not apply, its scope can be completed from
    // theirs alone.
    static bool gathers_others(ListingKind kind) {
        for (const auto& spec : model::all_listings())
            if (spec.removals_by == kind) return true;
        return false;
    }

    // Statistics rows of days before the window's first kept day: buckets
    // the window may have cut.
    bool before_window(const Listing& l, const model::Row& row, std::size_t date_position) const {
        if (!spec_of(l).statistics || l.stats_first_day.empty()) return false;
        const auto& date = row.values[date_position];
        return date && *date < l.stats_first_day;
    }

    asio::awaitable<void> process(Listing l) {
        if (!spec_of(l).then.empty()) {
            // The root of a subtree: it and every listing it starts share the join.
            if (l.subtree) throw std::logic_error("object graph: a listing with followers under another");
            auto join = std::make_shared<SubtreeJoin>();
            join->root = l;
            join->open = 1;
            l.subtree = std::move(join);
        }
        const auto end = co_await read_listing(l);
        if (l.subtree) leave_subtree(l, end.complete, end.outcome == ErrorOutcome::parent_gone);
        // After its followers are queued: until then the progress board must
        // not think that no more listings of their stream can come.
        if (observer) observer->on_listing_done(l.kind, end.observed, end.had_pages);
    }

    enum class ErrorOutcome { failed, not_applicable, parent_gone, stopped };
    struct ReadOutcome {
        bool complete = false;
        ErrorOutcome outcome = ErrorOutcome::failed;  // when not complete
        sync::ListingEnd observed = sync::ListingEnd::unfinished;  // for the observer
        bool had_pages = false;
    };

    asio::awaitable<ReadOutcome> read_listing(const Listing& l) {
        const auto& lspec = spec_of(l);
        const auto table = lspec.table;
        const auto& spec = model::table_spec(table);
        const auto context = listing_context(l);
        const auto scope = listing_scope(l);
        // The rows count as seen by the listing that decides their removals
        // (an ad set's ads: by their campaign's ads listing).
        const model::ListingScope write_scope = seen_scope(l);
        const std::size_t date_position = [&] {
            const auto sent = spec.sent_columns();
            for (std::size_t i = 0; i < sent.size(); ++i)
                if (sent[i]->name == "date") return i;
            return sent.size();
        }();
        auto& counts = report.tables[spec.id];

        if (model::resumable(l.kind) && settings.resume_completed.contains(scope.name)) {
            // Read to its end and stored by the interrupted run this one
            // resumes; carried over so that a second interruption keeps it.
            ++report.listings_resumed;
            try {
                co_await sink.checkpoint(scope);
            } catch (const std::exception& e) {
                abort(std::string("recording checkpoint ") + scope.name + " failed: " + e.what());
            }
            // Not read in this run: it proves nothing to a subtree.
            co_return ReadOutcome{false, ErrorOutcome::failed, sync::ListingEnd::read, false};
        }

        // A removable listing whose total fell while it was read (see
        // PageReader::shrank_while_read) may have had records moved past the
        // reader: it is read a second time. The writer adds up the keys both
        // reads showed, so only rows that neither showed are marked removed.
        // (Not "nothing removed until the totals hold still": an API whose
        // totals never do would then never remove anything; a row wrongly
        // marked removed comes back the next time a read shows it.)
        // Whether its rows count for removals (its own, or its decider's):
        // then a read whose total fell is read again. Whether it completes a
        // scope itself (an ad set's ads listing never does).
        const bool counts_for_removals = !write_scope.name.empty();
        const bool removes = spec.removable && lspec.removes;
        std::optional<PageReader> reader;
        std::vector<model::Row> batch;
        std::vector<Listing> children;  // found on the current page
        std::unordered_set<std::string> child_ids;
        std::optional<ApiError> api_failure;
        std::string refused;  // the first record that could not be keyed, and why
        bool complete = false;
        bool store_failed = false;
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
                            if (refused.empty()) refused = "a record is not a JSON object: " + quote_record(value);
                            continue;
                        }
                        const auto& record = value.get_object();
                        auto mapped = map_record(spec, record, context);
                        counts.sanitized += mapped.sanitized_values;
                        if (!mapped.row) {
                            // Never keyed by the request instead: that would
                            // collapse every such record into one row.
                            ++counts.rejected;
                            if (refused.empty()) refused = mapped.problem + ", e.g. " + quote_record(value);
                            continue;
                        }
                        if (before_window(l, *mapped.row, date_position)) {
                            ++report.stats_rows_before_window;
                            continue;
                        }
                        collect_children(l, record, children, child_ids);
                        batch.push_back(std::move(*mapped.row));
                        if (batch.size() >= settings.batch_rows) {
                            // A named local, not a temporary inside co_await: GCC 12.
                            auto full = std::exchange(batch, {});
                            co_await sink.write(table, std::move(full), write_scope);
                        }
                    }
                    // Each page's rows go at once: the writer gathers them into
                    // large merges anyway, and a worker holding up to batch_rows
                    // mapped rows per long listing (statistics) made memory grow
                    // with the agency: 16 workers x 2,000 rows was +70 MB at large.
                    if (!batch.empty()) {
                        // A named local, not a temporary inside co_await: GCC 12.
                        auto page_rows = std::exchange(batch, {});
                        co_await sink.write(table, std::move(page_rows), write_scope);
                    }
                    if (observer)
                        observer->on_page(l.kind, page->data.size(), read == 1 && reader->pages_read() == 1,
                                          reader->nb_pages());
                    // Children go to the queue page by page, not when the listing
                    // ends: with many requests in flight, the children of a long
                    // listing's first pages are fetched while its later pages are.
                    for (auto it = children.rbegin(); it != children.rend(); ++it) enqueue(std::move(*it));
                    children.clear();
                    // A listing holding a record without its key is not what we
                    // read it as: it is not completed (nothing removed). An
                    // object listing is read on, so that the children of its
                    // other records are; a statistics stream stops (its rows
                    // most likely all lack the key).
                    if (!refused.empty() && lspec.statistics) break;
                }
                if (!refused.empty()) {
                    complete = false;
                    break;
                }
                if (!complete || !counts_for_removals || !reader->shrank_while_read()) break;
                note_shrunk(scope.name, reader->shrink(), read);
                if (read == 2) break;
                complete = false;
            }
            if (complete && removes) co_await sink.complete_listing(table, write_scope);
            if (complete && model::resumable(l.kind)) co_await sink.checkpoint(scope);
        } catch (const ApiError& e) {
            api_failure.emplace(e);
        } catch (const std::exception& e) {
            // Not the API: the sink (the database) failed. Nothing more can be
            // stored, so the crawl stops; what was committed stays committed.
            abort(std::string("storing ") + scope.name + " failed: " + e.what());
            complete = false;
            store_failed = true;
        }

        ErrorOutcome outcome = ErrorOutcome::failed;
        if (api_failure) {
            complete = false;
            outcome = co_await handle_api_error(l, *api_failure);
        } else if (!refused.empty()) {
            fail_listing(l, "GET " + std::string(listing_label(l.kind)) + ": " + refused);
        }
        const bool not_applicable = outcome == ErrorOutcome::not_applicable;
        if (complete) {
            ++report.listings_completed;
            // Statistics are never removed, so a shrunk statistics listing is
            // not read again; it only stays out of the figures check's sample.
            if (lspec.statistics && reader->pages_read() > 0 && !reader->shrank_while_read() &&
                report.stats_sample.size() < stats_sample_size)
                report.stats_sample.push_back(l.id(model::PathId::media_plan));
        }
        if (not_applicable && l.after_complete_subtree && removes && gathers_others(l.kind)) {
            // The campaign's ads listing does not apply, but every ad-set
            // listing of the campaign was read to its end: the ads they showed
            // are the campaign's ads.
            std::string store_error;
            try {
                co_await sink.complete_listing(table, write_scope);
            } catch (const std::exception& e) {
                store_error = e.what();
            }
            if (!store_error.empty()) abort("storing " + scope.name + " failed: " + store_error);
        }
        auto observed = sync::ListingEnd::unfinished;
        if (complete || not_applicable || outcome == ErrorOutcome::parent_gone) observed = sync::ListingEnd::read;
        else if (store_failed || !refused.empty() || (api_failure && outcome == ErrorOutcome::failed))
            observed = sync::ListingEnd::failed;
        co_return ReadOutcome{complete, outcome, observed, reader && reader->pages_read() > 0};
    }

    // A listing that does not apply, recorded; the info line once per kind
    // of listing (a thousand Twitter campaigns are one line, not a thousand).
    void note_not_applicable(const Listing& l, const ParentRef& parent, const ApiError& e) {
        ++report.listings_not_applicable;
        ++report.not_applicable_by_listing[std::string(listing_label(l.kind))];
        const auto bit = static_cast<std::size_t>(l.kind);
        if (not_applicable_logged.test(bit)) return;
        not_applicable_logged.set(bit);
        // Documented for one network: expected. Any other listing: the API
        // answers otherwise than the reference reads, which an operator
        // should see (its rows under that parent are not synced).
        const auto level = spec_of(l).network_specific ? spdlog::level::info : spdlog::level::warn;
        log->log(level,
                 "GET {} does not apply to some parents (first: {}, which the API still serves on its own; it "
                 "answered {}): nothing under them is marked removed; counted in sync_runs.listings_not_applicable",
                 listing_label(l.kind), parent.name, e.status());
    }

    // What an error of a listing means, from where it happened:
    // - 403 on a top-level listing is the key refused: the run stops;
    //   under a parent it is access denied to that parent: that listing
    //   fails, the rest of the run goes on, nothing under it is removed;
    // - 404 under a parent (or 400 for a network-specific listing) means
    //   the parent is gone only if the parent's own GET answers 404 too;
    //   if the parent is served, the listing does not apply to it.
    asio::awaitable<ErrorOutcome> handle_api_error(const Listing& l, const ApiError& e) {
        const auto parent = listing_parent(l);
        const auto& spec = spec_of(l);
        switch (e.kind()) {
            case ApiError::Kind::cancelled: co_return ErrorOutcome::stopped;  // the listing stays unfinished
            case ApiError::Kind::auth_refused:
                // 401 is the key itself; 403 under a parent is access denied
                // to that parent (an account the agency lost).
                if (!parent || e.status() == 401) {
                    report.auth_refused = true;
                    abort(std::string("the API refused the key: ") + e.what());
                    co_return ErrorOutcome::stopped;
                }
                fail_listing(l, "access denied to " + parent->name + ": " + e.what());
                co_return ErrorOutcome::failed;
            case ApiError::Kind::not_found:
            case ApiError::Kind::bad_request: {
                const bool may_not_apply =
                    e.kind() == ApiError::Kind::not_found || (spec.network_specific && e.status() == 400);
                if (!parent || !may_not_apply) break;
                if (parent->path.empty()) {
                    fail_listing(l, std::string(e.what()) + " (the API has no GET of " + parent->name +
                                        " alone to tell whether it is gone)");
                    co_return ErrorOutcome::failed;
                }
                std::optional<ApiError> parent_error;
                try {
                    // Named locals, not temporaries inside co_await: GCC 12.
                    const std::string label = "parent check " + parent->label;
                    QueryParams no_query;
                    BodyCheck any_body;
                    (void)co_await api.get(parent->path, std::move(no_query), label, std::move(any_body));
                } catch (const ApiError& pe) {
                    parent_error.emplace(pe);
                }
                if (parent_error) {
                    const auto& pe = *parent_error;
                    if (pe.kind() == ApiError::Kind::cancelled) co_return ErrorOutcome::stopped;
                    if (pe.kind() != ApiError::Kind::not_found) {
                        fail_listing(l, std::string(e.what()) + "; and asking for " + parent->name +
                                            " alone failed: " + pe.what());
                        co_return ErrorOutcome::failed;
                    }
                    // Gone between its listing and this one.
                    ++report.parents_gone;
                    log->info("{}: {} is gone (it and GET {} answered 404), marking it removed",
                              listing_scope(l).name, parent->name, listing_label(l.kind));
                    std::string store_error;
                    try {
                        auto key = parent->key;
                        co_await sink.mark_gone(parent->table, std::move(key));
                    } catch (const std::exception& se) {
                        store_error = se.what();
                    }
                    if (!store_error.empty()) abort("marking a gone parent failed: " + store_error);
                    co_return ErrorOutcome::parent_gone;
                }
                note_not_applicable(l, *parent, e);
                co_return ErrorOutcome::not_applicable;
            }
            default: break;
        }
        fail_listing(l, e.what());
        co_return ErrorOutcome::failed;
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
    for (auto kind : model::top_level_listings()) s.enqueue(s.make_listing(kind, Listing{}));

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
