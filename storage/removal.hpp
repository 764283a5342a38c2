// Marking rows removed, in the group's transaction: the rows a completed
// listing no longer holds, or a parent gone (404), with the cascade to their
// children and the removal guard, which bounds what one run may remove.
#pragma once

#include <array>
#include <bitset>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "marin/storage/mirror_writer.hpp"

namespace spdlog {
class logger;
}

namespace marin::storage::detail {

class MirrorSession;

// Per table: its live rows when this run first touched it, and the rows this
// run marked removed so far.
class RemovalGuard {
  public:
    RemovalGuard(double ratio, std::int64_t min_rows) : ratio_(ratio), min_rows_(min_rows) {}
    // Counts the table's live rows the first time this run touches it.
    void touch(MirrorSession& session, model::TableId t);
    // Throws RemovalGuardError when marking `n` more rows would pass the guard.
    void check(model::TableId t, std::int64_t n, const std::string& cause) const;
    void count(model::TableId t, std::int64_t n) { at(t).removed_this_run += n; }
    void new_run();

  private:
    struct Table {
        std::optional<std::int64_t> live_at_first_touch;
        std::int64_t removed_this_run = 0;
    };
    Table& at(model::TableId t) { return tables_[static_cast<std::size_t>(t)]; }
    const Table& at(model::TableId t) const { return tables_[static_cast<std::size_t>(t)]; }

    std::array<Table, model::table_count> tables_;
    double ratio_;
    std::int64_t min_rows_;
};

class Removal {
  public:
    Removal(MirrorSession& session, RemovalGuard& guard, WriterTotals& totals, spdlog::logger& log)
        : session_(session), guard_(guard), totals_(totals), log_(log) {}

    // The live rows under listing.parent_filter that listing `listing_id`
    // (0: a listing that held nothing) did not hold.
    void unseen(model::TableId t, const ListingKey& listing, int listing_id);
    // The live row of `t` with this key (TableSpec::key_columns() order);
    // std::invalid_argument when the key has the wrong width.
    void by_key(model::TableId t, const std::vector<std::string>& key);

    // The tables a removal rooted at `root` reads or marks: their pending
    // rows are merged before it.
    static std::vector<model::TableId> reach(model::TableId root);

  private:
    template <class SelectRoot>
    void remove_rows(model::TableId root, const std::string& cause, SelectRoot&& select_root);
    void clear_gone_tables(const std::vector<model::TableId>& tables);

    MirrorSession& session_;
    RemovalGuard& guard_;
    WriterTotals& totals_;
    spdlog::logger& log_;
    // Session gone tables that may hold rows; set only after the table was
    // created. Only a broken writer rolls a group back, and it runs no
    // statement after that.
    std::bitset<model::table_count> gone_filled_;
};

}  // namespace marin::storage::detail
