// The API's object graph as data: which listings exist and under which
// object, which table each fills and which columns come from its request
// path, which listings start for each record it holds, which listings decide
// removals, and what a 404 or 403 under a parent means. The crawl, the
// writer's cascades and docs/design.md all read this one description, so a
// new quirk of the real API is one row here, not an edit in five places.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "marin/model/table_spec.hpp"

namespace marin::model {

// The ids a request path is built from ("{campaign}" in a path template).
enum class PathId : std::uint8_t { account, media_plan, campaign, ad_set };
inline constexpr std::size_t path_id_count = 4;
[[nodiscard]] std::string_view path_id_name(PathId id);  // "account", "media_plan", ...

// An object of the graph: the object it belongs to, and how one of it is
// asked for on its own (the check that tells "this parent is gone" apart
// from "this listing does not apply to it").
struct ObjectSpec {
    TableId table;
    std::optional<PathId> id;  // the path id its own id fills (nullopt: never a parent)
    std::string_view path;     // GET of one object, e.g. "/clients/{media_plan}/campaigns/{campaign}"; "" none
    // The object it belongs to: when that one is marked removed, so is this
    // one (a cascade). Only objects reached through their owner's path.
    std::optional<TableId> owner;
    std::string_view owner_column;  // this table's column holding the owner's id
};

enum class ListingKind : std::uint8_t {
    users,
    advertisers,
    accounts,
    campaigns,
    media_plans,
    account_publisher_objects,
    account_funding_instruments,
    account_lead_forms,
    account_audiences,
    account_targeting_clusters,
    media_plan_users,
    media_plan_statistics,
    campaign_ads,
    campaign_ad_sets,
    ad_set_ads,
};
inline constexpr std::size_t listing_kind_count = 15;

// A column whose value comes from the request path, not from the record.
struct PathColumn {
    std::string_view column;
    PathId id;
    // The record's own field wins when it has one (statistics rows carry
    // client_id); otherwise the path's value always wins.
    bool record_first = false;
};

// A path id that a listing's records give their children, from a field of
// the record (a campaign names its media plan in "client_id").
struct RecordPathId {
    PathId id;
    std::string_view field;
};

struct ListingSpec {
    ListingKind kind;
    std::string_view path;          // template, e.g. "/accounts/{account}/objects"
    TableId table;                  // the table its records fill
    std::string_view stream;        // name in progress, logs and metrics
    std::optional<TableId> parent;  // the object it lives under (nullopt: top level)
    std::span<const PathColumn> path_columns;
    // A complete read of it decides removals among the rows it covers
    // (those whose parent column holds the parent's id; top level: all).
    bool removes;
    // Its rows count as seen by another listing of the same table, which
    // decides removals: an ad set's ads listing only adds the ad -> ad set
    // link, the campaign's ads listing holds every ad. Should the campaign's
    // listing not apply, the ads its ad sets' listings showed are all the
    // campaign holds: the campaign's scope is then completed from theirs
    // (only if every one of them was read to its end).
    std::optional<ListingKind> removals_by;
    // Columns its rows leave as stored: the campaign's ads listing does not
    // say which ad set an ad is in, so it never clears that link.
    std::span<const std::string_view> kept_columns;
    // Documented for one network only (ad sets: Facebook campaigns; funding
    // instruments: Twitter accounts): a 404 or 400 for a parent that still
    // exists means "does not apply to this parent", not "gone".
    bool network_specific;
    // What each record starts: its id fills `record_id` for the children,
    // and `record_ids` add path ids from its fields.
    std::optional<PathId> record_id;
    std::span<const RecordPathId> record_ids;
    std::span<const ListingKind> children;
    // Started, with the same path ids, once this listing and every listing
    // it started are done (a campaign's ads after its ad sets and their ads:
    // on a first load the ad arrives with its ad-set link and is written
    // once, and the campaign's listing then finds it unchanged).
    std::span<const ListingKind> then;
    bool statistics;  // rows are never removed; the key must come from the record
    // An incremental run starts no children for a frozen record (deleted,
    // archived, or ended before sync.incremental_skip_ended_days): a
    // campaign the networks no longer change (README, "What an incremental
    // run skips").
    bool incremental_skips_frozen = false;
};

[[nodiscard]] const ListingSpec& listing_spec(ListingKind kind);
[[nodiscard]] std::span<const ListingSpec> all_listings();
[[nodiscard]] std::span<const ListingKind> top_level_listings();
[[nodiscard]] const ObjectSpec& object_spec(TableId table);
// Whether a run that resumes an interrupted one may skip this listing when
// that run read it to its end: it starts nothing (a parent must be read
// again to find its children), and no other listing's removals count on
// its rows being seen in this run (an ad set's ads listing: its campaign's).
[[nodiscard]] bool resumable(ListingKind kind);

// When `parent` is marked removed, its rows in `child` whose `child_column`
// holds its id are marked removed too. Derived from the owners above; in an
// order where one pass reaches grandchildren (parents before children).
struct Cascade {
    TableId parent;
    TableId child;
    std::string_view child_column;
};
[[nodiscard]] const std::vector<Cascade>& cascades();

}  // namespace marin::model
