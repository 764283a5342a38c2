// The object graph of ../shared/API-NOTES.md ("The object graph the sync
// walks") as data; docs/design.md shows the same table.
#include "marin/model/object_graph.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace marin::model {
namespace {

using enum ListingKind;
using T = TableId;
using P = PathId;

constexpr std::array<ObjectSpec, table_count> objects = {{
    {T::accounts, P::account, "/accounts/{account}", std::nullopt, ""},
    {T::advertisers, std::nullopt, "", std::nullopt, ""},
    {T::media_plans, P::media_plan, "/clients/{media_plan}", std::nullopt, ""},
    {T::campaigns, P::campaign, "/clients/{media_plan}/campaigns/{campaign}", T::media_plans, "media_plan_id"},
    {T::ad_sets, P::ad_set, "/clients/{media_plan}/campaigns/{campaign}/adsets/{ad_set}", T::campaigns, "campaign_id"},
    // An ad belongs to its campaign, not to its ad set: the campaign's ads
    // listing holds it even when no ad-set listing does any more.
    {T::ads, std::nullopt, "", T::campaigns, "campaign_id"},
    {T::users, std::nullopt, "", std::nullopt, ""},
    {T::media_plan_users, std::nullopt, "", T::media_plans, "media_plan_id"},
    {T::funding_instruments, std::nullopt, "", T::accounts, "account_id"},
    {T::publisher_objects, std::nullopt, "", T::accounts, "account_id"},
    {T::lead_forms, std::nullopt, "", T::accounts, "account_id"},
    {T::audiences, std::nullopt, "", T::accounts, "account_id"},
    {T::targeting_clusters, std::nullopt, "", T::accounts, "account_id"},
    {T::ad_stats_daily, std::nullopt, "", std::nullopt, ""},
}};

constexpr PathColumn by_account[] = {{"account_id", P::account}};
constexpr PathColumn by_media_plan[] = {{"media_plan_id", P::media_plan}};
constexpr PathColumn by_campaign[] = {{"campaign_id", P::campaign}, {"media_plan_id", P::media_plan}};
constexpr PathColumn by_ad_set[] = {
    {"ad_set_id", P::ad_set}, {"campaign_id", P::campaign}, {"media_plan_id", P::media_plan}};
constexpr PathColumn stats_columns[] = {{"media_plan_id", P::media_plan, true}};

constexpr std::string_view ad_set_link[] = {"ad_set_id"};

constexpr RecordPathId campaign_media_plan[] = {{P::media_plan, "client_id"}};

constexpr ListingKind account_children[] = {account_publisher_objects, account_funding_instruments, account_lead_forms,
                                            account_audiences, account_targeting_clusters};
constexpr ListingKind media_plan_children[] = {media_plan_users, media_plan_statistics};
constexpr ListingKind campaign_children[] = {campaign_ad_sets};
constexpr ListingKind after_campaign_ad_sets[] = {campaign_ads};
constexpr ListingKind ad_set_children[] = {ad_set_ads};

constexpr ListingKind top_level[] = {users, advertisers, accounts, campaigns, media_plans};

// Order: ListingKind's.
constexpr std::array<ListingSpec, listing_kind_count> listings = {{
    {users,
     "/users",
     T::users,
     "users",
     std::nullopt,
     {},
     true,
     std::nullopt,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     false},
    {advertisers,
     "/advertisers",
     T::advertisers,
     "advertisers",
     std::nullopt,
     {},
     true,
     std::nullopt,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     false},
    {accounts,
     "/accounts",
     T::accounts,
     "accounts",
     std::nullopt,
     {},
     true,
     std::nullopt,
     {},
     false,
     P::account,
     {},
     account_children,
     {},
     false},
    // Every campaign, listed once; its children live under its media plan's path.
    {campaigns,
     "/campaigns",
     T::campaigns,
     "campaigns",
     std::nullopt,
     {},
     true,
     std::nullopt,
     {},
     false,
     P::campaign,
     campaign_media_plan,
     campaign_children,
     {},
     false,
     /*incremental_skips_frozen=*/true},
    {media_plans,
     "/clients",
     T::media_plans,
     "media_plans",
     std::nullopt,
     {},
     true,
     std::nullopt,
     {},
     false,
     P::media_plan,
     {},
     media_plan_children,
     {},
     false},
    {account_publisher_objects,
     "/accounts/{account}/objects",
     T::publisher_objects,
     "publisher_objects",
     T::accounts,
     by_account,
     true,
     std::nullopt,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     false},
    // "Retrieves the list of funding instruments from a specific Twitter account."
    {account_funding_instruments,
     "/accounts/{account}/funding-instruments",
     T::funding_instruments,
     "funding_instruments",
     T::accounts,
     by_account,
     true,
     std::nullopt,
     {},
     true,
     std::nullopt,
     {},
     {},
     {},
     false},
    {account_lead_forms,
     "/accounts/{account}/lead-forms",
     T::lead_forms,
     "lead_forms",
     T::accounts,
     by_account,
     true,
     std::nullopt,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     false},
    {account_audiences,
     "/accounts/{account}/audiences",
     T::audiences,
     "audiences",
     T::accounts,
     by_account,
     true,
     std::nullopt,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     false},
    {account_targeting_clusters,
     "/accounts/{account}/targeting-clusters",
     T::targeting_clusters,
     "targeting_clusters",
     T::accounts,
     by_account,
     true,
     std::nullopt,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     false},
    {media_plan_users,
     "/clients/{media_plan}/users",
     T::media_plan_users,
     "media_plan_users",
     T::media_plans,
     by_media_plan,
     true,
     std::nullopt,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     false},
    {media_plan_statistics,
     "/clients/{media_plan}/statistics",
     T::ad_stats_daily,
     "statistics",
     T::media_plans,
     stats_columns,
     false,
     std::nullopt,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     true},
    // "Retrieves all Ads from a Campaign": the complete list, Facebook too.
    // Network-specific all the same: should the API serve it for Twitter
    // campaigns only, the ads the ad-set listings showed decide instead.
    {campaign_ads,
     "/clients/{media_plan}/campaigns/{campaign}/ads",
     T::ads,
     "ads",
     T::campaigns,
     by_campaign,
     true,
     std::nullopt,
     ad_set_link,
     true,
     std::nullopt,
     {},
     {},
     {},
     false},
    // Ad sets are a Facebook thing: a Twitter campaign may answer 404 or 400.
    {campaign_ad_sets,
     "/clients/{media_plan}/campaigns/{campaign}/adsets",
     T::ad_sets,
     "ad_sets",
     T::campaigns,
     by_campaign,
     true,
     std::nullopt,
     {},
     true,
     P::ad_set,
     {},
     ad_set_children,
     after_campaign_ad_sets,
     false},
    {ad_set_ads,
     "/clients/{media_plan}/campaigns/{campaign}/adsets/{ad_set}/ads",
     T::ads,
     "ads",
     T::ad_sets,
     by_ad_set,
     false,
     campaign_ads,
     {},
     false,
     std::nullopt,
     {},
     {},
     {},
     false},
}};

constexpr bool listings_in_order() {
    for (std::size_t i = 0; i < listings.size(); ++i)
        if (static_cast<std::size_t>(listings[i].kind) != i) return false;
    return true;
}
static_assert(listings_in_order(), "listings[] must follow ListingKind's order");

constexpr bool objects_in_order() {
    for (std::size_t i = 0; i < objects.size(); ++i)
        if (static_cast<std::size_t>(objects[i].table) != i) return false;
    return true;
}
static_assert(objects_in_order(), "objects[] must follow TableId's order");

}  // namespace

