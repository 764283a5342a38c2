// The listings of the object graph (API-NOTES.md, "The object graph the sync
// walks"): for each, the endpoint, the table it fills, the values that come
// from its path, and which rows of the table it covers.
#pragma once

#include <string>
#include <vector>

#include "marin/model/table_spec.hpp"
#include "marin/sync/api_client.hpp"
#include "marin/sync/record_mapper.hpp"
#include "marin/sync/row_sink.hpp"

namespace marin::sync {

enum class ListingKind {
    accounts,
    advertisers,
    media_plans,
    campaigns,
    users,
    account_publisher_objects,
    account_funding_instruments,
    account_lead_forms,
    account_audiences,
    account_targeting_clusters,
    media_plan_users,
    campaign_ad_sets,
    ad_set_ads,
    campaign_ads,  // a campaign without ad sets (Twitter): its ads have no ad-set link
    media_plan_statistics,
};

struct Listing {
    ListingKind kind;
    // Ids from the path: account, media plan, campaign, ad set (as needed).
    std::string account_id, media_plan_id, campaign_id, ad_set_id;
    // Statistics window, as the request's UNIX-second parameters.
    std::int64_t stats_start = 0, stats_end = 0;
    std::string stats_fallback_date;  // YYYY-MM-DD of stats_start
};

model::TableId listing_table(ListingKind kind);
std::string_view listing_stream(ListingKind kind);   // progress stream name
std::string_view listing_label(ListingKind kind);    // endpoint template, for metrics
std::string listing_path(const Listing& l);
QueryParams listing_query(const Listing& l);
RecordContext listing_context(const Listing& l);
ListingScope listing_scope(const Listing& l);
// The table and key of the parent whose 404 means "gone" (empty for top-level).
struct ParentRef {
    std::optional<model::TableId> table;
    std::vector<std::string> key;
};
ParentRef listing_parent(const Listing& l);

}  // namespace marin::sync
