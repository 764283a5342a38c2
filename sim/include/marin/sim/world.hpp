#pragma once
// The simulated agency: every object the API serves, held compactly (a few
// dozen bytes per object; records are rendered on demand from the object's
// state and a hash of (seed, kind, index, revision)). Deterministic: the same
// seed, scale and start day give the same world, and the same epochs move it
// the same way.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace marin::sim {

// Days are counted from 1970-01-01 (UTC).
using Day = std::int32_t;
inline constexpr Day open_end = std::numeric_limits<Day>::max();

enum class Scale { tiny, small, medium, large };
std::optional<Scale> parse_scale(std::string_view name);
std::string_view scale_name(Scale s);

struct ScaleSpec {
    int accounts;
    int advertisers;
    int media_plans;
    int campaigns;
    int users;
    int adsets_min, adsets_max;  // per Facebook campaign
    int ads_mean;                // per ad set, or per Twitter campaign
    int stats_days;              // days of statistics before the start day (inclusive)
};
ScaleSpec scale_spec(Scale s);

struct WorldConfig {
    std::uint64_t seed = 1;
    Scale scale = Scale::tiny;
    Day today = 0;
};

enum class Src : std::uint8_t { fb, tw };
enum class Kind : std::uint8_t {
    account,
    advertiser,
    media_plan,
    campaign,
    ad_set,
    ad,
    user,
    publisher_object,
    funding_instrument,
    lead_form,
    audience,
    targeting_cluster,
};

// What every object carries: the epoch it vanished at (-1 while listed) and a
// revision counter bumped by each change (names, budgets, bids derive from it).
struct Life {
    std::int32_t gone_epoch = -1;
    std::uint16_t rev = 0;
    bool present() const { return gone_epoch < 0; }
};

// Account children: publisher objects, funding instruments, lead forms,
// audiences, targeting clusters (in that order in Account::children).
inline constexpr int account_child_kinds = 5;
Kind account_child_kind(int slot);

struct AccountChild {
    std::uint32_t serial;  // index within its kind, across accounts (its id derives from it)
    Life life;
};

struct Account {
    Src src;
    bool active = true;
    Life life;
    std::vector<AccountChild> children[account_child_kinds];
};

struct Advertiser {
    Life life;
};

struct User {
    Life life;
};

struct MediaPlanUser {
    std::uint32_t user;
    std::int32_t gone_epoch = -1;  // link removed at that epoch
    std::uint16_t user_rev_at_gone = 0;
};

struct MediaPlan {
    std::uint32_t account;
    std::uint32_t advertiser;
    bool archived = false;
    Life life;
    std::vector<MediaPlanUser> users;
    std::vector<std::uint32_t> campaigns;  // every campaign ever, id order
    std::vector<std::uint32_t> ads;        // every ad ever, id order (statistics)
};

enum class Phase : std::uint8_t { live, recently_ended, ended, archived, deleted };

struct Campaign {
    std::uint32_t media_plan;
    Src src;
    Phase phase;        // as generated; flags below may move with epochs
    bool play = false;  // status "play" (else "pause")
    bool archived = false;
    bool deleted = false;
    Day start_day;
    Day end_day;  // last active day, open_end while running
    Life life;
    std::vector<std::uint32_t> ad_sets;  // every ad set ever, id order
    std::vector<std::uint32_t> ads;      // every ad ever, id order
};

struct AdSet {
    std::uint32_t campaign;
    bool play = false;
    Life life;
    std::vector<std::uint32_t> ads;
    // Hidden (archived, say): left out of its campaign's ad set listing and
    // answering 404 with everything under it, while its ads stay in the
    // campaign's ad listing and in the statistics. -1: shown; 0: hidden
    // since generation (no listing ever showed it); N: hidden at epoch N.
    std::int32_t hidden_epoch = -1;
    bool hidden() const { return hidden_epoch >= 0; }
};

struct Ad {
    std::uint32_t campaign;
    std::int32_t ad_set;  // -1: Twitter ad, hangs off the campaign
    bool play = false;
    bool deleted = false;
    Day start_day;  // first day with statistics
    Day end_day;    // last day with statistics, open_end while running
    Life life;
};

class Rng;

class World {
  public:
    explicit World(WorldConfig config);

    // Moves the data one day forward (see docs/simulator.md, "Epochs").
    void advance_epoch();

    std::uint64_t seed() const { return config_.seed; }
    Scale scale() const { return config_.scale; }
    int epoch() const { return epoch_; }
    Day today() const { return today_; }
    Day first_stats_day() const { return first_stats_day_; }
    // Restatement counter of a day's statistics (figures derive from it).
    std::uint16_t stats_version(Day d) const;

