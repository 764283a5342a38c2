// The writer's bookkeeping of listings: the ids of the listings open in this
// session (whose keys the merges record as seen), the completions and resume
// checkpoints waiting for the group's commit, and the guard's refusals
// waiting for the next flush.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "marin/storage/mirror_writer.hpp"

namespace marin::storage::detail {

class MirrorSession;

class ListingBook {
  public:
    // ---- open listings ----
    // The id of listing `scope` of `t`, given on first use.
    int listing_id(model::TableId t, const std::string& scope);
    // 0 when no batch of the listing was seen (it held nothing).
    int open_id(model::TableId t, const std::string& scope) const;
    // The listing completed: closed, its seen keys forgotten by the next
    // forget_seen_keys.
    void close(model::TableId t, const std::string& scope);
    // One DELETE per table for the seen keys of the listings closed since the
    // last call; TRUNCATE instead once no listing of the table is open and
    // enough dead rows piled up (a temporary table is never vacuumed).
    void forget_seen_keys(MirrorSession& session);

    // ---- waiting for the group's commit ----
    // Completions and checkpoints are processed when the group commits,
    // after every pending row is merged: they need no merge of their own, so
    // merges stay large however short the listings (a merge per listing cost
    // a dozen round trips each, and bounded an unchanged resync).
    struct Completion {
        model::TableId table;
        ListingKey listing;
    };
    // Returns whether enough completions wait that they should be processed now.
    bool queue_completion(model::TableId t, ListingKey listing);
    bool has_completions() const { return !completions_.empty(); }
    std::vector<Completion> take_completions() { return std::exchange(completions_, {}); }
    // A completion the guard refused: its listing's checkpoint in this group
    // is not recorded (a resumed run reads it again), and the next flush
    // reports `message`.
    void refused(const std::string& scope) { refused_scopes_.insert(scope); }
    void add_refusal(std::string message) { refusals_.push_back(std::move(message)); }
    // The refusals since the last call, as one message; nullopt when none.
    std::optional<std::string> take_refusals();

    void queue_checkpoint(std::int64_t run_id, std::string scope) {
        checkpoints_.emplace_back(run_id, std::move(scope));
    }
    std::size_t checkpoints_queued() const { return checkpoints_.size(); }
    // The group's checkpoints, in one statement per run; forgets this group's refusals.
    void record_checkpoints(MirrorSession& session);
    void end_group() { refused_scopes_.clear(); }
    // The group was rolled back: what waited for it goes.
    void abandon_group();

    static constexpr std::size_t max_queued_completions = 500;

  private:
    struct Table {
        std::map<std::string, int> open_listings;  // scope -> listing id
        std::int64_t seen_dead_rows = 0;
        std::vector<int> seen_to_forget;  // completed listings whose seen keys go next
    };
    Table& at(model::TableId t) { return tables_[static_cast<std::size_t>(t)]; }

    std::array<Table, model::table_count> tables_;
    int next_listing_id_ = 1;
    std::vector<Completion> completions_;
    std::vector<std::pair<std::int64_t, std::string>> checkpoints_;  // run id, scope
    std::set<std::string> refused_scopes_;                           // this group's completions the guard refused
    std::vector<std::string> refusals_;                              // reported by the next flush
};

}  // namespace marin::storage::detail
