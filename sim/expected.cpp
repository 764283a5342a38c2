// /_sim/expected: the state a perfect mirror holds, table by table, as NDJSON
// lines written a chunk at a time (the stream resumes from its cursor).
#include "marin/sim/expected.hpp"

#include <algorithm>

#include "marin/sim/json_writer.hpp"
#include "marin/sim/records.hpp"
#include "marin/sim/stats.hpp"

namespace marin::sim {

std::optional<ExpectedTable> parse_expected_table(std::string_view name) {
    static constexpr std::pair<std::string_view, ExpectedTable> names[] = {
        {"accounts", ExpectedTable::accounts},
        {"advertisers", ExpectedTable::advertisers},
        {"media_plans", ExpectedTable::media_plans},
        {"campaigns", ExpectedTable::campaigns},
        {"ad_sets", ExpectedTable::ad_sets},
        {"ads", ExpectedTable::ads},
        {"users", ExpectedTable::users},
        {"media_plan_users", ExpectedTable::media_plan_users},
        {"funding_instruments", ExpectedTable::funding_instruments},
        {"publisher_objects", ExpectedTable::publisher_objects},
        {"lead_forms", ExpectedTable::lead_forms},
        {"audiences", ExpectedTable::audiences},
        {"targeting_clusters", ExpectedTable::targeting_clusters},
        {"ad_stats_daily", ExpectedTable::ad_stats_daily},
    };
    for (const auto& [n, t] : names)
        if (n == name) return t;
    return std::nullopt;
}

namespace {

int account_slot(ExpectedTable t) {
    switch (t) {
        case ExpectedTable::publisher_objects:
            return 0;
        case ExpectedTable::funding_instruments:
            return 1;
        case ExpectedTable::lead_forms:
            return 2;
        case ExpectedTable::audiences:
            return 3;
        case ExpectedTable::targeting_clusters:
            return 4;
        default:
            return -1;
    }
}

// One NDJSON line: {"key":{...},"parents":{...},"removed":b,"record":...}
template <typename Key, typename Parents, typename Record>
void line(std::string& out, bool removed, Key key, Parents parents, Record record) {
    JsonWriter w(out);
    w.begin_object();
    w.key("key");
    w.begin_object();
    key(w);
    w.end_object();
    w.key("parents");
    w.begin_object();
    parents(w);
    w.end_object();
    w.field_bool("removed", removed);
    w.key("record");
    record(w);
    w.end_object();
    out += '\n';
}

void nothing(JsonWriter&) {}

void id_field(JsonWriter& w, std::string_view k, Kind kind, std::uint32_t i) { w.field(k, id_of(kind, i)); }

// One writer per table: rows from the cursor on until `out` reaches `stop`.
void write_accounts(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    for (; c.outer < world.accounts.size() && !full(); ++c.outer) {
        const auto i = static_cast<std::uint32_t>(c.outer);
        line(
            out, !world.accounts[i].life.present(), [&](JsonWriter& w) { id_field(w, "id", Kind::account, i); },
            nothing, [&](JsonWriter& w) { render_account(w, world, i); });
    }
    c.done = c.outer >= world.accounts.size();
}

void write_advertisers(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    for (; c.outer < world.advertisers.size() && !full(); ++c.outer) {
        const auto i = static_cast<std::uint32_t>(c.outer);
        line(
            out, !world.advertisers[i].life.present(), [&](JsonWriter& w) { id_field(w, "id", Kind::advertiser, i); },
            nothing, [&](JsonWriter& w) { render_advertiser(w, world, i); });
    }
    c.done = c.outer >= world.advertisers.size();
}

void write_users(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    for (; c.outer < world.users.size() && !full(); ++c.outer) {
        const auto i = static_cast<std::uint32_t>(c.outer);
        line(
            out, !world.users[i].life.present(), [&](JsonWriter& w) { id_field(w, "id", Kind::user, i); }, nothing,
            [&](JsonWriter& w) { render_user(w, world, i, world.users[i].life.rev); });
    }
    c.done = c.outer >= world.users.size();
}

void write_media_plans(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    for (; c.outer < world.media_plans.size() && !full(); ++c.outer) {
        const auto i = static_cast<std::uint32_t>(c.outer);
        const MediaPlan& mp = world.media_plans[i];
        line(
            out, !mp.life.present(), [&](JsonWriter& w) { id_field(w, "id", Kind::media_plan, i); },
            [&](JsonWriter& w) {
                id_field(w, "account_id", Kind::account, mp.account);
                id_field(w, "advertiser_id", Kind::advertiser, mp.advertiser);
            },
            [&](JsonWriter& w) { render_media_plan(w, world, i); });
    }
    c.done = c.outer >= world.media_plans.size();
}

void write_campaigns(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    for (; c.outer < world.campaigns.size() && !full(); ++c.outer) {
        const auto i = static_cast<std::uint32_t>(c.outer);
        const Campaign& camp = world.campaigns[i];
        line(
            out, !world.campaign_listed(i), [&](JsonWriter& w) { id_field(w, "id", Kind::campaign, i); },
            [&](JsonWriter& w) {
                id_field(w, "media_plan_id", Kind::media_plan, camp.media_plan);
                id_field(w, "account_id", Kind::account, world.media_plans[camp.media_plan].account);
            },
            [&](JsonWriter& w) { render_campaign(w, world, i); });
    }
    c.done = c.outer >= world.campaigns.size();
}

void write_ad_sets(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    for (; c.outer < world.ad_sets.size() && !full(); ++c.outer) {
        const auto i = static_cast<std::uint32_t>(c.outer);
        const AdSet& s = world.ad_sets[i];
        if (s.hidden_epoch == 0) continue;  // no listing ever showed it
        line(
            out, !world.ad_set_listed(i), [&](JsonWriter& w) { id_field(w, "id", Kind::ad_set, i); },
            [&](JsonWriter& w) {
                id_field(w, "campaign_id", Kind::campaign, s.campaign);
                id_field(w, "media_plan_id", Kind::media_plan, world.campaigns[s.campaign].media_plan);
            },
            [&](JsonWriter& w) { render_ad_set(w, world, i); });
    }
    c.done = c.outer >= world.ad_sets.size();
}

void write_ads(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    for (; c.outer < world.ads.size() && !full(); ++c.outer) {
        const auto i = static_cast<std::uint32_t>(c.outer);
        const Ad& ad = world.ads[i];
        // An ad of a hidden ad set: the campaign's ad listing shows it
        // without the link. The link is known only when a listing of
        // the ad set showed it before it was hidden (a mirror that read
        // the listings at every epoch before keeps it); with
        // twitter-only campaign ad listings nothing shows the ad after.
        const AdSet* set = ad.ad_set < 0 ? nullptr : &world.ad_sets[static_cast<std::uint32_t>(ad.ad_set)];
        const bool never_linked = set && set->hidden_epoch == 0;
        const bool reachable = !(set && set->hidden()) || c.campaign_ads == CampaignAds::all;
        if (never_linked && !reachable) continue;
        line(
            out, !world.ad_listed(i) || !reachable, [&](JsonWriter& w) { id_field(w, "id", Kind::ad, i); },
            [&](JsonWriter& w) {
                w.key("ad_set_id");
                if (ad.ad_set < 0 || never_linked)
                    w.null();
                else
                    w.string(id_of(Kind::ad_set, static_cast<std::uint32_t>(ad.ad_set)));
                id_field(w, "campaign_id", Kind::campaign, ad.campaign);
                id_field(w, "media_plan_id", Kind::media_plan, world.campaigns[ad.campaign].media_plan);
            },
            [&](JsonWriter& w) { render_ad(w, world, i); });
    }
    c.done = c.outer >= world.ads.size();
}

void write_media_plan_users(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    for (; c.outer < world.media_plans.size() && !full(); ++c.outer, c.inner = 0) {
        const auto m = static_cast<std::uint32_t>(c.outer);
        const auto& links = world.media_plans[m].users;
        for (; c.inner < links.size() && !full(); ++c.inner) {
            const MediaPlanUser& l = links[c.inner];
            const auto rev = l.gone_epoch >= 0 ? l.user_rev_at_gone : world.users[l.user].life.rev;
            line(
                out, !world.user_link_listed(l),
                [&](JsonWriter& w) {
                    id_field(w, "media_plan_id", Kind::media_plan, m);
                    id_field(w, "user_id", Kind::user, l.user);
                },
                nothing, [&](JsonWriter& w) { render_user(w, world, l.user, rev); });
        }
        if (c.inner < links.size()) break;
    }
    c.done = c.outer >= world.media_plans.size();
}

void write_account_children(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    const int slot = account_slot(c.table);
    const Kind kind = account_child_kind(slot);
    for (; c.outer < world.accounts.size() && !full(); ++c.outer, c.inner = 0) {
        const auto a = static_cast<std::uint32_t>(c.outer);
        const auto& children = world.accounts[a].children[slot];
        for (; c.inner < children.size() && !full(); ++c.inner) {
            const AccountChild& ch = children[c.inner];
            line(
                out, !ch.life.present(),
                [&](JsonWriter& w) {
                    id_field(w, "account_id", Kind::account, a);
                    w.field("id", id_of(kind, ch.serial));
                },
                nothing, [&](JsonWriter& w) { render_account_child(w, world, a, slot, ch); });
        }
        if (c.inner < children.size()) break;
    }
    c.done = c.outer >= world.accounts.size();
}

void write_ad_stats_daily(const World& world, ExpectedCursor& c, std::string& out, std::size_t stop) {
    auto full = [&] { return out.size() >= stop; };
    const Day from = std::max(c.stats_from, world.first_stats_day());
    for (; c.outer < world.ads.size() && !full(); ++c.outer, c.inner = 0) {
        const auto a = static_cast<std::uint32_t>(c.outer);
        const Ad& ad = world.ads[a];
        const auto [lo, hi] = world.ad_active_days(ad, from, world.today());
        const auto mp = world.campaigns[ad.campaign].media_plan;
        const StatsRowIds ids{mp, ad.campaign, ad.ad_set, a};
        for (Day d = lo + static_cast<Day>(c.inner); d <= hi && !full(); ++d, ++c.inner) {
            line(
                out, false,
                [&](JsonWriter& w) {
                    id_field(w, "ad_id", Kind::ad, a);
                    w.field("date", format_day(d));
                },
                [&](JsonWriter& w) {
                    id_field(w, "media_plan_id", Kind::media_plan, mp);
                    id_field(w, "campaign_id", Kind::campaign, ad.campaign);
                    w.key("ad_set_id");
                    if (ad.ad_set < 0)
                        w.null();
                    else
                        w.string(id_of(Kind::ad_set, static_cast<std::uint32_t>(ad.ad_set)));
                },
                [&](JsonWriter& w) { write_stats_row(w, ad_day_metrics(world, a, d), d, ids); });
        }
        if (lo + static_cast<Day>(c.inner) <= hi) break;
    }
    c.done = c.outer >= world.ads.size();
}

}  // namespace

bool write_expected_chunk(const World& world, ExpectedCursor& c, std::string& out, std::size_t budget) {
    if (c.done) return false;
    const std::size_t stop = out.size() + budget;
    switch (c.table) {
        case ExpectedTable::accounts:
            write_accounts(world, c, out, stop);
            break;
        case ExpectedTable::advertisers:
            write_advertisers(world, c, out, stop);
            break;
        case ExpectedTable::users:
            write_users(world, c, out, stop);
            break;
        case ExpectedTable::media_plans:
            write_media_plans(world, c, out, stop);
            break;
        case ExpectedTable::campaigns:
            write_campaigns(world, c, out, stop);
            break;
        case ExpectedTable::ad_sets:
            write_ad_sets(world, c, out, stop);
            break;
        case ExpectedTable::ads:
            write_ads(world, c, out, stop);
            break;
        case ExpectedTable::media_plan_users:
            write_media_plan_users(world, c, out, stop);
            break;
        case ExpectedTable::funding_instruments:
        case ExpectedTable::publisher_objects:
        case ExpectedTable::lead_forms:
        case ExpectedTable::audiences:
        case ExpectedTable::targeting_clusters:
            write_account_children(world, c, out, stop);
            break;
        case ExpectedTable::ad_stats_daily:
            write_ad_stats_daily(world, c, out, stop);
            break;
    }
    return !c.done;
}

}  // namespace marin::sim
