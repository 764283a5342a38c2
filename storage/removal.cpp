// Marking rows removed (unseen by a completed listing, or a gone parent), their cascade, and the removal guard.
#include "removal.hpp"

#include <pqxx/pqxx>
#include <spdlog/logger.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>

#include "marin/storage/errors.hpp"
#include "merge_sql.hpp"
#include "mirror_session.hpp"

namespace marin::storage::detail {

using model::TableId;

void RemovalGuard::touch(MirrorSession& session, TableId t) {
    auto& st = at(t);
    if (st.live_at_first_touch) return;
    auto& w = session.tx();
    st.live_at_first_touch = w.exec_prepared1(session.prepared(table_sql(t).count_live))[0].as<std::int64_t>();
}

void RemovalGuard::check(TableId t, std::int64_t n, const std::string& cause) const {
    const auto& st = at(t);
    const auto would = st.removed_this_run + n;
    const auto live = st.live_at_first_touch.value_or(0);
    const double limit = ratio_ * static_cast<double>(live);
    if (would <= min_rows_ || static_cast<double>(would) <= limit) return;
    const double share =
        live > 0 ? static_cast<double>(would) / static_cast<double>(live) : std::numeric_limits<double>::infinity();
    char share_text[32];
    std::snprintf(share_text, sizeof share_text, "%.1f%%", share * 100.0);
    char ratio_text[32];
    std::snprintf(ratio_text, sizeof ratio_text, "%.1f%%", ratio_ * 100.0);
    throw RemovalGuardError("removal guard: " + cause + " would bring the rows of " + table_name(t) +
                                " marked removed by this run to " + std::to_string(would) + ", " +
                                (live > 0 ? std::string(share_text) : std::string("all")) + " of its " +
                                std::to_string(live) + " live rows, over removal_guard_ratio = " + ratio_text +
                                " (and over removal_guard_min_rows = " + std::to_string(min_rows_) +
                                "); nothing was marked. If those rows are really gone, raise the setting for one run.",
                            std::string(model::table_spec(t).name), would, live, share);
}

void RemovalGuard::new_run() {
    for (auto& st : tables_) {
        st.live_at_first_touch.reset();
        st.removed_this_run = 0;
    }
}

std::vector<TableId> Removal::reach(TableId root) {
    std::vector<TableId> out{root};
    for (const auto& link : cascades())
        if (std::find(out.begin(), out.end(), link.parent) != out.end() &&
            std::find(out.begin(), out.end(), link.child) == out.end())
            out.push_back(link.child);
    return out;
}

void Removal::unseen(TableId t, const ListingKey& listing, int listing_id) {
    if (!model::table_spec(t).removable) return;
    const auto select = select_unseen_into_gone(t, listing.parent_filter);
    std::vector<std::string> params{std::to_string(listing_id)};
    for (const auto& [column, value] : listing.parent_filter)
        if (value) params.push_back(*value);
    const auto exists = as_exists(t, select);
    remove_rows(t, "listing " + listing.name, [&](pqxx::work& w, bool probe_first) {
        if (probe_first &&
            !w.exec_prepared1(session_.prepared(exists), pqxx::prepare::make_dynamic_params(params))[0].as<bool>())
            return std::size_t{0};
        session_.ensure_gone_table(t);
        return w.exec_prepared(session_.prepared(select), pqxx::prepare::make_dynamic_params(params)).affected_rows();
    });
}

void Removal::by_key(TableId t, const std::vector<std::string>& key) {
    const auto& spec = model::table_spec(t);
    if (key.size() != spec.key_columns().size())
        throw std::invalid_argument(std::to_string(key.size()) + " key values given, " + table_name(t) + " has " +
                                    std::to_string(spec.key_columns().size()) + " key columns");
    if (!spec.removable) return;
    const auto select = select_key_into_gone(t);
    std::string key_text;
    for (const auto& k : key) key_text += (key_text.empty() ? "" : ", ") + k;
    const auto exists = as_exists(t, select);
    remove_rows(t, "gone " + key_text, [&](pqxx::work& w, bool probe_first) {
        if (probe_first &&
            !w.exec_prepared1(session_.prepared(exists), pqxx::prepare::make_dynamic_params(key))[0].as<bool>())
            return std::size_t{0};
        session_.ensure_gone_table(t);
        return w.exec_prepared(session_.prepared(select), pqxx::prepare::make_dynamic_params(key)).affected_rows();
    });
}

// Only a removal that selected rows leaves its gone tables non-empty; most
// select none, and skip the DELETEs (a statement each).
void Removal::clear_gone_tables(const std::vector<TableId>& tables) {
    auto& w = session_.tx();
    for (auto t : tables) {
        const auto i = static_cast<std::size_t>(t);
        if (const auto& clear = table_sql(t).clear_gone; !clear.empty() && gone_filled_[i]) {
            w.exec_prepared0(session_.prepared(clear));
            gone_filled_[i] = false;
        }
    }
}

// Selects the root rows into marin_gone_<root>, follows the cascades, checks
// the guard, copies the rows' current versions to history and marks them
// removed. The guard throws before anything but the session's gone tables
// was written (and those are emptied at the start of every removal).
template <class SelectRoot>
void Removal::remove_rows(TableId root, const std::string& cause, SelectRoot&& select_root) {
    const auto tables_reached = reach(root);
    for (auto t : tables_reached) session_.ensure_session_tables(t);
    clear_gone_tables(tables_reached);
    auto& w = session_.tx();
    std::map<TableId, std::int64_t> gone;
    guard_.touch(session_, root);
    // Until a removal needed it, the root's gone table does not exist: ask
    // first whether anything would be selected (most often nothing).
    const bool probe_first = !session_.has_gone_table(root);
    if (const auto n = static_cast<std::int64_t>(select_root(w, probe_first)); n > 0) {
        gone[root] = n;
        gone_filled_[static_cast<std::size_t>(root)] = true;
    }
    for (const auto& link : cascades()) {
        if (!gone.count(link.parent)) continue;
        guard_.touch(session_, link.child);
        session_.ensure_gone_table(link.child);
        const auto& cascade = session_.prepared(cascade_into_gone(link));
        if (const auto n = static_cast<std::int64_t>(w.exec_prepared0(cascade).affected_rows()); n > 0) {
            gone[link.child] += n;
            gone_filled_[static_cast<std::size_t>(link.child)] = true;
        }
    }
    for (const auto& [t, n] : gone) guard_.check(t, n, cause);
    for (const auto& [t, n] : gone) {
        const auto& mark = session_.prepared(table_sql(t).mark_gone_rows);
        if (const auto marked = static_cast<std::int64_t>(w.exec_prepared0(mark).affected_rows()); marked != n)
            throw StorageError("marking rows of " + table_name(t) + " removed: selected " + std::to_string(n) +
                               ", marked " + std::to_string(marked));
    }
    for (const auto& [t, n] : gone) {
        guard_.count(t, n);
        totals_[t].removed += n;
        log_.info("{}: marked {} rows of {} removed", cause, n, table_name(t));
    }
}

}  // namespace marin::storage::detail
