// One listing to read: a kind of the object graph (model/object_graph.hpp)
// with the ids its path needs, and what follows from them: the request, the
// values its rows take from the path, the rows it covers, its parent.
#pragma once

#include <array>
#include <memory>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "marin/model/object_graph.hpp"
#include "marin/model/table_spec.hpp"
#include "marin/sync/query_params.hpp"
#include "marin/sync/record_mapper.hpp"
#include "marin/sync/row_sink.hpp"

namespace marin::sync {

using model::ListingKind;

struct SubtreeJoin;  // sync/crawl_state.hpp

struct Listing {
    ListingKind kind = ListingKind::users;
    std::array<std::string, model::path_id_count> ids;  // by model::PathId
    // Statistics: the request's window (UNIX seconds) and the first day
    // whose rows are kept (YYYY-MM-DD). The window starts a day before that
    // day, at UTC midnight, so that whatever the account's time zone the
    // first kept day is whole; rows of earlier days (buckets the window may
    // cut) are dropped.
    std::int64_t stats_start = 0, stats_end = 0;
    std::string stats_first_day;
    // The listing with followers (model::ListingSpec::then) that this one
    // is under, if any: its followers start when all of it is done.
    std::shared_ptr<SubtreeJoin> subtree;
    // A follower: whether the listing it follows and everything that one
    // started were read to their end.
    bool after_complete_subtree = false;

    [[nodiscard]] const std::string& id(model::PathId p) const { return ids[static_cast<std::size_t>(p)]; }
    std::string& id(model::PathId p) { return ids[static_cast<std::size_t>(p)]; }
};

[[nodiscard]] const model::ListingSpec& spec_of(const Listing& l);
[[nodiscard]] model::TableId listing_table(ListingKind kind);
[[nodiscard]] std::string_view listing_stream(ListingKind kind);  // progress stream name
[[nodiscard]] std::string_view listing_label(ListingKind kind);   // path template with {id}, for metrics
// Fills a path template ("/accounts/{account}/objects") with the listing's
// ids, each percent-encoded as a path segment.
[[nodiscard]] std::string fill_path(std::string_view templ, const Listing& l);
[[nodiscard]] std::string listing_path(const Listing& l);
[[nodiscard]] QueryParams listing_query(const Listing& l);
[[nodiscard]] RecordContext listing_context(const Listing& l);
// The rows it covers (for removals) and its name in logs and checkpoints,
// e.g. "ads@campaign:700001".
[[nodiscard]] model::ListingScope listing_scope(const Listing& l);
// The scope its rows are recorded under as seen: its own, or that of the
// listing that decides their removals (model::ListingSpec::removals_by);
// empty for a listing whose rows are never removed.
[[nodiscard]] model::ListingScope seen_scope(const Listing& l);

// The object a child listing lives under, and how to ask for that object
// alone (to tell "gone" from "does not apply").
struct ParentRef {
    model::TableId table;
    std::vector<std::string> key;  // the parent's key values
    std::string path;              // GET of the parent alone ("" when the API has none)
    std::string label;             // that GET's endpoint, e.g. "/clients/{id}/campaigns/{id}" (metrics)
    std::string name;              // e.g. "campaign 700001"
};
[[nodiscard]] std::optional<ParentRef> listing_parent(const Listing& l);

}  // namespace marin::sync
