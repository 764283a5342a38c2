// The crawl's state between listings: statistics window, queue, children, subtree joins, worker loop.
#include "crawl_state.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <cstdio>

#include "marin/sync/value_conversion.hpp"

namespace marin::sync {

namespace {

constexpr std::size_t max_reported_failures = 20;

std::string format_date(std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
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

CrawlEngine::State::State(ApiClient& a, RowSink& s, CrawlSettings cs, std::shared_ptr<spdlog::logger> l,
                          CrawlObserver* o)
    : api(a), sink(s), settings(cs), log(std::move(l)), observer(o) {
    using namespace std::chrono;
    const auto today = floor<days>(settings.now);
    skip_cutoff_date = format_date(today - days(settings.skip_ended_days));
}

void CrawlEngine::State::stop() {
    if (!report.interrupted) log->debug("stop requested: cancelling the requests and waits of the crawl");
    report.interrupted = true;
    // terminal: a request cut short leaves its connection closed, not pooled.
    if (workers) workers->emit(asio::cancellation_type::terminal);
    notify();
}

void CrawlEngine::State::abort(std::string why) {
    if (report.fatal_error.empty()) report.fatal_error = std::move(why);
    aborted = true;
    if (workers) workers->emit(asio::cancellation_type::terminal);
    notify();
}

void CrawlEngine::State::notify() {
    if (wakeup) wakeup->cancel();
}

void CrawlEngine::State::enqueue(Listing l) {
    if (l.subtree) ++l.subtree->open;
    if (observer) observer->on_listing_queued(l.kind);
    pending.push_back(std::move(l));
    notify();
}

// A record as it came, for an error message: at most 300 bytes (cut on
// a character boundary, so the message stays valid UTF-8 for sync_runs),
// with the key masked should the record carry a URL with it.
std::string CrawlEngine::State::quote_record(const boost::json::value& record) const {
    auto text = shorten_text(boost::json::serialize(record), 300);
    return api.masked(text);
}

void CrawlEngine::State::fail_listing(const Listing& l, const std::string& why) {
    ++report.listings_failed;
    if (report.failures.size() < max_reported_failures) report.failures.push_back(listing_scope(l).name + ": " + why);
    log->warn("listing {} failed, its removals are not reconciled this run: {}", listing_scope(l).name, why);
}

void CrawlEngine::State::note_shrunk(const std::string& scope, std::pair<std::int64_t, std::int64_t> totals, int read) {
    if (read == 1) {
        ++report.listings_reread;
        log->warn(
            "listing {} shrank while it was read (total {} then {}): records may have moved past the "
            "reader; reading it again",
            scope, totals.first, totals.second);
    } else {
        log->warn(
            "listing {} shrank again while it was read again (total {} then {}): only rows neither "
            "read showed are marked removed",
            scope, totals.first, totals.second);
    }
}

// Whether an incremental run may skip a record's children (a campaign's
// ad sets and ads): deleted and archived campaigns are frozen on the
// networks, and one that ended long ago has nothing left to change.
bool CrawlEngine::State::incremental_skips(const boost::json::object& campaign) const {
    if (settings.mode != model::RunMode::incremental) return false;
    if (flag_set(campaign, "deleted") || flag_set(campaign, "archived")) return true;
    auto it = campaign.find("end_date");
    if (it == campaign.end() || !it->value().is_string()) return false;
    auto ts = normalize_timestamp(it->value().get_string());
    return ts && ts->substr(0, 10) < skip_cutoff_date;
}

// A listing of `kind` under the ids of `from` (a parent's listing, or
// the listing it follows), with what the graph derives from them.
Listing CrawlEngine::State::make_listing(ListingKind kind, const Listing& from) const {
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
void CrawlEngine::State::collect_children(const Listing& l, const boost::json::object& record,
                                          std::vector<Listing>& out, std::unordered_set<std::string>& seen_ids) {
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
            log->warn("{} {} has no {}: the listings under it cannot be read", spec.stream, id, from_record.field);
            return;
        }
    }
    for (auto kind : spec.children) out.push_back(make_listing(kind, base));
}

// A listing of a subtree is done: the last one starts the root's
// followers (model::ListingSpec::then), unless the root's parent is gone
// or the crawl is stopping.
void CrawlEngine::State::leave_subtree(const Listing& l, bool complete, bool parent_gone) {
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

// Statistics rows of days before the window's first kept day: buckets
// the window may have cut.
bool CrawlEngine::State::before_window(const Listing& l, const model::Row& row, std::size_t date_position) const {
    if (!spec_of(l).statistics || l.stats_first_day.empty()) return false;
    const auto& date = row.values[date_position];
    return date && *date < l.stats_first_day;
}

asio::awaitable<void> CrawlEngine::State::process(Listing l) {
    if (!spec_of(l).then.empty()) {
        // The root of a subtree: it and every listing it starts share the join.
        if (l.subtree) throw std::logic_error("object graph: a listing with followers under another");
        auto join = std::make_shared<SubtreeJoin>();
        join->root = l;
        join->open = 1;
        l.subtree = std::move(join);
    }
    const auto end = co_await read_listing(l);
    if (l.subtree) leave_subtree(l, end.complete, end.outcome == detail::ErrorOutcome::parent_gone);
    // After its followers are queued: until then the progress board must
    // not think that no more listings of their stream can come.
    if (observer) observer->on_listing_done(l.kind, end.observed, end.had_pages);
}

asio::awaitable<void> CrawlEngine::State::worker() {
    // A stop shows as ApiError cancelled (or an ended wait), never as an
    // exception out of a co_await: the listing in progress settles normally.
    co_await asio::this_coro::throw_if_cancelled(false);
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

}  // namespace marin::sync
