// Listing bookkeeping: open listings and their seen keys, queued completions, resume checkpoints, guard refusals.
#include "listing_book.hpp"

#include <pqxx/pqxx>

#include "copy_text.hpp"
#include "merge_sql.hpp"
#include "mirror_session.hpp"
#include "run_log_sql.hpp"

namespace marin::storage::detail {

namespace {
// Deleted seen-key rows tolerated in a session table before it is truncated
// (when no listing of the table is open): temporary tables get no autovacuum.
constexpr std::int64_t seen_truncate_threshold = 20'000;
}  // namespace

int ListingBook::listing_id(model::TableId t, const std::string& scope) {
    auto& open = at(t).open_listings;
    auto [it, added] = open.try_emplace(scope, next_listing_id_);
    if (added) ++next_listing_id_;
    return it->second;
}

int ListingBook::open_id(model::TableId t, const std::string& scope) const {
    const auto& open = tables_[static_cast<std::size_t>(t)].open_listings;
    const auto found = open.find(scope);
    return found == open.end() ? 0 : found->second;
}

void ListingBook::close(model::TableId t, const std::string& scope) {
    auto& st = at(t);
    const auto found = st.open_listings.find(scope);
    if (found == st.open_listings.end()) return;
    st.seen_to_forget.push_back(found->second);
    st.open_listings.erase(found);
}

void ListingBook::forget_seen_keys(MirrorSession& session) {
    for (std::size_t i = 0; i < tables_.size(); ++i) {
        auto& st = tables_[i];
        if (st.seen_to_forget.empty()) continue;
        const auto& sql = table_sql(static_cast<model::TableId>(i));
        std::vector<std::string> ids;
        for (int id : st.seen_to_forget) ids.push_back(std::to_string(id));
        st.seen_to_forget.clear();
        auto& w = session.tx();
        if (st.open_listings.empty() && st.seen_dead_rows > seen_truncate_threshold) {
            w.exec0(sql.truncate_seen);
            st.seen_dead_rows = 0;
        } else {
            st.seen_dead_rows += w.exec_prepared0(session.prepared(sql.forget_seen), text_array(ids)).affected_rows();
        }
    }
}

bool ListingBook::queue_completion(model::TableId t, ListingKey listing) {
    completions_.push_back({t, std::move(listing)});
    return completions_.size() >= max_queued_completions;
}

std::optional<std::string> ListingBook::take_refusals() {
    if (refusals_.empty()) return std::nullopt;
    std::string message = refusals_.front();
    if (refusals_.size() > 1) message += " (and " + std::to_string(refusals_.size() - 1) + " more refusals)";
    refusals_.clear();
    return message;
}

void ListingBook::record_checkpoints(MirrorSession& session) {
    auto queued = std::exchange(checkpoints_, {});
    std::map<std::int64_t, std::vector<std::string>> by_run;
    for (auto& [run, scope] : queued)
        if (!refused_scopes_.contains(scope)) by_run[run].push_back(std::move(scope));
    refused_scopes_.clear();
    for (const auto& [run, scopes] : by_run)
        session.tx().exec_prepared0(session.prepared(record_listings_done), run, text_array(scopes));
}

void ListingBook::abandon_group() {
    completions_.clear();
    checkpoints_.clear();
    refused_scopes_.clear();
}

}  // namespace marin::storage::detail
