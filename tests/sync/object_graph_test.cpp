// The object graph (model/object_graph.hpp) is consistent, and what the
// crawl derives from it is what the API expects.
#include <gtest/gtest.h>

#include <set>

#include "marin/model/object_graph.hpp"
#include "marin/sync/listing.hpp"

using namespace marin;
using model::ListingKind;
using model::PathId;
using model::TableId;

namespace {

// The path ids a listing's path needs, by name.
std::set<std::string> ids_in(std::string_view templ) {
    std::set<std::string> out;
    for (auto open = templ.find('{'); open != std::string_view::npos; open = templ.find('{', open + 1))
        out.emplace(templ.substr(open + 1, templ.find('}', open) - open - 1));
    return out;
}

// The path ids a listing of `kind` is given: those of the listings above it
// plus what their records fill.
std::set<std::string> ids_given(ListingKind kind) {
    for (const auto& parent : model::all_listings()) {
        std::set<std::string> given;
        bool starts = false;
        for (auto c : parent.children) starts = starts || c == kind;
        if (starts) {
            given = ids_given(parent.kind);
            if (parent.record_id) given.insert(std::string(model::path_id_name(*parent.record_id)));
            for (const auto& r : parent.record_ids) given.insert(std::string(model::path_id_name(r.id)));
            return given;
        }
        for (auto t : parent.then) starts = starts || t == kind;
        if (starts) return ids_given(parent.kind);
    }
    return {};
}

sync::Listing listing(ListingKind kind) {
    sync::Listing l;
    l.kind = kind;
    l.id(PathId::account) = "1001";
    l.id(PathId::media_plan) = "50001";
    l.id(PathId::campaign) = "700001";
    l.id(PathId::ad_set) = "8000001";
    return l;
}

}  // namespace

TEST(ObjectGraph, EveryListingIsReachedWithTheIdsItsPathNeeds) {
    std::set<ListingKind> top(model::top_level_listings().begin(), model::top_level_listings().end());
    for (const auto& l : model::all_listings()) {
        const auto needed = ids_in(l.path);
        if (top.contains(l.kind)) {
            EXPECT_TRUE(needed.empty()) << l.path;
            continue;
        }
        const auto given = ids_given(l.kind);
        EXPECT_FALSE(given.empty()) << l.path << " is started by no listing";
        for (const auto& id : needed) EXPECT_TRUE(given.contains(id)) << l.path << " needs {" << id << "}";
        // Its parent's own GET needs no more than the listing has.
        ASSERT_TRUE(l.parent) << l.path;
        for (const auto& id : ids_in(model::object_spec(*l.parent).path))
            EXPECT_TRUE(given.contains(id)) << l.path << ": parent GET needs {" << id << "}";
    }
}

TEST(ObjectGraph, RequestsAndScopesAreThoseTheApiAndTheCheckpointsKnow) {
    EXPECT_EQ(sync::listing_path(listing(ListingKind::ad_set_ads)),
              "/clients/50001/campaigns/700001/adsets/8000001/ads");
    EXPECT_EQ(sync::listing_label(ListingKind::ad_set_ads), "/clients/{id}/campaigns/{id}/adsets/{id}/ads");
    EXPECT_EQ(sync::listing_label(ListingKind::account_funding_instruments), "/accounts/{id}/funding-instruments");
    EXPECT_EQ(sync::listing_scope(listing(ListingKind::campaign_ads)).name, "ads@campaign:700001");
    EXPECT_EQ(sync::listing_scope(listing(ListingKind::ad_set_ads)).name, "ads@ad_set:8000001");
    EXPECT_EQ(sync::listing_scope(listing(ListingKind::media_plan_statistics)).name, "statistics@media_plan:50001");
    EXPECT_EQ(sync::listing_scope(listing(ListingKind::accounts)).name, "accounts");
    const auto parent = sync::listing_parent(listing(ListingKind::campaign_ad_sets));
    ASSERT_TRUE(parent);
    EXPECT_EQ(parent->path, "/clients/50001/campaigns/700001");
    EXPECT_EQ(parent->name, "campaign 700001");
    EXPECT_EQ(parent->table, TableId::campaigns);
    // An odd id cannot change the path.
    auto odd = listing(ListingKind::account_audiences);
    odd.id(PathId::account) = "1/../users?x";
    EXPECT_EQ(sync::listing_path(odd), "/accounts/1%2F..%2Fusers%3Fx/audiences");
}

TEST(ObjectGraph, TheCampaignsAdsListingKeepsTheAdSetLinkAndTheAdSetsOnlySetIt) {
    const auto campaign_ads = sync::listing_context(listing(ListingKind::campaign_ads));
    EXPECT_TRUE(campaign_ads.keeps_links);
    const auto ad_set_ads = sync::listing_context(listing(ListingKind::ad_set_ads));
    EXPECT_FALSE(ad_set_ads.keeps_links);
    bool forced = false;
    for (const auto& [column, value] : ad_set_ads.forced)
        forced = forced || (column == "ad_set_id" && value == "8000001");
    EXPECT_TRUE(forced);
    EXPECT_EQ(model::listing_spec(ListingKind::ad_set_ads).removals_by, ListingKind::campaign_ads);
    // No key column ever comes from the request: a statistics row without
    // its date or ad id is refused, not keyed by the media plan.
    for (const auto& l : model::all_listings()) {
        const auto ctx = sync::listing_context(listing(l.kind));
        for (const auto& [column, value] : ctx.fallback) {
            const auto* c = model::table_spec(l.table).column(column);
            ASSERT_NE(c, nullptr) << column;
            EXPECT_NE(c->role, model::ColumnRole::key) << l.path << " " << column;
        }
    }
}

TEST(ObjectGraph, CascadesFollowOwnersParentsFirst) {
    const auto& cascades = model::cascades();
    std::set<std::pair<TableId, TableId>> links;
    for (std::size_t i = 0; i < cascades.size(); ++i) {
        links.insert({cascades[i].parent, cascades[i].child});
        for (std::size_t j = i + 1; j < cascades.size(); ++j)
            EXPECT_NE(cascades[j].child, cascades[i].parent) << "a grandchild would be missed in one pass";
    }
    EXPECT_TRUE(links.contains({TableId::media_plans, TableId::campaigns}));
    EXPECT_TRUE(links.contains({TableId::campaigns, TableId::ads}));
    EXPECT_TRUE(links.contains({TableId::accounts, TableId::audiences}));
    EXPECT_FALSE(links.contains({TableId::ad_sets, TableId::ads}));
    EXPECT_EQ(links.size(), 9u);
}
