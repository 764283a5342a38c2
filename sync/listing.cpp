#include "marin/sync/listing.hpp"

#include <cctype>

namespace marin::sync {

using model::TableId;

model::TableId listing_table(ListingKind kind) {
    switch (kind) {
        case ListingKind::accounts: return TableId::accounts;
        case ListingKind::advertisers: return TableId::advertisers;
        case ListingKind::media_plans: return TableId::media_plans;
        case ListingKind::campaigns: return TableId::campaigns;
        case ListingKind::users: return TableId::users;
        case ListingKind::account_publisher_objects: return TableId::publisher_objects;
        case ListingKind::account_funding_instruments: return TableId::funding_instruments;
        case ListingKind::account_lead_forms: return TableId::lead_forms;
        case ListingKind::account_audiences: return TableId::audiences;
        case ListingKind::account_targeting_clusters: return TableId::targeting_clusters;
        case ListingKind::media_plan_users: return TableId::media_plan_users;
        case ListingKind::campaign_ad_sets: return TableId::ad_sets;
        case ListingKind::ad_set_ads: return TableId::ads;
        case ListingKind::campaign_ads: return TableId::ads;
        case ListingKind::media_plan_statistics: return TableId::ad_stats_daily;
    }
    return TableId::accounts;
}

std::string_view listing_stream(ListingKind kind) {
    if (kind == ListingKind::media_plan_statistics) return "statistics";
    return model::table_spec(listing_table(kind)).name;
}

std::string_view listing_label(ListingKind kind) {
    switch (kind) {
        case ListingKind::accounts: return "/accounts";
        case ListingKind::advertisers: return "/advertisers";
        case ListingKind::media_plans: return "/clients";
        case ListingKind::campaigns: return "/campaigns";
        case ListingKind::users: return "/users";
        case ListingKind::account_publisher_objects: return "/accounts/{id}/objects";
        case ListingKind::account_funding_instruments: return "/accounts/{id}/funding-instruments";
        case ListingKind::account_lead_forms: return "/accounts/{id}/lead-forms";
        case ListingKind::account_audiences: return "/accounts/{id}/audiences";
        case ListingKind::account_targeting_clusters: return "/accounts/{id}/targeting-clusters";
        case ListingKind::media_plan_users: return "/clients/{id}/users";
        case ListingKind::campaign_ad_sets: return "/clients/{id}/campaigns/{id}/adsets";
        case ListingKind::ad_set_ads: return "/clients/{id}/campaigns/{id}/adsets/{id}/ads";
        case ListingKind::campaign_ads: return "/clients/{id}/campaigns/{id}/ads";
        case ListingKind::media_plan_statistics: return "/clients/{id}/statistics";
    }
    return "?";
}

namespace {
// Ids are opaque text from the API; percent-encode anything that is not
// safe in a path segment so that an odd id can never change the path.
std::string segment(const std::string& id) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : id) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}
}  // namespace

std::string listing_path(const Listing& l) {
    const std::string mp_campaign =
        "/clients/" + segment(l.media_plan_id) + "/campaigns/" + segment(l.campaign_id);
    switch (l.kind) {
        case ListingKind::accounts: return "/accounts";
        case ListingKind::advertisers: return "/advertisers";
        case ListingKind::media_plans: return "/clients";
        case ListingKind::campaigns: return "/campaigns";
        case ListingKind::users: return "/users";
        case ListingKind::account_publisher_objects: return "/accounts/" + segment(l.account_id) + "/objects";
        case ListingKind::account_funding_instruments:
            return "/accounts/" + segment(l.account_id) + "/funding-instruments";
        case ListingKind::account_lead_forms: return "/accounts/" + segment(l.account_id) + "/lead-forms";
        case ListingKind::account_audiences: return "/accounts/" + segment(l.account_id) + "/audiences";
        case ListingKind::account_targeting_clusters:
            return "/accounts/" + segment(l.account_id) + "/targeting-clusters";
        case ListingKind::media_plan_users: return "/clients/" + segment(l.media_plan_id) + "/users";
        case ListingKind::campaign_ad_sets: return mp_campaign + "/adsets";
        case ListingKind::ad_set_ads: return mp_campaign + "/adsets/" + segment(l.ad_set_id) + "/ads";
        case ListingKind::campaign_ads: return mp_campaign + "/ads";
        case ListingKind::media_plan_statistics: return "/clients/" + segment(l.media_plan_id) + "/statistics";
    }
    return "/";
}

