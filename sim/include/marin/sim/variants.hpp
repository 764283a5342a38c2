#pragma once
// Where the reference (../shared/marin-social-api.txt) leaves the API's
// behaviour open, marin-sim answers one plausible way per setting, chosen on
// the command line or at run time through /_sim/variants. The defaults follow
// the reference where it is explicit and API-NOTES.md where it is not; every
// other value is a reading the real service could just as well have, so that
// the client can be tried against each (issue 11).
#include <string>
#include <string_view>

namespace marin::sim {

// A listing that does not apply to its parent's network: the ad sets of a
// Twitter campaign, the funding instruments of a Facebook account.
enum class InapplicableListings { empty, not_found, bad_request };  // "empty" | "404" | "400"
// Whose campaigns' /ads listing is served: every campaign's (the reference:
// "Retrieves all Ads from a Campaign"), or only Twitter ones (Facebook
// campaigns' answer the inapplicable status: 404, or 400 with bad_request).
enum class CampaignAds { all, twitter_only };  // "all" | "twitter-only"
// Which keys a statistics row carries: date and ids (API-NOTES' reading),
// neither (as the reference's own example rows), or one of the two.
enum class StatsKeys { full, none, no_date, no_ids };  // "full" | "none" | "no-date" | "no-ids"
// Which clock a day bucket follows: UTC, or the media plan's account's
// `timezone` (API-NOTES: "the first day of its bucket, in the account's
// timezone").
enum class StatsDays { utc, account };  // "utc" | "account"
// How start_date/end_date cut buckets: a bucket the window touches is served
// whole, or with only the seconds inside the window.
enum class StatsWindow { days, seconds };  // "days" | "seconds"
// What a page's `next` URL carries: the request's parameters but not `limit`
// (as the reference's examples mostly do), all of them with `limit`, or only
// `key` and `page`.
enum class NextStyle { reference, full, bare };  // "reference" | "full" | "bare"

struct Variants {
    InapplicableListings inapplicable_listings = InapplicableListings::empty;
    CampaignAds campaign_ads = CampaignAds::all;
    // API paths equal to it or under it (whole segments) answer 403 "Access
    // denied", as for an account the agency lost access to ("" = off).
    std::string deny_prefix;
    StatsKeys stats_keys = StatsKeys::full;
    StatsDays stats_days = StatsDays::account;
    StatsWindow stats_window = StatsWindow::days;
    NextStyle next_style = NextStyle::reference;
};

// Sets the variant `name` (as /_sim/variants spells it: inapplicable_listings,
// campaign_ads, deny_prefix, stats_keys, stats_days, stats_window,
// next_style) from its text; returns "" or what is wrong (unknown name, a
// value that is not one of the variant's, a deny_prefix not starting with '/').
std::string set_variant(Variants& v, std::string_view name, std::string_view value);

// Every variant as a JSON object, values spelled as set_variant takes them.
std::string variants_json(const Variants& v);

// The HTTP status a listing that does not apply to its parent answers, or 0
// when it answers an empty listing.
unsigned inapplicable_status(const Variants& v);

}  // namespace marin::sim