    // A campaign whose objects never change again: archived, deleted, or
    // ended more than frozen_after_days before today.
    bool frozen(const Campaign& c) const;
    static constexpr int frozen_after_days = 28;

    // Listed now: itself and every parent still listed.
    bool campaign_listed(std::uint32_t c) const { return campaigns[c].life.present(); }
    bool ad_set_listed(std::uint32_t s) const {
        return ad_sets[s].life.present() && !ad_sets[s].hidden() && campaign_listed(ad_sets[s].campaign);
    }
    // An ad of a hidden ad set is listed (by its campaign's ad listing).
    bool ad_listed(std::uint32_t a) const {
        const Ad& ad = ads[a];
        if (!ad.life.present() || !campaign_listed(ad.campaign)) return false;
        return ad.ad_set < 0 || ad_sets[static_cast<std::uint32_t>(ad.ad_set)].life.present();
    }
    bool in_hidden_ad_set(std::uint32_t a) const {
        return ads[a].ad_set >= 0 && ad_sets[static_cast<std::uint32_t>(ads[a].ad_set)].hidden();
    }
    bool user_link_listed(const MediaPlanUser& l) const { return l.gone_epoch < 0 && users[l.user].life.present(); }
    // Days with statistics for an ad, clipped to [from, to]; empty when from > to.
    std::pair<Day, Day> ad_active_days(const Ad& ad, Day from, Day to) const;

    std::vector<Account> accounts;
    std::vector<Advertiser> advertisers;
    std::vector<User> users;
    std::vector<MediaPlan> media_plans;
    std::vector<Campaign> campaigns;
    std::vector<AdSet> ad_sets;
    std::vector<Ad> ads;
    std::vector<std::uint32_t> account_child_count;  // per slot: serials handed out

  private:
    // Generation (world_generate.cpp), in the order of its draws.
    void generate();
    void generate_accounts(Rng& rng);
    void generate_media_plans(Rng& rng);
    void generate_campaign(Rng& rng, int c);
    void generate_ad(Rng& rng, std::uint32_t campaign, std::int32_t ad_set, bool parent_play);
    // Epochs (world_epoch.cpp), in the order of their draws.
    struct EpochCandidates;
    EpochCandidates epoch_candidates() const;
    void epoch_vanish(Rng& rng, EpochCandidates& candidates, Day old_today);
    void epoch_hide(EpochCandidates& candidates, Day old_today);
    void epoch_change(Rng& rng, EpochCandidates& candidates, Day old_today);
    void epoch_appear(Rng& rng);
    void epoch_change_agency(Rng& rng);
    void epoch_change_user_links(Rng& rng);
    void epoch_change_users(Rng& rng);
    void epoch_change_account_children(Rng& rng);
    std::uint32_t add_campaign(std::uint32_t mp, Phase phase, Day start, Day end, bool play);
    std::uint32_t add_ad_set(std::uint32_t campaign, bool play);
    std::uint32_t add_ad(std::uint32_t campaign, std::int32_t ad_set, Day start, Day end, bool play, bool deleted);
    void add_account_child(std::uint32_t account, int slot);
    // Ends the statistics of the ads at last_day; pause: their status turns
    // "pause" too (a vanished object keeps the record it was last served with).
    void end_ads_of(const std::vector<std::uint32_t>& ad_list, Day last_day, bool pause);

    WorldConfig config_;
    ScaleSpec spec_;
    int epoch_ = 0;
    Day today_;
    Day first_stats_day_;
    std::vector<std::uint16_t> versions_;  // per day from first_stats_day_
};

// Deterministic hashing (splitmix64 steps).
std::uint64_t mix64(std::uint64_t x);
std::uint64_t hash_of(std::uint64_t seed, Kind kind, std::uint64_t index, std::uint64_t salt = 0);
inline double unit(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// Small deterministic generator for generation and epochs.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        state_ += 0x9e3779b97f4a7c15ULL;
        return mix64(state_);
    }
    double uniform() { return unit(next()); }
    // in [lo, hi]
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    bool chance(double p) { return uniform() < p; }

  private:
    std::uint64_t state_;
};

// Calendar helpers (UTC).
std::string format_day(Day d);                     // YYYY-MM-DD
std::optional<Day> parse_day(std::string_view s);  // YYYY-MM-DD
Day month_start(Day d);
Day next_month_start(Day d);

}  // namespace marin::sim
