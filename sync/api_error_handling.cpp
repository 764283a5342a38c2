// What an API error of a listing means: key refused, listing failed, parent gone, or not applicable.
#include "crawl_state.hpp"

namespace marin::sync {

using detail::ErrorOutcome;

// A listing that does not apply, recorded; the info line once per kind of
// listing (a thousand Twitter campaigns are one line, not a thousand).
void CrawlEngine::State::note_not_applicable(const Listing& l, const ParentRef& parent, const ApiError& e) {
    ++report.listings_not_applicable;
    ++report.not_applicable_by_listing[std::string(listing_label(l.kind))];
    const auto bit = static_cast<std::size_t>(l.kind);
    if (not_applicable_logged.test(bit)) return;
    not_applicable_logged.set(bit);
    // Documented for one network: expected. Any other listing: the API
    // answers otherwise than the reference reads, which an operator should
    // see (its rows under that parent are not synced).
    const auto level = spec_of(l).network_specific ? spdlog::level::info : spdlog::level::warn;
    log->log(level,
             "GET {} does not apply to some parents (first: {}, which the API still serves on its own; it "
             "answered {}): nothing under them is marked removed; counted in sync_runs.listings_not_applicable",
             listing_label(l.kind), parent.name, e.status());
}

// What an error of a listing means, from where it happened:
// - 403 on a top-level listing is the key refused: the run stops; under a
//   parent it is access denied to that parent: that listing fails, the rest
//   of the run goes on, nothing under it is removed;
// - 404 under a parent (or 400 for a network-specific listing) means the
//   parent is gone only if the parent's own GET answers 404 too; if the
//   parent is served, the listing does not apply to it.
asio::awaitable<ErrorOutcome> CrawlEngine::State::handle_api_error(const Listing& l, const ApiError& e) {
    const auto parent = listing_parent(l);
    const auto& spec = spec_of(l);
    switch (e.kind()) {
        case ApiError::Kind::cancelled:
            co_return ErrorOutcome::stopped;  // the listing stays unfinished
        case ApiError::Kind::auth_refused:
            // 401 is the key itself; 403 under a parent is access denied to
            // that parent (an account the agency lost).
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
            co_return co_await check_parent(l, *parent, e);
        }
        default:
            break;
    }
    fail_listing(l, e.what());
    co_return ErrorOutcome::failed;
}

// The parent's own GET tells a gone parent from a listing that does not
// apply to it.
asio::awaitable<ErrorOutcome> CrawlEngine::State::check_parent(const Listing& l, const ParentRef& parent,
                                                               const ApiError& e) {
    std::optional<ApiError> parent_error;
    try {
        // Named locals (docs/design.md, "GCC 12 and coroutine frames").
        const std::string label = "parent check " + parent.label;
        QueryParams no_query;
        BodyCheck any_body;
        (void)co_await api.get(parent.path, std::move(no_query), label, std::move(any_body));
    } catch (const ApiError& pe) {
        parent_error.emplace(pe);
    }
    if (!parent_error) {
        note_not_applicable(l, parent, e);
        co_return ErrorOutcome::not_applicable;
    }
    const auto& pe = *parent_error;
    if (pe.kind() == ApiError::Kind::cancelled) co_return ErrorOutcome::stopped;
    if (pe.kind() != ApiError::Kind::not_found) {
        fail_listing(l, std::string(e.what()) + "; and asking for " + parent.name + " alone failed: " + pe.what());
        co_return ErrorOutcome::failed;
    }
    // Gone between its listing and this one.
    ++report.parents_gone;
    log->info("{}: {} is gone (it and GET {} answered 404), marking it removed", listing_scope(l).name, parent.name,
              listing_label(l.kind));
    std::string store_error;
    try {
        auto key = parent.key;
        auto call = sink.mark_gone(parent.table, std::move(key));
        co_await detail::shielded(std::move(call));
    } catch (const std::exception& se) {
        store_error = se.what();
    }
    if (!store_error.empty()) abort("marking a gone parent failed: " + store_error);
    co_return ErrorOutcome::parent_gone;
}

}  // namespace marin::sync
