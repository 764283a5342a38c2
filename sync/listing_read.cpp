// Reading one listing: its page loop, the intake of each record, and how it settles.
#include <exception>

#include "crawl_state.hpp"
#include "marin/sync/value_conversion.hpp"

namespace marin::sync {

using detail::ErrorOutcome;
using detail::ListingRead;
using detail::ReadOutcome;

namespace {

constexpr std::size_t stats_sample_size = 3;

std::size_t date_position_of(const model::TableSpec& spec) {
    const auto sent = spec.sent_columns();
    for (std::size_t i = 0; i < sent.size(); ++i)
        if (sent[i]->name == "date") return i;
    return sent.size();
}

// Whether other listings' rows count as seen by this one (it is their
// removals_by): when it does not apply, its scope can be completed from
// theirs alone.
bool gathers_others(ListingKind kind) {
    for (const auto& spec : model::all_listings())
        if (spec.removals_by == kind) return true;
    return false;
}

}  // namespace

detail::ListingRead::ListingRead(const Listing& listing, model::TableCounts& table_counts)
    : l(listing),
      lspec(spec_of(listing)),
      table(lspec.table),
      spec(model::table_spec(table)),
      context(listing_context(listing)),
      scope(listing_scope(listing)),
      write_scope(seen_scope(listing)),
      date_position(date_position_of(spec)),
      counts(table_counts),
      counts_for_removals(!write_scope.name.empty()),
      removes(spec.removable && lspec.removes) {}

asio::awaitable<ReadOutcome> CrawlEngine::State::read_listing(const Listing& l) {
    ListingRead r(l, report.tables[spec_of(l).table]);
    if (model::resumable(l.kind) && settings.resume_completed.contains(r.scope.name)) {
        // Read to its end and stored by the interrupted run this one
        // resumes; carried over so that a second interruption keeps it.
        ++report.listings_resumed;
        try {
            auto call = sink.checkpoint(r.scope);
            co_await detail::shielded(std::move(call));
        } catch (const std::exception& e) {
            abort(std::string("recording checkpoint ") + r.scope.name + " failed: " + e.what());
        }
        // Not read in this run: it proves nothing to a subtree.
        co_return ReadOutcome{false, ErrorOutcome::failed, sync::ListingEnd::read, false};
    }
    std::optional<ApiError> api_failure;
    bool store_failed = false;
    try {
        co_await read_pages(r);
        if (r.complete && r.removes) {
            auto call = sink.complete_listing(r.table, r.write_scope);
            co_await detail::shielded(std::move(call));
        }
        if (r.complete && model::resumable(l.kind)) {
            auto call = sink.checkpoint(r.scope);
            co_await detail::shielded(std::move(call));
        }
    } catch (const ApiError& e) {
        api_failure.emplace(e);
    } catch (const std::exception& e) {
        // Not the API: the sink (the database) failed. Nothing more can be
        // stored, so the crawl stops; what was committed stays committed.
        abort(std::string("storing ") + r.scope.name + " failed: " + e.what());
        r.complete = false;
        store_failed = true;
    }
    co_return co_await settle(r, std::move(api_failure), store_failed);
}

// A removable listing whose total fell while it was read (see
// PageReader::shrank_while_read) may have had records moved past the
// reader: it is read a second time. The writer adds up the keys both reads
// showed, so only rows that neither showed are marked removed. (Not
// "nothing removed until the totals hold still": an API whose totals never
// do would then never remove anything; a row wrongly marked removed comes
// back the next time a read shows it.)
asio::awaitable<void> CrawlEngine::State::read_pages(ListingRead& r) {
    const auto& l = r.l;
    for (int read = 1;; ++read) {
        r.reader.emplace(api, listing_path(l), listing_query(l), std::string(listing_label(l.kind)));
        for (;;) {
            if (should_stop()) break;
            auto page = co_await r.reader->next();
            if (!page) {
                r.complete = true;
                break;
            }
            co_await take_page(r, *page, read);
            // A listing holding a record without its key is not what we
            // read it as: it is not completed (nothing removed). An object
            // listing is read on, so that the children of its other records
            // are; a statistics stream stops (its rows most likely all lack
            // the key).
            if (!r.refused.empty() && r.lspec.statistics) break;
        }
        if (!r.refused.empty()) {
            r.complete = false;
            break;
        }
        if (!r.complete || !r.counts_for_removals || !r.reader->shrank_while_read()) break;
        note_shrunk(r.scope.name, r.reader->shrink(), read);
        if (read == 2) break;
        r.complete = false;
    }
}

asio::awaitable<void> CrawlEngine::State::write_batch(ListingRead& r) {
    // Named locals (docs/design.md, "GCC 12 and coroutine frames").
    auto rows = std::exchange(r.batch, {});
    auto call = sink.write(r.table, std::move(rows), r.write_scope);
    co_await detail::shielded(std::move(call));
}

asio::awaitable<void> CrawlEngine::State::take_page(ListingRead& r, Page& page, int read) {
    for (const auto& value : page.data) {
        if (take_record(r, value) && r.batch.size() >= settings.batch_rows) co_await write_batch(r);
    }
    // Each page's rows go at once: the writer gathers them into large
    // merges anyway, and a worker holding up to batch_rows mapped rows per
    // long listing (statistics) made memory grow with the agency: 16
    // workers x 2,000 rows was +70 MB at large.
    if (!r.batch.empty()) co_await write_batch(r);
    if (observer)
        observer->on_page(r.l.kind, page.data.size(), read == 1 && r.reader->pages_read() == 1, r.reader->nb_pages());
    // Children go to the queue page by page, not when the listing ends:
    // with many requests in flight, the children of a long listing's first
    // pages are fetched while its later pages are.
    for (auto it = r.children.rbegin(); it != r.children.rend(); ++it) enqueue(std::move(*it));
    r.children.clear();
}

// One record of a page: true when it became a row of the batch.
bool CrawlEngine::State::take_record(ListingRead& r, const boost::json::value& value) {
    ++r.counts.read;
    if (!value.is_object()) {
        ++r.counts.rejected;
        if (r.refused.empty()) r.refused = "a record is not a JSON object: " + quote_record(value);
        return false;
    }
    const auto& record = value.get_object();
    auto mapped = map_record(r.spec, record, r.context);
    r.counts.sanitized += mapped.sanitized_values;
    if (!mapped.row) {
        // Never keyed by the request instead: that would collapse every
        // such record into one row.
        ++r.counts.rejected;
        if (r.refused.empty()) r.refused = mapped.problem + ", e.g. " + quote_record(value);
        return false;
    }
    if (before_window(r.l, *mapped.row, r.date_position)) {
        ++report.stats_rows_before_window;
        return false;
    }
    collect_children(r.l, record, r.children, r.child_ids);
    r.batch.push_back(std::move(*mapped.row));
    return true;
}

asio::awaitable<ReadOutcome> CrawlEngine::State::settle(ListingRead& r, std::optional<ApiError> api_failure,
                                                        bool store_failed) {
    const auto& l = r.l;
    ErrorOutcome outcome = ErrorOutcome::failed;
    if (api_failure) {
        r.complete = false;
        outcome = co_await handle_api_error(l, *api_failure);
    } else if (!r.refused.empty()) {
        fail_listing(l, "GET " + std::string(listing_label(l.kind)) + ": " + r.refused);
    }
    const bool not_applicable = outcome == ErrorOutcome::not_applicable;
    if (r.complete) {
        ++report.listings_completed;
        // Statistics are never removed, so a shrunk statistics listing is
        // not read again; it only stays out of the figures check's sample.
        if (r.lspec.statistics && r.reader->pages_read() > 0 && !r.reader->shrank_while_read() &&
            report.stats_sample.size() < stats_sample_size)
            report.stats_sample.push_back(l.id(model::PathId::media_plan));
    }
    if (not_applicable && l.after_complete_subtree && r.removes && gathers_others(l.kind)) {
        // The campaign's ads listing does not apply, but every ad-set
        // listing of the campaign was read to its end: the ads they showed
        // are the campaign's ads.
        std::string store_error;
        try {
            auto call = sink.complete_listing(r.table, r.write_scope);
            co_await detail::shielded(std::move(call));
        } catch (const std::exception& e) {
            store_error = e.what();
        }
        if (!store_error.empty()) abort("storing " + r.scope.name + " failed: " + store_error);
    }
    auto observed = sync::ListingEnd::unfinished;
    if (r.complete || not_applicable || outcome == ErrorOutcome::parent_gone)
        observed = sync::ListingEnd::read;
    else if (store_failed || !r.refused.empty() || (api_failure && outcome == ErrorOutcome::failed))
        observed = sync::ListingEnd::failed;
    co_return ReadOutcome{r.complete, outcome, observed, r.reader && r.reader->pages_read() > 0};
}

}  // namespace marin::sync