std::string_view path_id_name(PathId id) {
    switch (id) {
        case PathId::account:
            return "account";
        case PathId::media_plan:
            return "media_plan";
        case PathId::campaign:
            return "campaign";
        case PathId::ad_set:
            return "ad_set";
    }
    return "?";
}

const ListingSpec& listing_spec(ListingKind kind) { return listings[static_cast<std::size_t>(kind)]; }

std::span<const ListingSpec> all_listings() { return listings; }

std::span<const ListingKind> top_level_listings() { return top_level; }

const ObjectSpec& object_spec(TableId table) { return objects[static_cast<std::size_t>(table)]; }

bool resumable(ListingKind kind) {
    const auto& l = listing_spec(kind);
    return l.children.empty() && l.then.empty() && !l.removals_by;
}

const std::vector<Cascade>& cascades() {
    static const std::vector<Cascade> links = [] {
        std::vector<Cascade> out;
        for (const auto& o : objects) {
            if (!o.owner) continue;
            const auto& child = table_spec(o.table);
            if (!child.removable || !child.column(o.owner_column) || table_spec(*o.owner).key_columns().size() != 1)
                throw std::logic_error("object graph: owner link " + std::string(table_spec(*o.owner).name) + " -> " +
                                       std::string(child.name) + " does not match the table model");
            out.push_back({*o.owner, o.table, o.owner_column});
        }
        // Owners come before what they own in TableId order (accounts,
        // media plans, campaigns, ...), so sorting by parent lets one pass
        // in order reach grandchildren (media plan -> campaign -> ad).
        std::stable_sort(out.begin(), out.end(), [](const Cascade& a, const Cascade& b) {
            return static_cast<int>(a.parent) < static_cast<int>(b.parent);
        });
        for (std::size_t i = 0; i < out.size(); ++i)
            for (std::size_t j = i + 1; j < out.size(); ++j)
                if (out[j].child == out[i].parent)
                    throw std::logic_error("object graph: cascades cannot be ordered parents first");
        return out;
    }();
    return links;
}

}  // namespace marin::model