QueryParams listing_query(const Listing& l) {
    if (l.kind != ListingKind::media_plan_statistics) return {};
    // One paginated stream gives every ad-day row of a media plan.
    return {{"level", "ad"},
            {"aggregate", "day"},
            {"start_date", std::to_string(l.stats_start)},
            {"end_date", std::to_string(l.stats_end)}};
}

RecordContext listing_context(const Listing& l) {
    RecordContext c;
    switch (l.kind) {
        case ListingKind::account_publisher_objects:
        case ListingKind::account_funding_instruments:
        case ListingKind::account_lead_forms:
        case ListingKind::account_audiences:
        case ListingKind::account_targeting_clusters:
            c.forced = {{"account_id", l.account_id}};
            break;
        case ListingKind::media_plan_users: c.forced = {{"media_plan_id", l.media_plan_id}}; break;
        case ListingKind::campaign_ad_sets:
            c.forced = {{"campaign_id", l.campaign_id}, {"media_plan_id", l.media_plan_id}};
            break;
        case ListingKind::ad_set_ads:
            c.forced = {{"ad_set_id", l.ad_set_id}, {"campaign_id", l.campaign_id}, {"media_plan_id", l.media_plan_id}};
            break;
        case ListingKind::campaign_ads:
            c.forced = {{"ad_set_id", std::nullopt},
                        {"campaign_id", l.campaign_id},
                        {"media_plan_id", l.media_plan_id}};
            break;
        case ListingKind::media_plan_statistics:
            // A row without ids or date is keyed by the request that produced it.
            c.fallback = {{"media_plan_id", l.media_plan_id},
                          {"ad_id", "unattributed:media_plan:" + l.media_plan_id},
                          {"date", l.stats_fallback_date}};
            break;
        default: break;
    }
    return c;
}

ListingScope listing_scope(const Listing& l) {
    const auto stream = std::string(listing_stream(l.kind));
    switch (l.kind) {
        case ListingKind::account_publisher_objects:
        case ListingKind::account_funding_instruments:
        case ListingKind::account_lead_forms:
        case ListingKind::account_audiences:
        case ListingKind::account_targeting_clusters:
            return {stream + "@account:" + l.account_id, {{"account_id", l.account_id}}};
        case ListingKind::media_plan_users:
            return {stream + "@media_plan:" + l.media_plan_id, {{"media_plan_id", l.media_plan_id}}};
        case ListingKind::campaign_ad_sets:
            return {stream + "@campaign:" + l.campaign_id, {{"campaign_id", l.campaign_id}}};
        case ListingKind::ad_set_ads: return {stream + "@ad_set:" + l.ad_set_id, {{"ad_set_id", l.ad_set_id}}};
        case ListingKind::campaign_ads:
            return {stream + "@campaign:" + l.campaign_id,
                    {{"campaign_id", l.campaign_id}, {"ad_set_id", std::nullopt}}};
        case ListingKind::media_plan_statistics:
            return {stream + "@media_plan:" + l.media_plan_id, {{"media_plan_id", l.media_plan_id}}};
        default: return {stream, {}};
    }
}

ParentRef listing_parent(const Listing& l) {
    switch (l.kind) {
        case ListingKind::account_publisher_objects:
        case ListingKind::account_funding_instruments:
        case ListingKind::account_lead_forms:
        case ListingKind::account_audiences:
        case ListingKind::account_targeting_clusters:
            return {TableId::accounts, {l.account_id}};
        case ListingKind::media_plan_users:
        case ListingKind::media_plan_statistics:
            return {TableId::media_plans, {l.media_plan_id}};
        case ListingKind::campaign_ad_sets:
        case ListingKind::campaign_ads:
            return {TableId::campaigns, {l.campaign_id}};
        case ListingKind::ad_set_ads: return {TableId::ad_sets, {l.ad_set_id}};
        default: return {};
    }
}

}  // namespace marin::sync
